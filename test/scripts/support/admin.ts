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

let collectionRuns = 0;

/**
 * Fresh users/identities collection names for the next admin run (through the variables the
 * function and the CLI read), so tests do not see each other's people.
 */
export function useFreshCollections(prefix: string): { users: string; identities: string } {
  collectionRuns += 1;
  const names = { users: `${prefix}_users_${collectionRuns}`, identities: `${prefix}_identities_${collectionRuns}` };
  process.env.USERS_COLLECTION = names.users;
  process.env.IDENTITIES_COLLECTION = names.identities;
  return names;
}
