/** Reading the project's JSON files (cloudbaserc.json, project.config.json, app.json) as untrusted input. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { problem, type Problem } from './problem';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type JsonRead = { ok: true; value: Json } | { ok: false; problem: Problem };

/** `file` is relative to `root`; a missing or malformed file is a problem on the field `(file)`. */
export function readJsonFile(root: string, file: string): JsonRead {
  let text: string;
  try {
    text = readFileSync(path.join(root, file), 'utf8');
  } catch {
    return { ok: false, problem: problem(file, '(file)', '文件不存在') };
  }
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: problem(file, '(file)', `不是合法的 JSON：${reason}`) };
  }
}

/** Forward-slash relative path, the form every Problem uses. */
export function relativePath(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}
