/**
 * The command lines' defaults (cli.ts), in a module of their own: the package's index exports them
 * without loading the command lines themselves (index.ts).
 */
import path from 'node:path';

export const DEFAULT_PORT = 9093;
/** The data folder, relative to the project (cwd) the emulator runs for. */
export function defaultDataDir(projectRoot: string = process.cwd()): string {
  return path.join(projectRoot, '.cloudbase');
}
export const DEFAULT_APPID = 'wx_local_app';
export const RUNNING_FILE = 'emulator.json';
/** Variable naming the emulator's URL in the environment of an `exec` command (besides the SDK's own). */
export const URL_VARIABLE = 'CLOUDBASE_EMULATOR_URL';
