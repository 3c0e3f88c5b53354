/**
 * `cloudbase-emulator start [options]` and `cloudbase-emulator invoke <function> [options]`, run in a
 * CloudBase project's folder: paths default to the cwd (./cloudfunctions, ./.cloudbase). Functions run
 * as already built (<functions>/<name>/index.js); a project that builds them wires `build` itself
 * (this repository's scripts/start.ts).
 */
import { runInvoke, runStart, type Output } from './cli';

const USAGE = `用法 Usage: cloudbase-emulator start [--port N] [--data DIR | --memory] [--functions DIR] [--env ID]
       cloudbase-emulator invoke <function> --openid <id> [--appid <id>] [--unionid <id>] [--data '<json>'] [--url URL]
`;

const output: Output = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') return runStart(rest, { output });
  if (command === 'invoke') return runInvoke(rest, output);
  output.stderr(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // start: function instances may still hold the event loop once the server has closed.
    if (process.argv[2] === 'start') process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
