import { runAdmin } from '../../../scripts/lib/admin/run';

/** `npm run admin -- <argv> --url <url>` in this process: its exit code and what it printed. */
export async function runAdminAt(url: string, argv: string[], now: () => Date = () => new Date()) {
  let stdout = '';
  let stderr = '';
  const code = await runAdmin([...argv, '--url', url], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: process.env,
    now,
  });
  return { code, stdout, stderr };
}
