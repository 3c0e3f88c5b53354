/**
 * `cloudbase-emulator start|invoke|exec|clock [options]`, run in a
 * CloudBase project's folder: paths default to the cwd (./cloudfunctions, ./.cloudbase). Functions run
 * as already built (<functions>/<name>/index.js); a project that builds them wires `build` itself
 * (this repository's scripts/start.ts).
 */
import { runClock, runExec, runInvoke, runStart, type Output } from './cli';

const USAGE = `用法 Usage: cloudbase-emulator start [--port N] [--data-dir DIR | --memory] [--functions DIR] [--env ID] [--import DIR] [--export-on-exit DIR]
       cloudbase-emulator invoke <function> ['<event json>'] --openid <id> [--appid <id>] [--unionid <id>] [--url URL]
       cloudbase-emulator exec [--import DIR] [--export-on-exit DIR] [--data-dir DIR] "<command>"
       cloudbase-emulator clock [show | set <ISO> | advance <90m> | reset] [--url URL]
每个命令的 --help 列出全部选项 / --help after a command lists its options
`;

const output: Output = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') return runStart(rest, { output });
  if (command === 'invoke') return runInvoke(rest, output);
  if (command === 'exec') return runExec(rest, { output });
  if (command === 'clock') return runClock(rest, output);
  output.stderr(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // start: function instances may still hold the event loop once the server has closed.
    if (process.argv[2] === 'start' || process.argv[2] === 'exec') process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
