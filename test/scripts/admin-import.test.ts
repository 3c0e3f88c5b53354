/**
 * `npm run admin -- import leancloud|uni-id <file> --appid <appid>` against the local emulator,
 * through the unmodified wx-server-sdk, with the BUILT login function signing the people in
 * afterwards.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { IMPORT_CHUNK_SIZE } from '../../scripts/lib/admin/import/importer';
import { runAdminAt, useFreshCollections } from './support/admin';
import { ROUND_TRIP_LATENCY_MS } from '../support/round-trips';
import { scratchFolder } from '../support/scratch-folders';

const FIXTURES = path.join(__dirname, 'fixtures/import');
const APPID = 'wx-imported-app';
const saved = { ...process.env };
let emulator: Emulator;

type Data = Record<string, unknown>;

/**
 * Every document of a collection, in _id order, read from the emulator's database directly: what
 * was written is under test here, and reading 20,000 documents back through skip pages would cost
 * seconds of the suite.
 */
async function all(collection: string): Promise<Data[]> {
  return emulator.database.documents(collection).sort((a, b) => String(a._id).localeCompare(String(b._id)));
}

/** The collections the login function uses (it runs with the default names). */
function useDefaultCollections(): { users: string; identities: string } {
  delete process.env.USERS_COLLECTION;
  delete process.env.IDENTITIES_COLLECTION;
  return { users: 'users', identities: 'identities' };
}

function admin(...argv: string[]) {
  return runAdminAt(emulator.url, argv, () => new Date('2026-12-02T00:00:00Z'));
}

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: emulator.env });
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

