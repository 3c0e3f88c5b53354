/**
 * The current user is true in every function, at every moment: a team's own protected function
 * (fixtures/favorites-function.ts, written the way the README shows) runs as TWO warm instances —
 * each its own protectedFunction, so each its own caller cache — through the unmodified
 * wx-server-sdk against the local emulator, while the login function (its actions in this process,
 * with the team's collection added to PER_USER_COLLECTIONS as the README says) links, unlinks and
 * deletes accounts, and an operator bans one. For each change: a read and a write on both
 * instances before it, racing it, and right after it; then what is stored is checked. A write held
 * in flight across a deletion or a link shows the after-write check at work, with no timing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EJSON } from 'bson';
import cloud from 'wx-server-sdk';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import type { Result } from '../../../typings/contract';
import { createCloudServices, type CloudServicesSdk } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { collectionNamesFrom, createCloudbaseStore, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { handle } from '../../../cloudfunctions/login/src/handler';
import type { Deps } from '../../../cloudfunctions/login/src/ports';
import { readWxIdentity } from '../src/identity';
import type { WxServerSdkLike } from '../src/protected-function';
import { createUserDataStore, PER_USER_COLLECTIONS, type PerUserCollection } from '../src/user-data';
import { FAVORITES, favoritesFunction } from './fixtures/favorites-function';

let emulator: Emulator;
const saved = { ...process.env };
let loginDeps: Deps;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, onFunctionOutput: () => undefined });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: process.env.TCB_ENV ?? '' });
  // The team's one line (README 「按用户存放的数据」): deletion and linking now cover favorites.
  (PER_USER_COLLECTIONS as PerUserCollection[]).push(FAVORITES);
  await emulator.database.importCollection('favorites', '');
  const db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as DatabaseLike;
  loginDeps = {
    store: createCloudbaseStore(db, collectionNamesFrom(process.env), () => undefined),
    userData: createUserDataStore(db as never),
    ...createCloudServices(cloud as unknown as CloudServicesSdk, () => new Date()),
    now: () => new Date(),
    newId: () => randomUUID().replace(/-/g, ''),
    randomToken: () => randomBytes(32).toString('base64url'),
    warn: () => undefined,
    error: () => undefined,
  };
});

afterAll(async () => {
  (PER_USER_COLLECTIONS as PerUserCollection[]).splice(PER_USER_COLLECTIONS.indexOf(FAVORITES), 1);
  await emulator?.close();
  process.env = saved;
});

type Context = { OPENID: string; APPID: string; UNIONID?: string };

function contextOf(caller: Caller): Context {
  return { OPENID: caller.openid ?? '', APPID: caller.appid ?? '', ...(caller.unionid ? { UNIONID: caller.unionid } : {}) };
}

/** One warm instance of the favorites function: its own main, so its own caller cache. */
function startInstance(beforeWrite?: () => Promise<void>) {
  let current: Context = { OPENID: '', APPID: '' };
  const sdk: WxServerSdkLike = {
    init: () => undefined,
    getWXContext: () => current,
    database: (options) => cloud.database(options as Parameters<typeof cloud.database>[0]),
    DYNAMIC_CURRENT_ENV: cloud.DYNAMIC_CURRENT_ENV,
  };
  const main = favoritesFunction(sdk, beforeWrite);
  return (caller: Caller, event: Record<string, unknown>) => {
    // main reads getWXContext synchronously, before its first await: one context per call.
    current = contextOf(caller);
    return main(event) as Promise<Result<Record<string, unknown>>>;
  };
}
type Instance = ReturnType<typeof startInstance>;

let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-current-app', unionid: `u-${name}-${people}` };
}

async function login(caller: Caller, event: Record<string, unknown> = { action: 'login' }): Promise<Result<Record<string, unknown>>> {
  const env = process.env.TCB_ENV ?? '';
  return (await handle(event, readWxIdentity(contextOf(caller)), loginDeps, { env })) as Result<Record<string, unknown>>;
}

