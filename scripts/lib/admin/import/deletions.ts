/**
 * Accounts their owners deleted (注销): the deletion's audit entry (model.ts, `account-deleted`),
 * written in the deletion's own transaction, names the user id. An import asks before it writes
 * an account, so an id deleted by its owner is never written again (re-created by a re-run, or by
 * a run that read it before the deletion).
 */
import { orEmpty } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';

type Data = Record<string, unknown>;

export interface AuditDatabase {
  collection(name: string): { where(condition: Data): { limit(count: number): { get(): Promise<{ data: Data[] }> } } };
  command: { in(values: unknown[]): unknown };
}

/** One query answers at most this many entries; a chunk asks about fewer ids. */
const PAGE = 1000;

/** The ids among `ids` whose account its owner deleted. */
export async function deletedAccounts(db: AuditDatabase, audit: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { data } = await orEmpty(
    () =>
      db
        .collection(audit)
        .where({ type: 'account-deleted', userId: db.command.in(ids) })
        .limit(PAGE)
        .get(),
    { data: [] as Data[] },
  );
  // An entry a client wrote (`_openid`) could claim anything.
  return new Set(data.filter((entry) => !('_openid' in entry) && typeof entry.userId === 'string').map((entry) => entry.userId as string));
}
