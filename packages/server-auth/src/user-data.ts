/**
 * The ONE list of collections that hold per-user data, with the field naming the owner (a user
 * id, never an openid). deleteAccount removes every document of the deleted accounts from each
 * collection listed here; confirmLink moves the documents of the account it links to the account
 * it joins. A team adding a function that keeps data per user adds one entry here (and the
 * collection to cloudbaserc.json, ADMINONLY, with an index on the owner field): deletion and
 * linking then cover it with no other change.
 *
 * These are queries (by owner), which CloudBase does not run inside a transaction: they run after
 * the account change committed. Both are idempotent, so running them again is harmless.
 */
import { isCollectionMissingError } from './cloudbase-errors';

export interface PerUserCollection {
  /** The default collection name. */
  collection: string;
  /** The environment variable that overrides the name (the function's envVariables). */
  envVariable: string;
  /** The field holding the owner's user id. */
  ownerField: string;
  /**
   * The fields of a document the person's export (下载我的信息) holds — an allow-list, so a field
   * added later, a secret or someone else's identifier never reaches it by accident. Inside them,
   * secret- and identifier-named fields are left out at any depth (the login function's rule).
   */
  exportFields: readonly string[];
}

export const PER_USER_COLLECTIONS: readonly PerUserCollection[] = [
  /** cloudfunctions/notes: 我的笔记. */
  { collection: 'notes', envVariable: 'NOTES_COLLECTION', ownerField: 'owner', exportFields: ['_id', 'text', 'createdAt', 'updatedAt'] },
];

/** The collection's name in this environment. */
export function collectionName(entry: PerUserCollection, env: NodeJS.ProcessEnv = process.env): string {
  return env[entry.envVariable] || entry.collection;
}

/** The documents one person owns in one per-user collection. */
export interface UserDataDocuments {
  /** The collection's default name (PerUserCollection.collection), the same in every environment. */
  collection: string;
  /** The fields an export holds of each document (PerUserCollection.exportFields). */
  exportFields: readonly string[];
  documents: Array<Record<string, unknown>>;
}

/** What deleteAccount, confirmLink and exportMyData do with per-user data. */
export interface UserDataStore {
  /** Every document owned by any of `userIds`, per collection in PER_USER_COLLECTIONS order (exportMyData). */
  listAll(userIds: string[]): Promise<UserDataDocuments[]>;
  /** Gives every document owned by `fromUserId` to `toUserId`. */
  moveAll(fromUserId: string, toUserId: string): Promise<void>;
  /** Removes every document owned by any of `userIds`. */
  removeAll(userIds: string[]): Promise<void>;
}

interface UserDataQuery {
  update(options: { data: Record<string, unknown> }): Promise<unknown>;
  remove(): Promise<unknown>;
  orderBy(field: string, direction: 'asc' | 'desc'): UserDataQuery;
  skip(offset: number): UserDataQuery;
  limit(count: number): UserDataQuery;
  get(): Promise<{ data: Array<Record<string, unknown>> }>;
}

/** The most documents one server-side read answers (CloudBase's limit). */
const PAGE_SIZE = 1000;

/** The part of wx-server-sdk's database used here; `cloud.database()` satisfies it. */
export interface UserDataDatabase {
  collection(name: string): { where(condition: unknown): UserDataQuery };
  command: { in(values: unknown[]): unknown };
}

async function unlessMissing(operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    // A collection nobody wrote to yet holds nobody's data.
    if (!isCollectionMissingError(error)) throw error;
  }
}

/** Every document of the query, page by page in `_id` order (a missing collection has none). */
async function readAll(query: () => UserDataQuery): Promise<Array<Record<string, unknown>>> {
  const documents: Array<Record<string, unknown>> = [];
  for (;;) {
    let page: Array<Record<string, unknown>> = [];
    await unlessMissing(async () => {
      page = (await query().orderBy('_id', 'asc').skip(documents.length).limit(PAGE_SIZE).get()).data;
    });
    documents.push(...page);
    if (page.length < PAGE_SIZE) return documents;
  }
}

export function createUserDataStore(
  db: UserDataDatabase,
  collections: readonly PerUserCollection[] = PER_USER_COLLECTIONS,
  env: NodeJS.ProcessEnv = process.env,
): UserDataStore {
  const _ = db.command;
  return {
    async listAll(userIds) {
      return Promise.all(
        collections.map(async (entry) => ({
          collection: entry.collection,
          exportFields: entry.exportFields,
          documents:
            userIds.length === 0
              ? []
              : await readAll(() => db.collection(collectionName(entry, env)).where({ [entry.ownerField]: _.in(userIds) })),
        })),
      );
    },
    async moveAll(fromUserId, toUserId) {
      if (fromUserId === toUserId) return;
      await Promise.all(
        collections.map((entry) =>
          unlessMissing(() =>
            db
              .collection(collectionName(entry, env))
              .where({ [entry.ownerField]: fromUserId })
              .update({ data: { [entry.ownerField]: toUserId } }),
          ),
        ),
      );
    },
    async removeAll(userIds) {
      if (userIds.length === 0) return;
      await Promise.all(
        collections.map((entry) =>
          unlessMissing(() =>
            db
              .collection(collectionName(entry, env))
              .where({ [entry.ownerField]: _.in(userIds) })
              .remove(),
          ),
        ),
      );
    },
  };
}