describe('import from LeanCloud', () => {
  it('imports mini-program users with their profile, unionid and verified phone, and never a secret', async () => {
    const names = useFreshCollections('imp');
    const result = await admin('import', 'leancloud', path.join(FIXTURES, 'leancloud-users.json'), '--appid', APPID, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ total: 3, imported: 2, alreadyPresent: 0, conflicts: [] });
    expect(report.skipped).toEqual([{ sourceId: '5f1a2b3c4d5e6f7a8b9c0d3a', reason: expect.stringContaining('lc_weapp') }]);

    const users = await all(names.users);
    expect(users).toEqual([
      expect.objectContaining({
        _id: 'lc-5f1a2b3c4d5e6f7a8b9c0d1e',
        nickName: '小明',
        avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/example-a/132',
        createdAt: new Date('2024-03-01T08:00:00.000Z'),
        identityKeys: ['wx-unionid:uLc_xiaoming_0001', `wx-openid:${APPID}:oLc_xiaoming_0001`, 'phone:+86:13800138001'],
        boundPhone: expect.objectContaining({ purePhoneNumber: '13800138001' }),
      }),
      expect.objectContaining({ _id: 'lc-5f1a2b3c4d5e6f7a8b9c0d2f', nickName: '小红', createdAt: new Date('2024-05-20T12:30:00.000Z') }),
    ]);
    expect(users[1]).not.toHaveProperty('boundPhone'); // not verified in LeanCloud
    expect((await all(names.identities)).map((doc) => [doc._id, doc.userId])).toEqual([
      ['phone:+86:13800138001', 'lc-5f1a2b3c4d5e6f7a8b9c0d1e'],
      [`wx-openid:${APPID}:oLc_xiaohong_0002`, 'lc-5f1a2b3c4d5e6f7a8b9c0d2f'],
      [`wx-openid:${APPID}:oLc_xiaoming_0001`, 'lc-5f1a2b3c4d5e6f7a8b9c0d1e'],
      ['wx-unionid:uLc_xiaoming_0001', 'lc-5f1a2b3c4d5e6f7a8b9c0d1e'],
    ]);
    const stored = JSON.stringify([...users, ...(await all(names.identities))]);
    for (const secret of [
      'session_key',
      '2zIDoEEUhkb0B5pUTzsLVg==',
      'QmFzZTY0U2Vzc2lvbktleQ==',
      'sessionToken',
      'a1b2c3d4e5f6g7h8i9j0k1l2m',
    ])
      expect(stored).not.toContain(secret);
  });

  it('reads JSON lines too, and a second run changes nothing', async () => {
    const names = useFreshCollections('imp');
    const file = path.join(FIXTURES, 'leancloud-users.jsonl');
    expect(JSON.parse((await admin('import', 'leancloud', file, '--appid', APPID, '--json')).stdout)).toMatchObject({ imported: 2 });
    const before = [await all(names.users), await all(names.identities)];
    const again = JSON.parse((await admin('import', 'leancloud', file, '--appid', APPID, '--json')).stdout);
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 2 });
    expect([await all(names.users), await all(names.identities)]).toEqual(before);
  });

  it('with --dry-run reports what it would do and writes nothing', async () => {
    const names = useFreshCollections('imp');
    const result = await admin('import', 'leancloud', path.join(FIXTURES, 'leancloud-users.json'), '--appid', APPID, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[dry-run]');
    expect(result.stdout).toMatch(/新导入 imported:\s+2/);
    expect(await all(names.users)).toEqual([]);
    expect(await all(names.identities)).toEqual([]);
  });

  it('signs the imported person in through the mini-program with one round trip, as any returning login', async () => {
    const names = useDefaultCollections();
    await admin('import', 'leancloud', path.join(FIXTURES, 'leancloud-users.json'), '--appid', APPID);
    // Every request takes a while, as over a network: requests made in parallel overlap, so
    // round trips count what is sequential, not how fast this machine answers.
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    const invocation = await emulator
      .callFunction('login', { action: 'login' }, { appid: APPID, openid: 'oLc_xiaoming_0001', unionid: 'uLc_xiaoming_0001' })
      .finally(() => latency.remove());
    expect(invocation.result).toEqual({
      ok: true,
      data: expect.objectContaining({
        isNewUser: false,
        user: expect.objectContaining({ id: 'lc-5f1a2b3c4d5e6f7a8b9c0d1e', nickName: '小明' }),
      }),
    });
    expect(invocation.roundTrips).toBe(1);
    expect((await all(names.users)).filter((user) => String(user._id).startsWith('lc-'))).toHaveLength(2);
  });

  it('never merges into someone who already signs in with that WeChat: reported as a conflict', async () => {
    const names = useDefaultCollections();
    const appid = 'wx-second-imported-app';
    const existing = await emulator.callFunction('login', { action: 'login' }, { appid, openid: 'oLc_xiaohong_0002' });
    const existingId = (existing.result as { data: { user: { id: string } } }).data.user.id;
    const report = JSON.parse(
      (await admin('import', 'leancloud', path.join(FIXTURES, 'leancloud-users.json'), '--appid', appid, '--json')).stdout,
    );
    // 小明 (same record, same unionid) was imported by the test above: present; this app's openid
    // is attached by his next login here, found through the unionid.
    expect(report).toMatchObject({ imported: 0, alreadyPresent: 1 });
    expect(report.conflicts).toEqual([{ sourceId: '5f1a2b3c4d5e6f7a8b9c0d2f', reason: expect.stringContaining(existingId) }]);
    const imported = (await all(names.users)).find((user) => user._id === 'lc-5f1a2b3c4d5e6f7a8b9c0d2f');
    expect(imported?.identityKeys ?? []).not.toContain(`wx-openid:${appid}:oLc_xiaohong_0002`);
    const held = (await all(names.identities)).find((doc) => doc._id === `wx-openid:${appid}:oLc_xiaohong_0002`);
    expect(held?.userId).toBe(existingId);
  });
});

