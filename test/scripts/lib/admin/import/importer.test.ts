/**
 * The importer racing the people it imports: the BUILT login function, run by the local emulator
 * through the unmodified wx-server-sdk, signs a person in (and deletes their account) at chosen
 * points of an import — between the import's read and its first write, between its claims and its
 * users. The points are chosen by holding the importer's write until the login has answered, so
 * every interleaving is exact, not a matter of timing.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import type { Result } from '../../../../../typings/contract';
import { collectionNamesFrom } from '../../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { type ImportDatabase, importPeople, type ImportReport } from '../../../../../scripts/lib/admin/import/importer';
import { SOURCE_READERS, type SourceName } from '../../../../../scripts/lib/admin/import/sources';
import { cleanupByAdmin } from '../../../../../scripts/lib/admin/cleanup';
import type { DatabaseLike } from '../../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { CloudServicesSdk } from '../../../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { holdingAt, holdingFirst } from '../../../support/holding-database';

const APPID = 'wx-import-race-app';
const saved = { ...process.env };
let emulator: Emulator;

type Data = Record<string, unknown>;

beforeAll(async () => {
  // Only users exists, as the scenario assumes, not every collection cloudbaserc.json declares.
  emulator = await createEmulator({ memory: true, deployDeclaredCollections: false });
  Object.assign(process.env, emulator.sdkEnv());
  delete process.env.USERS_COLLECTION;
  delete process.env.IDENTITIES_COLLECTION;
  cloud.init({ env: emulator.env });
  await cloud.database().createCollection('users');
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

let people = 0;

interface Person {
  sourceId: string;
  openid: string;
  unionid: string;
  nickName: string;
  phone: string;
  keys: string[];
}

/** A new person of the source system, with a unionid and a verified phone (each test its own). */
function person(): Person {
  people += 1;
  const n = String(people).padStart(4, '0');
  const openid = `oRace${n}`;
  const unionid = `uRace${n}`;
  const phone = `1390000${n}`;
  return {
    sourceId: `race${n}`,
    openid,
    unionid,
    nickName: `赛跑者${n}`,
    phone,
    keys: [`wx-unionid:${unionid}`, `wx-openid:${APPID}:${openid}`, `phone:+86:${phone}`],
  };
}

/** The person as the source's export stores them. */
function record(source: SourceName, who: Person): Data {
  return source === 'leancloud'
    ? {
        objectId: who.sourceId,
        nickName: who.nickName,
        authData: { lc_weapp: { openid: who.openid, unionid: who.unionid, session_key: 'c2VjcmV0' } },
        mobilePhoneNumber: who.phone,
        mobilePhoneVerified: true,
      }
    : {
        _id: who.sourceId,
        nickname: who.nickName,
        wx_openid: { 'mp-weixin': who.openid },
        wx_unionid: who.unionid,
        mobile: who.phone,
        mobile_confirmed: 1,
      };
}

/** The database whose first write (to `collection`, any when absent) waits for `meanwhile`. */
function holdingFirstWrite(meanwhile: () => Promise<void>, collection?: string): ImportDatabase {
  return holdingFirst<ImportDatabase>(meanwhile, { method: 'add', ...(collection ? { collection } : {}) });
}

async function importWith(db: ImportDatabase, source: SourceName, who: Person[]): Promise<ImportReport> {
  return importPeople(
    db,
    collectionNamesFrom({}),
    who.map((one) => SOURCE_READERS[source](record(source, one))),
    {
      source,
      appid: APPID,
      dryRun: false,
      fallbackCreatedAt: new Date('2026-12-02T00:00:00Z'),
    },
  );
}

async function call(who: Person, action: string, payload: Data = {}): Promise<Result<Data>> {
  const invocation = await emulator.callFunction(
    'login',
    { ...payload, action },
    { appid: APPID, openid: who.openid, unionid: who.unionid },
  );
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return invocation.result as Result<Data>;
}

async function login(who: Person): Promise<{ id: string; nickName: string; isNewUser: boolean }> {
  const result = await call(who, 'login');
  if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
  const { user, isNewUser } = result.data as { user: { id: string; nickName: string }; isNewUser: boolean };
  return { id: user.id, nickName: user.nickName, isNewUser };
}

const users = () => emulator.database.documents('users');
const identities = () => emulator.database.documents('identities');

/** Every account that lists one of the person's keys, holds their imported nickname or their phone. */
function homesOf(who: Person): string[] {
  return users()
    .filter(
      (user) =>
        (Array.isArray(user.identityKeys) && user.identityKeys.some((key) => who.keys.includes(key as string))) ||
        user.nickName === who.nickName ||
        (user.boundPhone as { purePhoneNumber?: string } | undefined)?.purePhoneNumber === who.phone,
    )
    .map((user) => String(user._id));
}