function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

function codeOf(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.code;
}

async function signUp(caller: Caller): Promise<string> {
  return (dataOf(await login(caller)).user as { id: string }).id;
}

function favoritesOf(owner: string): string[] {
  return emulator.database
    .documents('favorites')
    .filter((doc) => doc.owner === owner)
    .map((doc) => String(doc.itemId))
    .sort();
}

/** Owners of every favorite stored, that no live, unmerged account is: data nobody reaches. */
function unreachableOwners(): string[] {
  const live = new Set(
    emulator.database
      .documents('users')
      .filter((doc) => doc.status !== 'merged' && doc.status !== 'deleting')
      .map((doc) => String(doc._id)),
  );
  return [...new Set(emulator.database.documents('favorites').map((doc) => String(doc.owner)))].filter((owner) => !live.has(owner));
}

async function patch(collection: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = emulator.database.documents(collection).find((doc) => doc._id === id);
  if (!current) throw new Error(`${collection}/${id} does not exist`);
  await emulator.database.importCollection(collection, EJSON.stringify({ ...current, ...fields }, { relaxed: false }));
}

/** Two warm instances that both resolved `caller` already (a read on each). */
async function warmPair(caller: Caller): Promise<[Instance, Instance]> {
  const pair: [Instance, Instance] = [startInstance(), startInstance()];
  for (const instance of pair) dataOf(await instance(caller, { action: 'list' }));
  return pair;
}

/** A read and a write on each instance, all at once. */
function readsAndWrites(pair: [Instance, Instance], caller: Caller, tag: string, hint?: string) {
  const withHint = hint === undefined ? {} : { accountHint: hint };
  return Promise.all([
    pair[0](caller, { action: 'list', ...withHint }),
    pair[0](caller, { action: 'add', itemId: `${tag}-a`, ...withHint }),
    pair[1](caller, { action: 'list', ...withHint }),
    pair[1](caller, { action: 'add', itemId: `${tag}-b`, ...withHint }),
  ]);
}

async function linkOffer(owner: Caller, newcomer: Caller, phone: string): Promise<string> {
  dataOf(await login(owner, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) }));
  const offer = await login(newcomer, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) });
  if (offer.ok || offer.error.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error('no link offer');
  return (offer.error.details as { ticket: string }).ticket;
}

