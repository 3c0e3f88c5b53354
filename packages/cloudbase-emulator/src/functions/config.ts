/**
 * Per-function settings the runtime honours, from the `functions` list of a cloudbaserc.json next
 * to the functions folder (the file `tcb fn deploy` reads): `timeout` (seconds), `memorySize` (MB)
 * and `envVariables`. Everything is optional; a missing or malformed file means defaults.
 *
 * A variable written as a `{{env.NAME}}` template (how a secret stays out of the committed file: the
 * tcb CLI fills it from the environment or `.env` at deploy time) is filled the same way here, from
 * the variables given; one with no value is left out, as a deploy without it would fail to set it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface FunctionSettings {
  timeoutMs?: number;
  memoryMb?: number;
  envVariables: Record<string, string>;
}

/** Reads the settings of one function; never throws. */
export function readFunctionSettings(
  functionsRoot: string,
  name: string,
  variables: Record<string, string | undefined> = process.env,
): FunctionSettings {
  const file = path.join(path.dirname(path.resolve(functionsRoot)), 'cloudbaserc.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { envVariables: {} };
  }
  return functionSettingsFrom(text, name, variables);
}

const TEMPLATE = /^\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** Pure: the settings of `name` in cloudbaserc.json text. */
export function functionSettingsFrom(
  cloudbaserc: string,
  name: string,
  variables: Record<string, string | undefined> = {},
): FunctionSettings {
  const settings: FunctionSettings = { envVariables: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(cloudbaserc);
  } catch {
    return settings;
  }
  const functions = isRecord(parsed) && Array.isArray(parsed['functions']) ? parsed['functions'] : [];
  const entry: unknown = functions.find((candidate: unknown) => isRecord(candidate) && candidate['name'] === name);
  if (!isRecord(entry)) return settings;

  const timeout = entry['timeout'];
  if (typeof timeout === 'number' && timeout > 0) settings.timeoutMs = timeout * 1000;
  const memory = entry['memorySize'];
  if (typeof memory === 'number' && memory > 0) settings.memoryMb = memory;
  const declared = entry['envVariables'];
  if (isRecord(declared)) {
    for (const [key, value] of Object.entries(declared)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        const template = TEMPLATE.exec(String(value));
        const filled = template ? variables[template[1] ?? ''] : String(value);
        if (filled !== undefined) settings.envVariables[key] = filled;
      }
    }
  }
  return settings;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
