/**
 * The one resolution rule (requireUser) through the unmodified wx-server-sdk in this process,
 * against the local emulator: accounts are made by the BUILT login function, exactly as the
 * mini-program would make them, then resolved the way every protected function resolves its
 * caller. The cache bound is tested with an injected clock, never a sleep.
 */
import { EJSON } from 'bson';
import cloud from 'wx-server-sdk';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import type { Result } from '../../../typings/contract';
import { createUserLookup, type LookupDatabase } from '../src/cloudbase-lookup';
import { AppError } from '../src/errors';
import { createAuth, createHandler, type Auth } from '../src/protected-function';
import type { WxContextLike } from '../src/identity';
import { createUserCache, USER_CACHE_TTL_MS } from '../src/user-cache';
import { createUserDataStore, PER_USER_COLLECTIONS, type UserDataDatabase } from '../src/user-data';

let emulator: Emulator;
let db: LookupDatabase;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, onFunctionOutput: () => undefined });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: process.env.TCB_ENV ?? '' });
  db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as LookupDatabase;
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

const names = { users: 'users', identities: 'identities' };
let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-auth-app', unionid: `u-${name}-${people}` };
}

function contextOf(caller: Caller): WxContextLike {
  return { OPENID: caller.openid, APPID: caller.appid, ...(caller.unionid ? { UNIONID: caller.unionid } : {}) };
}

async function login(caller: Caller, data: Record<string, unknown> = { action: 'login' }): Promise<Record<string, unknown>> {
  const invocation = await emulator.callFunction('login', data, caller);
  const result = invocation.result as Result<Record<string, unknown>>;
  if (!result.ok) throw new Error(`login ${String(data.action)}: ${result.error.code}`);
  return result.data;
}

async function signUp(caller: Caller): Promise<string> {
  return ((await login(caller)).user as { id: string }).id;
}

/** Changes fields of a stored document behind the functions' backs (an admin in the console). */
async function patch(collection: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = emulator.database.documents(collection).find((doc) => doc._id === id);
  if (!current) throw new Error(`${collection}/${id} does not exist`);
  await emulator.database.importCollection(collection, EJSON.stringify({ ...current, ...fields }, { relaxed: false }));
}

function userData() {
  return createUserDataStore(db as unknown as UserDataDatabase, PER_USER_COLLECTIONS, {});
}

function uncached(): Auth {
  return createAuth({ lookup: createUserLookup(db, names), userData: userData(), cache: null });
}

