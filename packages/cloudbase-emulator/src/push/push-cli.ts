/**
 * `npm run emulator -- push '<message json>' | <file> | --verify`: delivers one WeChat message push
 * to the project's running emulator (POST /api/push), which encrypts, signs and hands it to the push
 * function as WeChat would (push-module.ts), and prints what the function answered. A file may hold
 * one message or a JSON array of them (delivered in order).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRunning, type Output } from '../cli';
import { createRunningRegistry, type RunningRegistry } from '../running-registry';
import { defaultFunctionsRoot } from '../server';
import { PUSH_PATH, type PushDelivery } from './push-module';
import { PUSH_USAGE } from './push-usage';

export { PUSH_USAGE };

export interface PushArgs {
  /** null with --verify. */
  messages: Record<string, unknown>[] | null;
  url: string | null;
  dataDir: string | null;
  functionsRoot: string;
}

type ParsedPush = { ok: true; args: PushArgs } | { ok: false; message: string };

function isMessage(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pure but for reading a file argument. */
export function parsePushArgs(argv: string[], cwd = process.cwd()): ParsedPush {
  const values = new Map<string, string>();
  const positionals: string[] = [];
  let verify = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--help' || argument === '-h') return { ok: false, message: '' };
    if (argument === '--verify') verify = true;
    else if (argument === '--url' || argument === '--data-dir' || argument === '--functions') {
      const value = argv[index + 1];
      if (value === undefined) return { ok: false, message: `${argument} 需要一个值 / needs a value` };
      values.set(argument.slice(2), value);
      index += 1;
    } else if (argument.startsWith('--')) return { ok: false, message: `未知选项 / unknown option: ${argument}` };
    else positionals.push(argument);
  }
  const where = {
    url: values.get('url') ?? null,
    dataDir: values.has('data-dir') ? path.resolve(cwd, values.get('data-dir') ?? '') : null,
    functionsRoot: values.has('functions') ? path.resolve(cwd, values.get('functions') ?? '') : defaultFunctionsRoot(cwd),
  };
  if (verify)
    return positionals.length === 0
      ? { ok: true, args: { ...where, messages: null } }
      : { ok: false, message: '--verify 不带消息 / takes no message' };
  if (positionals.length !== 1) return { ok: false, message: '需要一条消息（JSON 或文件） / one message (JSON or a file) is required' };
  const given = positionals[0] ?? '';
  let text = given;
  if (!given.trimStart().startsWith('{') && !given.trimStart().startsWith('[')) {
    try {
      text = readFileSync(path.resolve(cwd, given), 'utf8');
    } catch (error) {
      return { ok: false, message: `读不了文件 / cannot read ${given}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: '消息不是合法的 JSON / the message is not valid JSON' };
  }
  const messages = Array.isArray(value) ? value : [value];
  if (messages.length === 0 || !messages.every(isMessage))
    return { ok: false, message: '消息需要是 JSON 对象 / messages must be JSON objects' };
  return { ok: true, args: { ...where, messages } };
}

export async function runPush(argv: string[], output: Output, options: { registry?: RunningRegistry } = {}): Promise<number> {
  const parsed = parsePushArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${PUSH_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  const { messages, ...where } = parsed.args;
  const url = await findRunning(where, options.registry ?? createRunningRegistry());
  if (url === null) {
    output.stderr('没有运行中的模拟器：先运行 npm start，或用 --url 指定 / No running emulator: start one with npm start, or pass --url\n');
    return 1;
  }
  let failed = false;
  for (const message of messages ?? [null]) {
    let response: Response;
    try {
      response =
        message === null
          ? await fetch(`${url}${PUSH_PATH}/verify`, { method: 'POST' })
          : await fetch(`${url}${PUSH_PATH}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(message),
            });
    } catch (error) {
      output.stderr(`无法连接模拟器 / Cannot reach the emulator at ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    const answer = (await response.json().catch(() => null)) as (PushDelivery & { message?: string }) | null;
    if (!response.ok || !answer || typeof answer.statusCode !== 'number') {
      output.stderr(`模拟器拒绝了推送 / The emulator refused: ${answer?.message ?? `HTTP ${response.status}`}\n`);
      return 1;
    }
    output.stdout(`${JSON.stringify(answer)}\n`);
    if (answer.statusCode !== 200) failed = true;
  }
  return failed ? 1 : 0;
}