describe('import from uni-id', () => {
  it('maps uni-id-users: openid for mp-weixin, unionid, confirmed mobile; disabled accounts banned, closed ones skipped', async () => {
    const names = useFreshCollections('imp');
    const report = JSON.parse(
      (await admin('import', 'uni-id', path.join(FIXTURES, 'uni-id-users.jsonl'), '--appid', APPID, '--json')).stdout,
    );
    expect(report).toMatchObject({ total: 4, imported: 2 });
    expect(report.skipped.map((entry: { sourceId: string }) => entry.sourceId)).toEqual([
      '65a1b2c3d4e5f6a7b8c9d0e3',
      '65a1b2c3d4e5f6a7b8c9d0e4',
    ]);
    const users = await all(names.users);
    expect(users).toEqual([
      expect.objectContaining({
        _id: 'uni-65a1b2c3d4e5f6a7b8c9d0e1',
        nickName: '阿强',
        avatarUrl: 'https://example.com/aqiang.jpg',
        status: 'active',
        identityKeys: ['wx-unionid:uUni_aqiang_0001', `wx-openid:${APPID}:oUni_aqiang_0001`, 'phone:+86:13700137001'],
        createdAt: new Date(1704067200000),
      }),
      expect.objectContaining({ _id: 'uni-65a1b2c3d4e5f6a7b8c9d0e2', status: 'banned', banReason: 'other' }),
    ]);
    const stored = JSON.stringify(users);
    for (const secret of [
      'session_key',
      'VW5pU2Vzc2lvbktleQ==',
      'eyJhbGciOiJIUzI1NiJ9',
      '03caebb36670995fc261a275d212cad65e4bbebd',
      'password',
      'token',
    ])
      expect(stored).not.toContain(secret);
  });
});

/** Person `index` in the source's export shape: every third with a unionid, every fifth with a verified phone. */
function generatedRecord(source: 'leancloud' | 'uni-id', index: number): Data {
  const n = String(index).padStart(5, '0');
  return source === 'leancloud'
    ? {
        objectId: `gen${n}`,
        createdAt: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString(),
        nickName: `用户${n}`,
        authData: {
          lc_weapp: {
            openid: `oGenLc${n}`,
            session_key: `sk${n}==`,
            expires_in: 7200,
            ...(index % 3 === 0 ? { unionid: `uGenLc${n}` } : {}),
          },
        },
        ...(index % 5 === 0 ? { mobilePhoneNumber: `138${n.padStart(8, '0')}`, mobilePhoneVerified: true } : {}),
      }
    : {
        _id: `gen${n}`,
        nickname: `用户${n}`,
        wx_openid: { 'mp-weixin': `oGenUni${n}` },
        register_date: Date.UTC(2024, 0, 1) + index,
        status: 0,
      };
}

/** `count` people in the source's export shape (LeanCloud's REST answer, uni-id's JSON lines). */
function generated(source: 'leancloud' | 'uni-id', count: number): string {
  const records = Array.from({ length: count }, (_, index) => generatedRecord(source, index));
  return source === 'leancloud' ? JSON.stringify({ results: records }) : records.map((record) => JSON.stringify(record)).join('\n');
}

const folder = scratchFolder('admin-import');

function file(name: string, content: string): string {
  const written = path.join(folder, name);
  writeFileSync(written, content);
  return written;
}

/** A LeanCloud mini-program user with only what a test names. */
function leanCloudUser(objectId: string, openid: string, fields: Data = {}, lcWeapp: Data = {}): Data {
  return { objectId, nickName: `昵称${objectId}`.slice(0, 12), authData: { lc_weapp: { openid, ...lcWeapp } }, ...fields };
}