/** Where each of the person's identity documents points (absent ones left out). */
function claimsOf(who: Person): Record<string, unknown> {
  return Object.fromEntries(identities().flatMap((doc) => (who.keys.includes(String(doc._id)) ? [[doc._id, doc.userId]] : [])));
}

describe.each<SourceName>(['leancloud', 'uni-id'])('import %s racing a first login', (source) => {
  const imported = (who: Person) => `${source === 'leancloud' ? 'lc' : 'uni'}-${who.sourceId}`;

  it('given a first login between the import reading and writing, the person keeps the one account the login made', async () => {
    const racer = person();
    const bystander = person();
    let first = { id: '', nickName: '', isNewUser: false };
    const report = await importWith(
      holdingFirstWrite(async () => {
        first = await login(racer);
      }),
      source,
      [racer, bystander],
    );

    expect(first.isNewUser).toBe(true);
    expect(report).toMatchObject({ imported: 1, alreadyPresent: 0 });
    expect(report.conflicts).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining(first.id) }]);
    expect(homesOf(racer)).toEqual([first.id]);
    expect(claimsOf(racer)).toEqual({ [racer.keys[0] as string]: first.id, [racer.keys[1] as string]: first.id });
    expect(await login(racer)).toMatchObject({ id: first.id, isNewUser: false });
    // The rest of the file is imported as usual.
    expect(homesOf(bystander)).toEqual([imported(bystander)]);
  });

  it('given that race, after the person deletes the account (注销) their next login starts afresh, never in an imported account', async () => {
    const racer = person();
    let first = { id: '', nickName: '', isNewUser: false };
    await importWith(
      holdingFirstWrite(async () => {
        first = await login(racer);
      }),
      source,
      [racer],
    );
    expect((await call(racer, 'deleteAccount', { confirm: true })).ok).toBe(true);
    expect(homesOf(racer)).toEqual([]);

    const next = await login(racer);
    expect(next).toMatchObject({ isNewUser: true, nickName: '' });
    expect(next.id).not.toBe(first.id);
    expect(next.id).not.toBe(imported(racer));
    expect(homesOf(racer)).toEqual([next.id]);
  });
});

// Past the claims, what happens no longer depends on the source's format: one source is enough.
describe('import racing the login after its claims', () => {
  const source: SourceName = 'leancloud';
  const imported = (who: Person) => `lc-${who.sourceId}`;

  it('given a login that meets the import claim before its user exists, the person signs in to the imported account, completed', async () => {
    const racer = person();
    let first = { id: '', nickName: '', isNewUser: false };
    const report = await importWith(
      holdingFirstWrite(async () => {
        first = await login(racer);
      }, 'users'),
      source,
      [racer],
    );

    expect(first.id).toBe(imported(racer));
    expect(report).toMatchObject({ imported: 1, conflicts: [] });
    expect(homesOf(racer)).toEqual([imported(racer)]);
    expect(claimsOf(racer)).toEqual(Object.fromEntries(racer.keys.map((key) => [key, imported(racer)])));
    const user = users().find((doc) => doc._id === imported(racer));
    expect(user).toMatchObject({
      nickName: racer.nickName,
      identityKeys: expect.arrayContaining(racer.keys),
      boundPhone: expect.objectContaining({ purePhoneNumber: racer.phone }),
      importedFrom: { source, id: racer.sourceId },
      loginCount: 1,
    });
    expect(await login(racer)).toMatchObject({ id: imported(racer), nickName: racer.nickName, isNewUser: false });
  });

  it('given the person signs in and deletes the account between the import claims and its users, nothing of them is left, and a re-run does not bring it back', async () => {
    const racer = person();
    const report = await importWith(
      holdingFirstWrite(async () => {
        expect((await login(racer)).id).toBe(imported(racer));
        expect((await call(racer, 'deleteAccount', { confirm: true })).ok).toBe(true);
      }, 'users'),
      source,
      [racer],
    );

    expect(report).toMatchObject({ imported: 0 });
    expect(report.conflicts).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining('注销') }]);
    expect(homesOf(racer)).toEqual([]);
    expect(claimsOf(racer)).toEqual({});

    const again = await importWith(
      holdingFirstWrite(async () => undefined),
      source,
      [racer],
    );
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 0 });
    expect(again.skipped).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining('注销') }]);
    expect(homesOf(racer)).toEqual([]);
    const next = await login(racer);
    expect(next.isNewUser).toBe(true);
    expect(homesOf(racer)).toEqual([next.id]);
  });
  it('given that deletion and a crash before the import checks for it, no login signs in to what the crash left and the re-run removes it', async () => {
    const racer = person();
    const crashed = importWith(
      holdingFirstWrite(async () => {
        expect((await login(racer)).id).toBe(imported(racer));
        expect((await call(racer, 'deleteAccount', { confirm: true })).ok).toBe(true);
        // The import's next read of the audit is its check for deletions (step 6): it fails.
        emulator.faults.add({
          action: 'database.getDocument',
          collection: 'account_audit',
          error: { code: 'SYS_ERR', message: 'injected crash' },
        });
      }, 'users'),
      source,
      [racer],
    );
    await expect(crashed).rejects.toThrow('injected crash');
    // What the crash left: the import's user, re-created after the deletion, listing the keys
    // with no claim pointing at it. The person's next login does not sign in to it.
    expect(homesOf(racer)).toEqual([imported(racer)]);
    expect(claimsOf(racer)).toEqual({});
    const next = await login(racer);
    expect(next).toMatchObject({ isNewUser: true, nickName: '' });
    expect(next.id).not.toBe(imported(racer));

    const again = await importWith(
      holdingFirstWrite(async () => undefined),
      source,
      [racer],
    );
    expect(again.skipped).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining('is removed') }]);
    expect(homesOf(racer)).toEqual([next.id]);
    expect(await login(racer)).toMatchObject({ id: next.id, isNewUser: false });
  });
  it('given a crash after the primary claim, a login, then a re-run during which the person deletes the account, nothing of them is left', async () => {
    const racer = person();
    // Run 1 claims the unionid key, then its claim of the other keys fails: it stops there.
    emulator.faults.add({
      action: 'database.insertDocument',
      collection: 'identities',
      nth: 2,
      error: { code: 'SYS_ERR', message: 'injected crash' },
    });
    await expect(
      importWith(
        holdingFirstWrite(async () => undefined),
        source,
        [racer],
      ),
    ).rejects.toThrow('injected crash');
    // The person signs in: the login meets the claim and makes the account under the import id.
    expect((await login(racer)).id).toBe(imported(racer));
    // Run 2 completes it (the phone is still to claim) while the person deletes the account:
    // its phone claim lands after the deletion.
    const report = await importWith(
      holdingFirstWrite(async () => {
        expect((await call(racer, 'deleteAccount', { confirm: true })).ok).toBe(true);
      }, 'identities'),
      source,
      [racer],
    );
    expect(report.conflicts).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining('注销') }]);
    expect(homesOf(racer)).toEqual([]);
    expect(claimsOf(racer)).toEqual({});
  });
});

