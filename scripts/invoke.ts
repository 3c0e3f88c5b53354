/**
 * `npm run invoke -- <function> --openid <id> [--appid <id>] [--unionid <id>] [--data '<json>'] [--url URL]`:
 * calls one cloud function on the running emulator (or an in-memory one) and prints its JSON answer.
 */
import { runInvoke } from '@wx-cloud-login/cloudbase-emulator';

runInvoke(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
