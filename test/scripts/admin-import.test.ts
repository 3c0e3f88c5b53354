/**
 * `npm run admin -- import leancloud|uni-id <file> --appid <appid>` against the local emulator,
 * through the unmodified wx-server-sdk, with the BUILT login function signing the people in
 * afterwards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { runAdminAt, useFreshCollections } from './support/admin';

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
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: 15, times: 'always' });
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
    expect(report.imported).toBe(1);
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

/** `count` people in the source's export shape. */
function generated(source: 'leancloud' | 'uni-id', count: number): string {
  const records = Array.from({ length: count }, (_, index) => {
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
  });
  return source === 'leancloud' ? JSON.stringify({ results: records }) : records.map((record) => JSON.stringify(record)).join('\n');
}

describe('large imports', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'admin-import-'));
  const leancloud = path.join(folder, 'leancloud-10000.json');
  const uniId = path.join(folder, 'uni-id-10000.jsonl');
  const smaller = path.join(folder, 'leancloud-2000.json');
  writeFileSync(leancloud, generated('leancloud', 10_000));
  writeFileSync(uniId, generated('uni-id', 10_000));
  writeFileSync(smaller, generated('leancloud', 2_000));

  it('imports 10,000 people of each source in one run, with a progress bar', async () => {
    const names = useFreshCollections('imp');
    const first = await admin('import', 'leancloud', leancloud, '--appid', APPID);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/新导入 imported:\s+10000/);
    expect(first.stderr).toContain('导入 [████████████████████] 10000/10000');
    const second = await admin('import', 'uni-id', uniId, '--appid', APPID);
    expect(second.stdout).toMatch(/新导入 imported:\s+10000/);
    const users = await all(names.users);
    expect(users.length).toBe(20_000);
    expect(JSON.stringify(users)).not.toContain('sk0');
  });

  it('a crash mid-import, then a re-run, gives exactly the database of one clean run', async () => {
    const clean = useFreshCollections('imp');
    await admin('import', 'leancloud', smaller, '--appid', APPID);
    const expected = [await all(clean.users), await all(clean.identities)];

    const crashed = useFreshCollections('imp');
    // The 4th of 7 bulk inserts of identities fails (its users are already in): a crash half-way.
    emulator.faults.add({
      action: 'database.insertDocument',
      collection: crashed.identities,
      nth: 4,
      error: { code: 'SYS_ERR', message: 'injected crash' },
    });
    const failed = await admin('import', 'leancloud', smaller, '--appid', APPID);
    expect(failed.code).toBe(1);
    expect((await all(crashed.users)).length).toBeGreaterThan((await all(crashed.identities)).length / 2);

    const resumed = await admin('import', 'leancloud', smaller, '--appid', APPID, '--json');
    expect(resumed.code).toBe(0);
    expect([await all(crashed.users), await all(crashed.identities)]).toEqual(expected);
  });
});
