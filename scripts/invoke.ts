/**
 * `npm run invoke -- <function> ['<event json>'] --openid <id> [--event '<json>'] [--appid <id>] [--unionid <id>] [--url URL]`:
 * calls one cloud function on a running emulator of this project (whatever its data folder; else an
 * in-memory one) and prints its JSON answer.
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
