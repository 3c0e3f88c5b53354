/**
 * `npm run add -- <path to a DevTools project> [--pages …] [--folder DIR] [--function-name NAME]
 * [--auth-functions a,b] [--dry-run] [--update | --remove]`: the terminal around runAdd
 * (scripts/lib/add/run.ts, where the installer is; see its header and the other files of lib/add/).
 */
import { createInterface } from 'node:readline/promises';
import { type AddOutput, runAdd } from './lib/add/run';

export { type AddArgs, type AddOutput, addUsage, DEFAULT_FOLDER, DEFAULT_PAGES, parseAddArgs, runAdd } from './lib/add/run';

/** stdout/stderr, and questions only when a person is at the terminal (never in CI or a pipe). */
export function terminalOutput(): AddOutput {
  const output: AddOutput = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
  if (process.stdin.isTTY && process.stdout.isTTY) {
    output.ask = async (question) => {
      const terminal = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await terminal.question(question);
      } finally {
        terminal.close();
      }
    };
  }
  return output;
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  runAdd(process.argv.slice(2), terminalOutput()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