describe('import finishing what an earlier importer left', () => {
  it('given a user listing keys without claims and a login taking one of them meanwhile, the user stops listing that key', async () => {
    const racer = person();
    const [unionidKey, openidKey] = racer.keys as [string, string];
    // What the importer before claims-first left after a crash: the user, listing keys, no claims.
    await cloud
      .database()
      .collection('users')
      .add({
        data: {
          _id: `lc-${racer.sourceId}`,
          identityKeys: [unionidKey, openidKey],
          status: 'active',
          nickName: racer.nickName,
          avatarUrl: '',
          loginCount: 0,
          importedFrom: { source: 'leancloud', id: racer.sourceId },
        },
      });
    let madeByLogin = '';
    const report = await importWith(
      holdingFirstWrite(async () => {
        // Signed in from a context without the unionid: the openid key is its primary.
        const result = await emulator.callFunction('login', { action: 'login' }, { appid: APPID, openid: racer.openid });
        madeByLogin = (result.result as { data: { user: { id: string } } }).data.user.id;
      }, 'identities'),
      'leancloud',
      [{ ...racer, phone: '' }],
    );

    expect(report.keysLeftOut).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining(madeByLogin) }]);
    expect(users().find((user) => user._id === `lc-${racer.sourceId}`)).toMatchObject({
      identityKeys: [unionidKey],
      keysHeldElsewhere: [openidKey],
    });
    expect(claimsOf(racer)).toEqual({ [unionidKey]: `lc-${racer.sourceId}`, [openidKey]: madeByLogin });
    // The openid signs in to the account it made, with or without the unionid.
    expect((await login(racer)).id).toBe(madeByLogin);
  });
});