const READ = { access: 'read' } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('requireUser resolves the caller with login’s rule', () => {
  it('given an openid-only user (no open platform), answers its id and public fields', async () => {
    const caller = { openid: `o-solo-${++people}`, appid: 'wx-auth-app' };
    const id = await signUp(caller);
    const current = await uncached().requireUser(contextOf(caller));
    expect(current.id).toBe(id);
    expect(current.user).toMatchObject({ id, nickName: '', hasPhone: false, loginCount: 1 });
    expect(Object.keys(current.user).sort()).toEqual(
      ['avatarUrl', 'createdAt', 'hasPhone', 'id', 'lastLoginAt', 'loginCount', 'maskedPhoneNumber', 'nickName'].sort(),
    );
  });

  it('given the same unionid in a second appid, answers the same user, even before that app logged in', async () => {
    const first = person('union');
    const id = await signUp(first);
    const second = { ...first, openid: `${first.openid}-b`, appid: 'wx-auth-second-app' };
    expect((await uncached().requireUser(contextOf(second))).id).toBe(id);
    await signUp(second);
    expect((await uncached().requireUser(contextOf(second))).id).toBe(id);
  });

  it('prefers this app’s openid over the unionid (two accounts of one person are never merged silently)', async () => {
    const appUser = { openid: `o-pref-${++people}`, appid: 'wx-auth-app' };
    const ownId = await signUp(appUser);
    const other = { openid: `o-pref-other-${people}`, appid: 'wx-auth-other', unionid: `u-pref-${people}` };
    const unionUserId = await signUp(other);
    expect(unionUserId).not.toBe(ownId);
    expect((await uncached().requireUser(contextOf({ ...appUser, unionid: other.unionid }))).id).toBe(ownId);
  });

  it('given the key held by a merged account (a login raced the merge), answers the account it was merged into', async () => {
    const target = person('target');
    const targetId = await signUp(target);
    const merged = person('merged');
    const mergedId = await signUp(merged);
    await patch('users', mergedId, { status: 'merged', mergedInto: targetId });
    expect((await uncached().requireUser(contextOf(merged))).id).toBe(targetId);
  });

  it('given a deleted account, answers USER_NOT_FOUND', async () => {
    const caller = person('deleted');
    await signUp(caller);
    await login(caller, { action: 'deleteAccount', confirm: true });
    expect(await codeOf(uncached().requireUser(contextOf(caller)))).toBe('USER_NOT_FOUND');
  });

  it('given this WeChat unlinked from its account, answers USER_NOT_FOUND', async () => {
    const caller = person('unlinked');
    await signUp(caller);
    await login(caller, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700000001') });
    const { identities } = (await login(caller, { action: 'listIdentities' })) as { identities: Array<{ id: string; kind: string }> };
    const wechat = identities.find((identity) => identity.kind === 'wechat');
    const after = await login(caller, { action: 'unlinkIdentity', identityId: wechat?.id });
    expect(after.signedOut).toBe(true);
    expect(await codeOf(uncached().requireUser(contextOf(caller)))).toBe('USER_NOT_FOUND');
  });

  it('given a banned account, answers USER_BANNED', async () => {
    const caller = person('banned');
    const id = await signUp(caller);
    await patch('users', id, { status: 'banned' });
    expect(await codeOf(uncached().requireUser(contextOf(caller)))).toBe('USER_BANNED');
  });

  it('given an account an import wrote and has not activated, answers USER_NOT_FOUND for reads and writes, and after a login the account', async () => {
    const caller = person('importing');
    const id = await signUp(caller);
    await patch('users', id, { status: 'importing', activatesAs: 'active' });
    const cached = createAuth({ lookup: createUserLookup(db, names), userData: userData(), cache: createUserCache() });
    expect(await codeOf(cached.requireUser(contextOf(caller), READ))).toBe('USER_NOT_FOUND');
    expect(await codeOf(cached.requireUser(contextOf(caller)))).toBe('USER_NOT_FOUND');
    await signUp(caller);
    expect((await cached.requireUser(contextOf(caller), READ)).id).toBe(id);
  });

  it('given a WeChat that never logged in, answers USER_NOT_FOUND; given no OPENID, UNAUTHENTICATED', async () => {
    expect(await codeOf(uncached().requireUser(contextOf(person('never'))))).toBe('USER_NOT_FOUND');
    expect(await codeOf(uncached().requireUser({ APPID: 'wx-auth-app' }))).toBe('UNAUTHENTICATED');
  });

  it('given a client-planted users document claiming the victim’s key, does not resolve to it', async () => {
    const victim = person('victim');
    await emulator.database.importCollection(
      'users',
      JSON.stringify({ _id: `planted-${people}`, _openid: 'o-attacker', identityKeys: [`wx-openid:wx-auth-app:${victim.openid}`] }),
    );
    expect(await codeOf(uncached().requireUser(contextOf(victim)))).toBe('USER_NOT_FOUND');
  });
});

describe('the in-instance cache', () => {
  it('answers a warm caller from memory for less than 60 s, then reads again: a ban takes effect within the bound', async () => {
    const caller = person('cached');
    const id = await signUp(caller);
    let nowMs = Date.UTC(2026, 0, 1);
    const now = () => new Date(nowMs);
    const auth = createAuth({
      lookup: createUserLookup(db, names),
      userData: userData(),
      cache: createUserCache({ now: () => nowMs }),
      now,
    });

    expect((await auth.requireUser(contextOf(caller), READ)).id).toBe(id);
    await patch('users', id, { status: 'banned' });

    nowMs += USER_CACHE_TTL_MS - 1;
    expect((await auth.requireUser(contextOf(caller), READ)).id).toBe(id);
    nowMs += 1;
    expect(await codeOf(auth.requireUser(contextOf(caller), READ))).toBe('USER_BANNED');
  });

  it('forgets a user at once in the instance that changed it (forgetUser)', async () => {
    const caller = person('forget');
    const id = await signUp(caller);
    const nowMs = Date.UTC(2026, 0, 1);
    const auth = createAuth({ lookup: createUserLookup(db, names), userData: userData(), cache: createUserCache({ now: () => nowMs }) });
    await auth.requireUser(contextOf(caller), READ);
    await patch('users', id, { status: 'banned' });

    auth.forgetUser(id);

    expect(await codeOf(auth.requireUser(contextOf(caller), READ))).toBe('USER_BANNED');
  });

  it('reads again when the call names another account hint than the entry was read under, once', () => {
    const cache = createUserCache({ now: () => 0 });
    const keys = { openid: 'k', primary: 'k', all: ['k'] };
    cache.set(keys, { _id: 'old' }, 'old');
    expect(cache.get(keys)?._id).toBe('old');
    expect(cache.get(keys, 'old')?._id).toBe('old');
    expect(cache.get(keys, 'new')).toBeUndefined();
    cache.set(keys, { _id: 'new' }, 'new');
    expect(cache.get(keys, 'new')?._id).toBe('new');
  });

  it('a write never answers from the cache: a ban stored a moment ago refuses it at once', async () => {
    const caller = person('write-fresh');
    const id = await signUp(caller);
    const auth = createAuth({
      lookup: createUserLookup(db, names),
      userData: userData(),
      cache: createUserCache({ now: () => 0 }),
      now: () => new Date(0),
    });
    await auth.requireUser(contextOf(caller), READ);
    await patch('users', id, { status: 'banned' });
    expect((await auth.requireUser(contextOf(caller), READ)).id).toBe(id);
    expect(await codeOf(auth.requireUser(contextOf(caller), { access: 'write' }))).toBe('USER_BANNED');
  });

  it('never keeps a refusal: a login after USER_NOT_FOUND is seen by the very next call', async () => {
    const caller = person('late');
    const auth = createAuth({ lookup: createUserLookup(db, names), userData: userData(), cache: createUserCache({ now: () => 0 }) });
    expect(await codeOf(auth.requireUser(contextOf(caller), READ))).toBe('USER_NOT_FOUND');
    const id = await signUp(caller);
    expect((await auth.requireUser(contextOf(caller), READ)).id).toBe(id);
  });

  it('treats an entry from the future (the clock went back) as expired, and stays bounded in size', () => {
    let nowMs = 1_000_000;
    const cache = createUserCache({ now: () => nowMs, maxEntries: 2 });
    const keys = (n: number) => ({ openid: `k${n}`, primary: `k${n}`, all: [`k${n}`] });
    cache.set(keys(1), { _id: 'a' });
    nowMs -= 1;
    expect(cache.get(keys(1))).toBeUndefined();
    cache.set(keys(1), { _id: 'a' });
    cache.set(keys(2), { _id: 'b' });
    cache.set(keys(3), { _id: 'c', mergedInto: 'x' });
    expect(cache.size).toBe(2);
    expect(cache.get(keys(1))).toBeUndefined();
    cache.invalidateUser('x');
    expect(cache.get(keys(3))).toBeUndefined();
  });
});

describe('createHandler (what protectedFunction runs)', () => {
  it('never reads identity from the event and never throws: a failing action answers INTERNAL', async () => {
    const caller = person('handler');
    const id = await signUp(caller);
    const logged: string[] = [];
    const handle = createHandler<{ whoami: { event: object; data: string }; boom: { event: object; data: never } }, null>({
      actions: {
        whoami: async ({ id: userId }) => userId,
        boom: async () => {
          throw new Error('disk on fire');
        },
      },
      auth: uncached(),
      deps: () => null,
      log: { warn: () => undefined, error: (message) => logged.push(message) },
    });

    expect(await handle({ action: 'whoami', userId: 'someone-else', openid: 'o-x', _openid: 'o-x' }, contextOf(caller))).toEqual({
      ok: true,
      data: id,
    });
    expect(await handle({ action: 'boom' }, contextOf(caller))).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'internal error, please retry later' },
    });
    expect(logged).toEqual(['action boom failed']);
  });
});

