/**
 * `npm run admin -- <command>`: find, show, ban and unban accounts on the running `npm start`
 * (default) or a real environment (`--env ENV_ID`). See scripts/lib/admin/ and `--help`.
 */
import { runAdmin } from './lib/admin/run';

runAdmin(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