describe('注销 (deleteAccount) around two warm instances', () => {
  it('before, during and right after: nothing written for the person outlives the deletion; later writes are refused', async () => {
    const leaving = person('leaving');
    const id = await signUp(leaving);
    const pair = await warmPair(leaving);
    expect((await readsAndWrites(pair, leaving, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(favoritesOf(id)).toEqual(['before-a', 'before-b']);

    const [deleted, during] = await Promise.all([
      login(leaving, { action: 'deleteAccount', confirm: true }),
      readsAndWrites(pair, leaving, 'during'),
    ]);
    dataOf(deleted);
    for (const result of during) expect(['ok', 'USER_NOT_FOUND']).toContain(codeOf(result));

    const after = await readsAndWrites(pair, leaving, 'after');
    expect([codeOf(after[1]), codeOf(after[3])]).toEqual(['USER_NOT_FOUND', 'USER_NOT_FOUND']);
    // A read on a warm instance may still answer for the deleted id within 60 s: nothing of it is left.
    for (const read of [after[0], after[2]]) if (read.ok) expect(read.data).toEqual({ itemIds: [] });
    expect(favoritesOf(id)).toEqual([]);
    expect(unreachableOwners()).toEqual([]);
  });

  it('a write already in flight when the deletion commits is removed, and answers USER_NOT_FOUND', async () => {
    const leaving = person('in-flight');
    const id = await signUp(leaving);
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const atWrite = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const held = startInstance(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          reached();
        }),
    );

    const write = held(leaving, { action: 'add', itemId: 'late' });
    await atWrite; // resolved as the live account, about to write
    dataOf(await login(leaving, { action: 'deleteAccount', confirm: true }));
    release();

    expect(codeOf(await write)).toBe('USER_NOT_FOUND');
    expect(favoritesOf(id)).toEqual([]);
    expect(unreachableOwners()).toEqual([]);
  });

  it('a failed request of the after-write repair is retried: the late write still goes', async () => {
    const leaving = person('in-flight-fault');
    const id = await signUp(leaving);
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const atWrite = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const held = startInstance(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          reached();
        }),
    );

    const write = held(leaving, { action: 'add', itemId: 'late' });
    await atWrite;
    dataOf(await login(leaving, { action: 'deleteAccount', confirm: true }));
    const fault = emulator.faults.add({
      action: 'database.removeDocument',
      collection: 'favorites',
      times: 1,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected removal failure' },
    });
    release();
    const answer = await write;
    fault.remove();

    expect(codeOf(answer)).toBe('USER_NOT_FOUND');
    expect(favoritesOf(id)).toEqual([]);
  });

  it('the device that deleted reads its new account on the next call, on either warm instance', async () => {
    const leaving = person('new-start');
    const oldId = await signUp(leaving);
    const pair = await warmPair(leaving);
    dataOf(await pair[0](leaving, { action: 'add', itemId: 'old' }));
    dataOf(await login(leaving, { action: 'deleteAccount', confirm: true }));
    const newId = await signUp(leaving);
    expect(newId).not.toBe(oldId);

    expect(dataOf(await pair[0](leaving, { action: 'add', itemId: 'new', accountHint: newId }))).toEqual({ added: true });
    for (const instance of pair)
      expect(dataOf(await instance(leaving, { action: 'list', accountHint: newId }))).toEqual({ itemIds: ['new'] });
    expect(favoritesOf(newId)).toEqual(['new']);
    expect(favoritesOf(oldId)).toEqual([]);
  });
});