describe('the per-user collection list (what deleteAccount and confirmLink use)', () => {
  const favorites = { collection: 'favorites', envVariable: 'FAVORITES_COLLECTION', ownerField: 'userId', exportFields: ['_id', 'itemId'] };

  it('a collection added to the list is moved and removed by its owner field, others’ documents untouched', async () => {
    const lines = [
      { _id: 'f1', userId: 'from-user', itemId: 'a' },
      { _id: 'f2', userId: 'from-user', itemId: 'b' },
      { _id: 'f3', userId: 'someone-else', itemId: 'c' },
    ].map((doc) => JSON.stringify(doc));
    await emulator.database.importCollection('favorites', lines.join('\n'));
    const store = createUserDataStore(db as unknown as UserDataDatabase, [...PER_USER_COLLECTIONS, favorites], {});
    const owners = () =>
      emulator.database
        .documents('favorites')
        .map((doc) => `${String(doc._id)}:${String(doc.userId)}`)
        .sort();

    await store.moveAll('from-user', 'to-user');
    expect(owners()).toEqual(['f1:to-user', 'f2:to-user', 'f3:someone-else']);

    // listAll carries the collection's export allow-list for the personal-data export.
    const listed = await store.listAll(['to-user']);
    expect(listed.find((entry) => entry.collection === 'favorites')).toMatchObject({ exportFields: ['_id', 'itemId'] });
    expect(listed.find((entry) => entry.collection === 'favorites')?.documents).toHaveLength(2);

    await store.removeAll(['to-user', 'another-merged-account']);
    expect(owners()).toEqual(['f3:someone-else']);
  });

  it('a listed collection nobody wrote to yet is no error (notes before the first note)', async () => {
    const store = createUserDataStore(db as unknown as UserDataDatabase, [{ ...favorites, collection: 'never_created' }], {});
    await expect(store.moveAll('a', 'b')).resolves.toBeUndefined();
    await expect(store.removeAll(['a'])).resolves.toBeUndefined();
  });

  it('reads each collection’s name from its environment variable, as the functions’ envVariables set it', async () => {
    await emulator.database.importCollection('renamed_favorites', JSON.stringify({ _id: 'r1', userId: 'gone' }));
    const store = createUserDataStore(db as unknown as UserDataDatabase, [favorites], { FAVORITES_COLLECTION: 'renamed_favorites' });
    await store.removeAll(['gone']);
    expect(emulator.database.documents('renamed_favorites')).toEqual([]);
  });
});