describe('imported accounts are not usable before the import’s final check', () => {
  const imported = (who: Person) => `lc-${who.sourceId}`;

  async function addNote(who: Person, text: string): Promise<Result<Data>> {
    const invocation = await emulator.callFunction(
      'notes',
      { action: 'add', text },
      { appid: APPID, openid: who.openid, unionid: who.unionid },
    );
    if (invocation.error) throw new Error(`notes did not run: ${invocation.error.message}`);
    return invocation.result as Result<Data>;
  }

  const notesOf = (userId: string) => emulator.database.documents('notes').filter((note) => note.owner === userId);

  it('given a person who deletes the account and signs in again between the import’s users and its check, their writes land in the account they keep', async () => {
    const racer = person();
    let second = { id: '', nickName: '', isNewUser: false };
    let noteAnswer: Result<Data> | undefined;
    const report = await importPeople(
      holdingAt<ImportDatabase>([
        {
          // Between the primary claim (step 3) and the other claims (step 4): sign in, then 注销.
          collection: 'identities',
          method: 'add',
          nth: 2,
          meanwhile: async () => {
            expect((await login(racer)).id).toBe(imported(racer));
            expect((await call(racer, 'deleteAccount', { confirm: true })).ok).toBe(true);
          },
        },
        {
          // After the import re-created the user (step 5), before its check for deletions (step 6).
          collection: 'account_audit',
          method: 'where',
          nth: 2,
          meanwhile: async () => {
            expect(users().find((user) => user._id === imported(racer))).toMatchObject({ status: 'importing' });
            second = await login(racer);
            noteAnswer = await addNote(racer, '注销后写的笔记');
          },
        },
      ]),
      collectionNamesFrom({}),
      [SOURCE_READERS.leancloud(record('leancloud', racer))],
      { source: 'leancloud', appid: APPID, dryRun: false, fallbackCreatedAt: new Date('2026-12-02T00:00:00Z') },
    );

    expect(second).toMatchObject({ isNewUser: true, nickName: '' });
    expect(second.id).not.toBe(imported(racer));
    expect(noteAnswer?.ok).toBe(true);
    expect(notesOf(second.id)).toHaveLength(1);
    expect(notesOf(imported(racer))).toEqual([]);
    expect(report.conflicts).toEqual([{ sourceId: racer.sourceId, reason: expect.stringContaining('注销') }]);
    expect(homesOf(racer)).toEqual([second.id]);
    expect(Object.values(claimsOf(racer))).toEqual([second.id, second.id]);
    expect(await login(racer)).toMatchObject({ id: second.id, isNewUser: false });
  });

  it('given a run cut short before it activates its users, no function acts under them, and the person’s login activates theirs', async () => {
    const racer = person();
    const crashed = importPeople(
      holdingAt<ImportDatabase>([
        {
          collection: 'account_audit',
          method: 'where',
          nth: 2,
          meanwhile: async () => {
            emulator.faults.add({
              action: 'database.getDocument',
              collection: 'account_audit',
              error: { code: 'SYS_ERR', message: 'injected crash' },
            });
          },
        },
      ]),
      collectionNamesFrom({}),
      [SOURCE_READERS.leancloud(record('leancloud', racer))],
      { source: 'leancloud', appid: APPID, dryRun: false, fallbackCreatedAt: new Date('2026-12-02T00:00:00Z') },
    );
    await expect(crashed).rejects.toThrow('injected crash');
    expect(users().find((user) => user._id === imported(racer))).toMatchObject({ status: 'importing', activatesAs: 'active' });

    const refused = await addNote(racer, '导入完成前的笔记');
    expect(refused.ok ? 'ok' : refused.error.code).toBe('USER_NOT_FOUND');
    expect(notesOf(imported(racer))).toEqual([]);

    expect(await login(racer)).toMatchObject({ id: imported(racer), nickName: racer.nickName, isNewUser: false });
    expect(users().find((user) => user._id === imported(racer))).toMatchObject({ status: 'active', loginCount: 1 });
    expect(users().find((user) => user._id === imported(racer))?.activatesAs).toBeUndefined();
    expect((await addNote(racer, '导入完成后的笔记')).ok).toBe(true);
    expect(notesOf(imported(racer))).toHaveLength(1);
  });

  it('given a run cut short before it activates its users, npm run admin -- cleanup activates those nobody signed in to', async () => {
    const waiting = person();
    const crashed = importPeople(
      holdingAt<ImportDatabase>([
        {
          collection: 'account_audit',
          method: 'where',
          nth: 2,
          meanwhile: async () => {
            emulator.faults.add({
              action: 'database.getDocument',
              collection: 'account_audit',
              error: { code: 'SYS_ERR', message: 'injected crash' },
            });
          },
        },
      ]),
      collectionNamesFrom({}),
      [SOURCE_READERS.leancloud(record('leancloud', waiting))],
      { source: 'leancloud', appid: APPID, dryRun: false, fallbackCreatedAt: new Date('2026-12-02T00:00:00Z') },
    );
    await expect(crashed).rejects.toThrow('injected crash');

    const report = await cleanupByAdmin(
      cloud.database() as unknown as DatabaseLike,
      cloud as unknown as CloudServicesSdk,
      collectionNamesFrom({}),
      { now: new Date(), dryRun: false, warn: () => undefined },
    );

    expect(report.imports).toEqual({ activated: 1, removed: 0 });
    expect(users().find((user) => user._id === imported(waiting))).toMatchObject({ status: 'active' });
    expect(await login(waiting)).toMatchObject({ id: imported(waiting), nickName: waiting.nickName });
  });
});