describe('large imports', () => {
  // Just over one chunk: a full chunk (its queries stay under the 1,000 documents one query
  // answers) and one more crosses every boundary the importer has; ten thousand people would
  // prove nothing more and cost seconds of the suite.
  const count = IMPORT_CHUNK_SIZE + 1;
  const leancloud = file('leancloud-large.json', generated('leancloud', count));
  const uniId = file('uni-id-large.jsonl', generated('uni-id', count));

  it('imports people of each source over more than one chunk in one run, with a progress bar', async () => {
    const names = useFreshCollections('imp');
    const first = await admin('import', 'leancloud', leancloud, '--appid', APPID);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`新导入 imported:\\s+${count}\\n`));
    expect(first.stderr).toContain(`导入 [████████████████████] ${count}/${count}`);
    const second = await admin('import', 'uni-id', uniId, '--appid', APPID);
    expect(second.stdout).toMatch(new RegExp(`新导入 imported:\\s+${count}\\n`));
    const users = await all(names.users);
    expect(users.length).toBe(2 * count);
    // Every key of every person claimed, for that person.
    const keyCount = (source: 'leancloud' | 'uni-id') =>
      Array.from({ length: count }, (_, index) => (source === 'uni-id' ? 1 : 1 + (index % 3 === 0 ? 1 : 0) + (index % 5 === 0 ? 1 : 0)));
    const expectedKeys = [...keyCount('leancloud'), ...keyCount('uni-id')].reduce((sum, keys) => sum + keys, 0);
    const identities = await all(names.identities);
    expect(identities.length).toBe(expectedKeys);
    const owners = new Map(users.map((user) => [user._id, user.identityKeys as string[]]));
    expect(identities.filter((identity) => !owners.get(identity.userId as string)?.includes(identity._id as string))).toEqual([]);
    expect(JSON.stringify(users)).not.toContain('sk0');
  });

  it('a crash mid-import, a login of a person it left half-imported, then a re-run: the database of one clean run', async () => {
    const clean = useFreshCollections('imp');
    await admin('import', 'leancloud', leancloud, '--appid', APPID);
    const expected = [await all(clean.users), await all(clean.identities)];

    // The login function reads the default collections: the crashed run writes there too.
    const crashed = useDefaultCollections();
    const generatedOnly = async () => [
      (await all(crashed.users)).filter((user) => String(user._id).startsWith('lc-gen')),
      (await all(crashed.identities)).filter((identity) => String(identity.userId).startsWith('lc-gen')),
    ];
    // The users insert of the second chunk fails: its person is claimed, their user not written.
    emulator.faults.add({
      action: 'database.insertDocument',
      collection: crashed.users,
      nth: 2,
      error: { code: 'SYS_ERR', message: 'injected crash' },
    });
    const failed = await admin('import', 'leancloud', leancloud, '--appid', APPID);
    expect(failed.code).toBe(1);
    const [usersAfterCrash] = await generatedOnly();
    expect(usersAfterCrash?.length).toBe(IMPORT_CHUNK_SIZE);

    // Person 300 (unionid and phone), the second chunk, signs in before anyone re-runs the import:
    // the login meets the claim and creates the account under the import id.
    const signedIn = await emulator.callFunction(
      'login',
      { action: 'login' },
      { appid: APPID, openid: 'oGenLc00300', unionid: 'uGenLc00300' },
    );
    expect(signedIn.result).toEqual({ ok: true, data: expect.objectContaining({ user: expect.objectContaining({ id: 'lc-gen00300' }) }) });

    const resumed = await admin('import', 'leancloud', leancloud, '--appid', APPID, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ imported: count - IMPORT_CHUNK_SIZE, alreadyPresent: IMPORT_CHUNK_SIZE });
    // The same documents as a clean run; the one who signed in has their login recorded besides.
    const withoutLogin = ({ lastLoginAt: _at, lastLoginId: _id, loginCount: _count, ...user }: Data) => user;
    const [users, identities] = await generatedOnly();
    expect([users?.map(withoutLogin), identities]).toEqual([expected[0]?.map(withoutLogin), expected[1]]);
    expect(users?.find((user) => user._id === 'lc-gen00300')).toMatchObject({
      nickName: '用户00300',
      loginCount: 1,
      boundPhone: expect.objectContaining({ purePhoneNumber: '13800000300' }),
    });
  });
});

