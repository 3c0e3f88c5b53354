/**
 * After a protected function wrote for a user: make sure what it wrote lives where the person can
 * reach it, or goes with their account. The check that makes a write safe against a link, an
 * unlink, a deletion (注销) or a ban made anywhere, at any moment — including a write already in
 * flight when a deletion commits.
 *
 * Why reading the user document AFTER the write is enough. deleteAccount and confirmLink change the
 * users document first (the 'deleting' mark, the commit, 'merged') and only then query the per-user
 * collections by owner (removeAll / moveAll, user-data.ts). The write here goes the other way: it
 * writes the per-user document first and then reads the users document. Of two such sequences at
 * least one sees the other's first step:
 * - the user is still active, banned or 'deleting' when read here: the account change (if any)
 *   commits after this read, so its removal or move, which runs after its commit, finds the write;
 *   a deletion that is undone leaves the write in the live account. Nothing to do.
 * - the user is gone: the deletion committed, and its removal may have run before the write
 *   landed. The id is dead for good (ids are never reused), so everything still owned by it in the
 *   per-user collections is removed here, and the call answers USER_NOT_FOUND.
 * - the user is 'merged' into another: the link committed, and its move may have run before the
 *   write. Everything still owned by the merged id is moved to the account it joined, and that
 *   account is then checked the same way (it may be deleted or merged meanwhile), a bounded number
 *   of times. The write's answer stands: it now lives in the person's account.
 * Both repairs are idempotent: running them again, or beside the link's or deletion's own, is harmless.
 *
 * The cost: one read of the users document by id after every write action (one round trip).
 *
 * When this check never finishes (the instance crashes between the write and the read, or all its
 * attempts fail), the write can still land after the deletion's or link's own removal or move. The
 * deletion and link side close that: their removal or move is repeated, and not recorded as
 * finished, until LATE_WRITE_WINDOW_MS after their commit has passed (account-deletion.ts,
 * account-cleanup.ts in the login function).
 */
import type { UserLookup } from './resolve-user';
import type { UserDataStore } from './user-data';
import type { UserRecord } from './user-record';

/**
 * The longest a protected function's write can land after an account change committed: a call that
 * resolved the user before the commit runs at most CloudBase's longest function timeout (60 s),
 * plus a margin for the account change's own run and clocks of different instances.
 */
export const LATE_WRITE_WINDOW_MS = 2 * 60_000;

/** What became of a write made for a user. */
export type WriteSettlement =
  /** The account is live (or being deleted, which removes the write with it): the write stays. */
  | { outcome: 'kept'; userId: string }
  /** The account had been merged: the write was moved to the account it joined (`userId`). */
  | { outcome: 'moved'; userId: string }
  /** The account had been deleted: the write was removed with it. */
  | { outcome: 'removed' };

/** Merges followed at most (a chain this long is corrupt data, never a person's history). */
const MAX_MERGE_HOPS = 4;

export async function settleWrite(
  userId: string,
  lookup: Pick<UserLookup, 'getUser'>,
  userData: Pick<UserDataStore, 'moveAll' | 'removeAll'>,
): Promise<WriteSettlement> {
  let owner = userId;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop += 1) {
    const user: UserRecord | null = await lookup.getUser(owner);
    if (!user) {
      await userData.removeAll([owner]);
      return { outcome: 'removed' };
    }
    if (user.status !== 'merged') return owner === userId ? { outcome: 'kept', userId } : { outcome: 'moved', userId: owner };
    const target = user.mergedInto;
    // A merged account without a target has nowhere to send its data: leave it for an operator.
    if (typeof target !== 'string' || target === '' || target === owner) return { outcome: 'kept', userId: owner };
    await userData.moveAll(owner, target);
    owner = target;
  }
  throw new Error(`the account ${userId} is merged more than ${MAX_MERGE_HOPS} times over`);
}