describe('关联 (confirmLink) around two warm instances', () => {
  it('before, during and right after: every write ends in the joined account; the device that linked sees the merged data at once', async () => {
    const owner = person('owner');
    const ownerId = await signUp(owner);
    dataOf(await startInstance()(owner, { action: 'add', itemId: 'owner-item' }));
    const newcomer = person('newcomer');
    const newcomerId = await signUp(newcomer);
    const ticket = await linkOffer(owner, newcomer, '13900000101');
    const pair = await warmPair(newcomer);
    expect((await readsAndWrites(pair, newcomer, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const [linked, during] = await Promise.all([
      login(newcomer, { action: 'confirmLink', ticket }),
      readsAndWrites(pair, newcomer, 'during'),
    ]);
    expect((dataOf(linked).user as { id: string }).id).toBe(ownerId);
    for (const write of [during[1], during[3]]) expect(codeOf(write)).toBe('ok');

    // The device that linked names the account it joined: both instances read it afresh.
    const after = await readsAndWrites(pair, newcomer, 'after', ownerId);
    expect(after.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const everything = ['after-a', 'after-b', 'before-a', 'before-b', 'during-a', 'during-b', 'owner-item'];
    expect(favoritesOf(ownerId)).toEqual(everything);
    expect(favoritesOf(newcomerId)).toEqual([]);
    const seen = await pair[1](newcomer, { action: 'list', accountHint: ownerId });
    expect(dataOf(seen)).toEqual({ itemIds: everything });
    expect(unreachableOwners()).toEqual([]);
  });

  it('a write in flight while the link commits and moves the data is moved after it, into the joined account', async () => {
    const owner = person('owner-late');
    const ownerId = await signUp(owner);
    const newcomer = person('newcomer-late');
    const newcomerId = await signUp(newcomer);
    const ticket = await linkOffer(owner, newcomer, '13900000102');
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const atWrite = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const held = startInstance(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          reached();
        }),
    );

    const write = held(newcomer, { action: 'add', itemId: 'late' });
    await atWrite;
    dataOf(await login(newcomer, { action: 'confirmLink', ticket }));
    release();

    expect(dataOf(await write)).toEqual({ added: true });
    expect(favoritesOf(newcomerId)).toEqual([]);
    expect(favoritesOf(ownerId)).toEqual(['late']);
  });
});

describe('解绑 (unlinkIdentity) around two warm instances', () => {
  it('after this WeChat is unlinked, no instance writes into the account it left; its new account starts empty', async () => {
    const caller = person('unlinked');
    const accountId = await signUp(caller);
    dataOf(await login(caller, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700000201') }));
    const pair = await warmPair(caller);
    expect((await readsAndWrites(pair, caller, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const { identities } = dataOf(await login(caller, { action: 'listIdentities' })) as { identities: Array<{ id: string; kind: string }> };
    const wechat = identities.find((identity) => identity.kind === 'wechat')?.id;

    const [unlinked, during] = await Promise.all([
      login(caller, { action: 'unlinkIdentity', identityId: wechat }),
      readsAndWrites(pair, caller, 'during'),
    ]);
    expect(dataOf(unlinked).signedOut).toBe(true);
    for (const result of during) expect(['ok', 'USER_NOT_FOUND']).toContain(codeOf(result));
    const kept = favoritesOf(accountId);

    const after = await readsAndWrites(pair, caller, 'after');
    expect([codeOf(after[1]), codeOf(after[3])]).toEqual(['USER_NOT_FOUND', 'USER_NOT_FOUND']);
    expect(favoritesOf(accountId)).toEqual(kept);

    // The device signs in again (a new account) and names it: both instances answer the new account.
    const newId = await signUp(caller);
    expect(newId).not.toBe(accountId);
    for (const instance of pair) expect(dataOf(await instance(caller, { action: 'list', accountHint: newId }))).toEqual({ itemIds: [] });
    expect(unreachableOwners()).toEqual([]);
  });
});

describe('封禁 (an operator bans the account) around two warm instances', () => {
  it('from the moment the ban is stored, neither instance writes; a write racing it is kept in the account or refused', async () => {
    const caller = person('banned');
    const id = await signUp(caller);
    const pair = await warmPair(caller);
    expect((await readsAndWrites(pair, caller, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const [, during] = await Promise.all([patch('users', id, { status: 'banned' }), readsAndWrites(pair, caller, 'during')]);
    for (const result of during) expect(['ok', 'USER_BANNED']).toContain(codeOf(result));

    const after = await readsAndWrites(pair, caller, 'after');
    expect([codeOf(after[1]), codeOf(after[3])]).toEqual(['USER_BANNED', 'USER_BANNED']);
    expect(favoritesOf(id).filter((item) => item.startsWith('after'))).toEqual([]);
    // Reads may be answered from a warm cache within the 60 s bound: the person's own data only.
    for (const read of [after[0], after[2]])
      if (read.ok) expect(favoritesOf(id)).toEqual(expect.arrayContaining((read.data.itemIds as string[]) ?? []));
  });
});

describe('the account hint', () => {
  it('can only make an instance read again: a hint naming someone else’s account never answers as them', async () => {
    const victim = person('victim');
    const victimId = await signUp(victim);
    dataOf(await startInstance()(victim, { action: 'add', itemId: 'secret' }));
    const mallory = person('mallory');
    const malloryId = await signUp(mallory);
    const instance = startInstance();
    dataOf(await instance(mallory, { action: 'add', itemId: 'mine' }));

    const hints = [victimId, '', 'x'.repeat(500), 42];
    for (const hint of hints) {
      expect(dataOf(await instance(mallory, { action: 'add', itemId: 'again', accountHint: hint }))).toEqual({ added: true });
      const listed = dataOf(await instance(mallory, { action: 'list', accountHint: hint })).itemIds as string[];
      expect(new Set(listed)).toEqual(new Set(['mine', 'again']));
    }
    expect(favoritesOf(victimId)).toEqual(['secret']);
    expect(favoritesOf(malloryId)).toHaveLength(1 + hints.length);
  });
});
