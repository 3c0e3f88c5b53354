/**
 * UserLookup (resolve-user.ts) on the CloudBase database through wx-server-sdk: the reads a
 * function other than login needs to know who is calling. The login function's store answers
 * findUsersByIdentity through this same code, so both read users the same way.
 *
 * One round trip: the users holding any of the caller's keys and the caller's identity documents
 * are read in parallel; the identity documents decide whether a client-written users document may
 * be trusted (client-written.ts). A missing collection reads as empty (nobody has logged in yet).
 */
import { isClientWritten, isTrustedUser } from './client-written';
import { orEmpty } from './cloudbase-errors';
import type { UserLookup } from './resolve-user';
import type { UserRecord } from './user-record';

type Data = Record<string, unknown>;

interface LookupQuery {
  get(): Promise<{ data: Data[] }>;
  limit(count: number): LookupQuery;
}

/** The part of wx-server-sdk's database the lookup uses; `cloud.database()` satisfies it. */
export interface LookupDatabase {
  collection(name: string): {
    where(condition: unknown): LookupQuery;
    doc(id: string): { get(): Promise<{ data: Data | null | undefined }> };
  };
  command: { in(values: unknown[]): unknown };
}

export interface LookupCollections {
  users: string;
  identities: string;
}

/** The collection names login uses, overridable through the same environment variables. */
export function lookupCollections(env: NodeJS.ProcessEnv = process.env): LookupCollections {
  return { users: env.USERS_COLLECTION || 'users', identities: env.IDENTITIES_COLLECTION || 'identities' };
}

/** At most this many documents can belong to one person; more would be a data problem, not an account. */
const MAX_MATCHES = 100;

function asUser<U extends UserRecord>(data: Data | null | undefined): U | null {
  return data && typeof data._id === 'string' ? (data as U) : null;
}

export function createUserLookup<U extends UserRecord = UserRecord>(db: LookupDatabase, names: LookupCollections): UserLookup<U> {
  const _ = db.command;
  return {
    async findUsersByIdentity(keys) {
      if (keys.length === 0) return [];
      const [{ data: users }, { data: identities }] = await Promise.all([
        orEmpty(
          () =>
            db
              .collection(names.users)
              .where({ identityKeys: _.in(keys) })
              .limit(MAX_MATCHES)
              .get(),
          { data: [] },
        ),
        orEmpty(
          () =>
            db
              .collection(names.identities)
              .where({ _id: _.in(keys) })
              .limit(MAX_MATCHES)
              .get(),
          { data: [] },
        ),
      ]);
      const vouched = new Set(
        identities.filter((doc) => typeof doc.userId === 'string' && !isClientWritten(doc)).map((doc) => doc.userId as string),
      );
      return users.map((doc) => asUser<U>(doc)).filter((user): user is U => user !== null && isTrustedUser(user, vouched));
    },
    async getUser(id) {
      const { data } = await orEmpty(() => db.collection(names.users).doc(id).get(), { data: null });
      return asUser<U>(data);
    },
  };
}