describe('ids that collide once normalised', () => {
  it('are reported per record and the rest of the file is imported, on every run', async () => {
    const names = useFreshCollections('imp');
    const colliding = file(
      'colliding.json',
      JSON.stringify([
        leanCloudUser('same.id', 'oCollide1'),
        leanCloudUser('other', 'oCollide2'),
        leanCloudUser('same_id', 'oCollide3'),
        leanCloudUser('same:id', 'oCollide4'),
      ]),
    );
    for (const run of ['first', 'second']) {
      const result = await admin('import', 'leancloud', colliding, '--appid', APPID, '--json');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject(run === 'first' ? { imported: 2, alreadyPresent: 0 } : { imported: 0, alreadyPresent: 2 });
      expect(report.conflicts).toEqual([
        { sourceId: 'same_id', reason: expect.stringContaining('lc-same_id') },
        { sourceId: 'same:id', reason: expect.stringContaining('same.id') },
      ]);
    }
    expect((await all(names.users)).map((user) => [user._id, (user.importedFrom as Data).id])).toEqual([
      ['lc-other', 'other'],
      ['lc-same_id', 'same.id'],
    ]);

    // Another file whose record normalises onto an id imported before: that record only is refused.
    const later = await admin(
      'import',
      'leancloud',
      file('later.json', JSON.stringify([leanCloudUser('same/id', 'oCollide5'), leanCloudUser('fresh', 'oCollide6')])),
      '--appid',
      APPID,
      '--json',
    );
    const report = JSON.parse(later.stdout);
    expect(report).toMatchObject({ imported: 1 });
    expect(report.conflicts).toEqual([{ sourceId: 'same/id', reason: expect.stringContaining('same.id') }]);
  });
});

