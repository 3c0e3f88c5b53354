/**
 * UserStore on the CloudBase database, through wx-server-sdk. The only module that touches the
 * database. Collections that do not exist yet are created on first use: CloudBase answers
 * DATABASE_COLLECTION_NOT_EXIST until someone creates them, and no setup step may be required.
 */
import type { IdentityKeys } from '../rules/identity';
import { collectionCreatedWarning, isClientWritten } from './client-written';
import { isCollectionExistsError, isCollectionMissingError, isDuplicateKeyError } from './cloudbase-errors';
import type { LoginStamp, StampAndFindResult, UserDoc, UserPatch, UserStore } from '../store/user-store';

/**
 * The part of wx-server-sdk's database we use, typed precisely (the SDK's own typings return
 * `Promise | void | string` for callback overloads). `cloud.database()` satisfies it.
 */
export interface DatabaseLike {
  collection(name: string): CollectionLike;
  createCollection(name: string): Promise<unknown>;
  command: CommandLike;
}
type Data = Record<string, unknown>;
interface QueryLike {
  get(): Promise<{ data: Data[] }>;
  update(options: { data: Data }): Promise<{ stats: { updated: number } }>;
  limit(count: number): QueryLike;
}
interface CollectionLike extends QueryLike {
  where(condition: unknown): QueryLike;
  add(options: { data: Data }): Promise<{ _id: string | number }>;
  doc(id: string): {
    get(): Promise<{ data: Data | null | undefined }>;
    update(options: { data: Data }): Promise<{ stats: { updated: number } }>;
    remove(): Promise<{ stats: { removed: number } }>;
  };
}
interface CommandLike {
  or(conditions: unknown[]): unknown;
  and(conditions: unknown[]): unknown;
  exists(present: boolean): unknown;
  in(values: unknown[]): unknown;
  nin(values: unknown[]): unknown;
  inc(value: number): unknown;
  remove(): unknown;
  addToSet(value: unknown): unknown;
  pullAll(values: unknown[]): unknown;
}

export interface CollectionNames {
  users: string;
  identities: string;
}

/** At most this many documents can claim one person; more would be a data problem, not a login. */
const MAX_MATCHES = 20;

export function createCloudbaseUserStore(
  db: DatabaseLike,
  names: CollectionNames,
  warn: (message: string) => void = () => undefined,
): UserStore {
  const _ = db.command;
  const users = () => db.collection(names.users);
  const identities = () => db.collection(names.identities);

  /** Runs `operation`; on a missing collection creates it (racing creators are fine) and runs it again. */
  async function inCollection<T>(name: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!isCollectionMissingError(error)) throw error;
      await db.createCollection(name).then(
        () => warn(collectionCreatedWarning(name)),
        (createError: unknown) => {
          if (!isCollectionExistsError(createError)) throw createError;
        },
      );
      return operation();
    }
  }

  /** Insert that reports a duplicate `_id` as false instead of an error. */
  async function insertUnlessExists(collection: string, data: Data): Promise<boolean> {
    try {
      await inCollection(collection, () => db.collection(collection).add({ data }));
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  function loginFields(stamp: LoginStamp): Data {
    return { lastLoginAt: stamp.at, loginCount: _.inc(1), lastLoginId: stamp.id };
  }

  return {
    async stampAndFind(keys: IdentityKeys, legacyOpenid: string, stamp: LoginStamp): Promise<StampAndFindResult> {
      const [update, found] = await Promise.all([
        inCollection(names.users, () =>
          users()
            .where({ identityKeys: keys.openid, status: _.nin(['banned', 'merged']) })
            .update({ data: loginFields(stamp) }),
        ),
        inCollection(names.users, () =>
          users()
            .where(_.or([{ identityKeys: _.in(keys.all) }, { _openid: legacyOpenid }, { openid: legacyOpenid }]))
            .limit(MAX_MATCHES)
            .get(),
        ),
      ]);
      return { users: found.data as UserDoc[], stamped: update.stats.updated > 0 };
    },

    async claimIdentity(key: string, userId: string, at: Date): Promise<string> {
      const provider = key.slice(0, key.indexOf(':'));
      if (await insertUnlessExists(names.identities, { _id: key, userId, provider, createdAt: at })) return userId;
      const { data } = await identities().doc(key).get();
      if (isClientWritten(data)) {
        // Fail closed: trusting it would let anyone who can write the collection take over this identity.
        throw new Error(`identity ${key.slice(0, key.indexOf(':'))} document was written by a client: the ${names.identities} collection must be ADMINONLY`);
      }
      const owner = data?.userId;
      if (typeof owner !== 'string') throw new Error(`identity ${key.slice(0, key.indexOf(':'))} document exists without a userId`);
      return owner;
    },

    async reassignIdentity(key: string, fromUserId: string, toUserId: string, at: Date): Promise<boolean> {
      const { stats } = await identities()
        .where({ _id: key, userId: fromUserId })
        .update({ data: { userId: toUserId, movedFrom: fromUserId, movedAt: at } });
      return stats.updated > 0;
    },

    insertUser(user: UserDoc): Promise<boolean> {
      return insertUnlessExists(names.users, user);
    },

    async getUser(id: string): Promise<UserDoc | null> {
      const { data } = await inCollection(names.users, () => users().doc(id).get());
      return data ? (data as UserDoc) : null;
    },

    async updateUser(id: string, patch: UserPatch): Promise<boolean> {
      const data: Data = { ...patch.set };
      if (patch.stamp) Object.assign(data, loginFields(patch.stamp));
      if (patch.addIdentityKeys) data.identityKeys = _.addToSet({ $each: patch.addIdentityKeys });
      if (patch.removeIdentityKeys) data.identityKeys = _.pullAll(patch.removeIdentityKeys);
      if (patch.noteKeysHeldElsewhere) data.keysHeldElsewhere = _.addToSet({ $each: patch.noteKeysHeldElsewhere });
      for (const field of patch.remove ?? []) data[field] = _.remove();
      if (Object.keys(data).length === 0) return (await this.getUser(id)) !== null;
      const { stats } = await inCollection(names.users, () => users().doc(id).update({ data }));
      return stats.updated > 0;
    },

    async scrubLegacyDocuments(openid: string, fields: readonly string[]): Promise<void> {
      const data: Data = Object.fromEntries(fields.map((field) => [field, _.remove()]));
      await users()
        .where(_.and([_.or([{ _openid: openid }, { openid }]), { identityKeys: _.exists(false) }]))
        .update({ data });
    },

    async removeUser(id: string): Promise<void> {
      await users().doc(id).remove();
    },
  };
}
