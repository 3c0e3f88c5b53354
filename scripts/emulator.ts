/**
 * `npm run emulator -- <start|invoke|exec|clock> [options]`: the emulator's command line with this
 * repository's build step (the functions are built from TypeScript before start and exec).
 *   npm run emulator -- exec "npm run some-check"   a fresh emulator for one command, then stopped
 *   npm run emulator -- clock advance 90m           moves the running emulator's clock
 *   npm run emulator -- push '{"Event":…}'          a WeChat message push to the wechat-push function
 * `npm start` and `npm run invoke` are the same start and invoke (scripts/start.ts adds the preview).
 */
import { runClock, runExec, runInvoke, runPush, runStart, type Output } from '@wx-cloud-login/cloudbase-emulator';
import { buildFunctions, functionsRoot } from './build';
import { localPushOptions } from './lib/local-push';

const output: Output = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
const USAGE = '用法 Usage: npm run emulator -- start|invoke|exec|clock|push [options]（--help 列出选项 / --help lists the options）\n';

async function main([command, ...rest]: string[]): Promise<number> {
  const emulatorOptions = localPushOptions(functionsRoot);
  if (command === 'exec') return runExec(rest, { output, build: buildFunctions, emulatorOptions });
  if (command === 'start') return runStart(rest, { output, build: buildFunctions, emulatorOptions });
  if (command === 'invoke') return runInvoke(rest, output);
  if (command === 'clock') return runClock(rest, output);
  if (command === 'push') return runPush(rest, output);
  output.stderr(USAGE);
  return command === undefined || command === '--help' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  // Function instances may still hold the event loop once the emulator has stopped.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