describe('hostile values', () => {
  it('are cleaned by the login rules: nicknames by code point, avatar URLs by scheme, control characters out, absurd ids refused', async () => {
    const names = useFreshCollections('imp');
    const longId = 'x'.repeat(100_000);
    const result = await admin(
      'import',
      'leancloud',
      file(
        'hostile.json',
        JSON.stringify([
          // 21 emoji of two UTF-16 units each: cutting at 20 units would leave half of the 10th.
          leanCloudUser('emoji', 'oHostile1', { nickName: '😀'.repeat(21), avatarUrl: 'javascript:alert(document.cookie)' }),
          leanCloudUser('controls', 'oHostile2', {
            nickName: 'a\u0007b\u202ec\u200bd\u0000',
            avatarUrl: 'data:text/html,<script>1</script>',
          }),
          leanCloudUser('family', 'oHostile3', { nickName: '👨‍👩‍👧 家', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/ok/132' }),
          leanCloudUser(longId, 'oHostile4'),
          leanCloudUser('long-openid', 'o'.repeat(100_000)),
          leanCloudUser('newline-openid', 'oHostile\n6'),
          leanCloudUser('bell\u0007id', 'oHostile7'),
          leanCloudUser('long-unionid', 'oHostile8', {}, { unionid: 'u'.repeat(129) }),
        ]),
      ),
      '--appid',
      APPID,
      '--json',
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ total: 8, imported: 3 });
    expect(report.cleaned).toEqual([
      { sourceId: 'emoji', fields: ['nickName', 'avatarUrl'] },
      { sourceId: 'controls', fields: ['nickName', 'avatarUrl'] },
    ]);
    expect(report.skipped).toEqual([
      { sourceId: expect.stringMatching(/^x{64}…/), reason: 'refused: sourceId is longer than 128' },
      { sourceId: 'long-openid', reason: 'refused: openid is longer than 128' },
      { sourceId: 'newline-openid', reason: expect.stringContaining('openid contains') },
      { sourceId: 'bell\\u{7}id', reason: expect.stringContaining('sourceId contains') },
      { sourceId: 'long-unionid', reason: 'refused: unionid is longer than 128' },
    ]);
    expect(result.stdout.length).toBeLessThan(5_000);

    const users = await all(names.users);
    expect(users.map((user) => [user._id, user.nickName, user.avatarUrl])).toEqual([
      ['lc-controls', 'abcd', ''],
      ['lc-emoji', '😀'.repeat(20), ''],
      ['lc-family', '👨‍👩‍👧 家', 'https://thirdwx.qlogo.cn/mmopen/ok/132'],
    ]);
    const stored = JSON.stringify(await all(names.identities));
    expect(stored).not.toContain('x'.repeat(129));
    expect(stored).not.toContain('o'.repeat(129));
  });
});

describe('--dry-run', () => {
  it('reports exactly what the real run then does: the same counts, conflicts, skips and left-out phones', async () => {
    const names = useFreshCollections('imp');
    // Someone already signs in with one openid and holds one phone number; 10 people were imported before.
    const sdk = cloud.database();
    await sdk.createCollection(names.users).catch(() => undefined);
    await sdk.createCollection(names.identities).catch(() => undefined);
    await sdk.collection(names.users).add({ data: { _id: 'someone', identityKeys: [`wx-openid:${APPID}:oGenLc00007`], status: 'active' } });
    await sdk
      .collection(names.identities)
      .add({ data: { _id: `wx-openid:${APPID}:oGenLc00007`, userId: 'someone', provider: 'wx-openid' } });
    await sdk.collection(names.identities).add({ data: { _id: 'phone:+86:13800000010', userId: 'someone', provider: 'phone' } });
    const people = Array.from({ length: IMPORT_CHUNK_SIZE + 40 }, (_, index) => generatedRecord('leancloud', index));
    await admin('import', 'leancloud', file('first-ten.json', JSON.stringify(people.slice(0, 10))), '--appid', APPID);
    // After the first chunk: an id, a unionid, a phone and an openid that records of the first
    // chunk have, two ids equal once normalised, a nickname to clean, an absurd id.
    people.push(
      leanCloudUser('gen00003', 'oDryRun1'),
      leanCloudUser('dry.id', 'oDryRun2'),
      leanCloudUser('dry_id', 'oDryRun3'),
      leanCloudUser('dry-union', 'oDryRun4', {}, { unionid: 'uGenLc00030' }),
      leanCloudUser('dry-phone', 'oDryRun5', { mobilePhoneNumber: '13800000020', mobilePhoneVerified: true }),
      leanCloudUser('dry-openid', 'oGenLc00040'),
      leanCloudUser('dry-hostile', 'oDryRun6', { nickName: 'x\u0000'.repeat(30) }),
      leanCloudUser('y'.repeat(5000), 'oDryRun7'),
    );
    const input = file('dry-run.json', JSON.stringify(people));

    const dry = JSON.parse((await admin('import', 'leancloud', input, '--appid', APPID, '--dry-run', '--json')).stdout);
    expect(await all(names.users)).toHaveLength(10);
    const real = JSON.parse((await admin('import', 'leancloud', input, '--appid', APPID, '--json')).stdout);
    expect({ ...dry, dryRun: false }).toEqual(real);
    expect(real.conflicts.map((entry: Data) => entry.sourceId)).toEqual(['gen00003', 'dry_id', 'dry-union', 'gen00007']);
    expect(real.skipped.map((entry: Data) => entry.reason)).toEqual([
      'the same openid appears earlier in the file',
      'refused: sourceId is longer than 128',
    ]);
    expect(real.phonesLeftOut).toEqual(['dry-phone', 'gen00010']);
    expect(real.cleaned).toEqual([{ sourceId: 'dry-hostile', fields: ['nickName'] }]);
    expect(real).toMatchObject({ total: people.length, alreadyPresent: 9, imported: people.length - 9 - 4 - 2 });

    // And on the database it left: nothing to do, in both.
    const dryAgain = JSON.parse((await admin('import', 'leancloud', input, '--appid', APPID, '--dry-run', '--json')).stdout);
    const realAgain = JSON.parse((await admin('import', 'leancloud', input, '--appid', APPID, '--json')).stdout);
    expect({ ...dryAgain, dryRun: false }).toEqual(realAgain);
    expect(realAgain).toMatchObject({ imported: 0, alreadyPresent: people.length - 4 - 2 });
  });
});
