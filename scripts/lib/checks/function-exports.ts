/**
 * Whether a built cloud function's handler resolves: CloudBase loads `<file>.js` with require()
 * and calls `exports[<name>]`. The only faithful offline test is to do the same, so the file is
 * loaded in a separate Node process (its top level runs — wx-server-sdk's init is local — and
 * nothing it does can leak into the checker: module cache, globals, timers, process.env).
 */
import { spawnSync } from 'node:child_process';

export type ExportProbe = { ok: true; type: string; exportNames: string[] } | { ok: false; reason: string };

export type ExportProber = (file: string, exportName: string) => ExportProbe;

// Runs in the child: prints one JSON line describing `require(file)[name]`.
const PROBE_SOURCE = `
const [file, name] = process.argv.slice(1);
let answer;
try {
  const loaded = require(file);
  const value = loaded == null ? undefined : loaded[name];
  answer = { ok: true, type: typeof value, exportNames: loaded == null ? [] : Object.keys(loaded).slice(0, 20) };
} catch (error) {
  answer = { ok: false, reason: String(error && error.message ? error.message : error).split('\\n')[0] };
}
process.stdout.write(JSON.stringify(answer) + '\\n', () => process.exit(0));
`;

/** A deliberately small environment: the function must not pick up this machine's CloudBase settings. */
function probeEnvironment(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'USERPROFILE'];
  return Object.fromEntries(keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]]])));
}

export const probeExportInChildProcess: ExportProber = (file, exportName) => {
  const result = spawnSync(process.execPath, ['-e', PROBE_SOURCE, file, exportName], {
    encoding: 'utf8',
    timeout: 15_000,
    env: probeEnvironment(),
  });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(lastLine) as ExportProbe;
  } catch {
    const detail = result.error?.message ?? (result.stderr.trim().split('\n')[0] || `exit code ${result.status}`);
    return { ok: false, reason: detail };
  }
};
