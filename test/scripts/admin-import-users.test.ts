/**
 * `npm run admin -- import users --appid <appid>`: the tutorial-style users collection adopted in
 * place, against the local emulator through the unmodified wx-server-sdk, with the BUILT login
 * function signing the people in afterwards.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { runAdminAt, useFreshCollections } from './support/admin';
import { ROUND_TRIP_LATENCY_MS } from '../support/round-trips';

const APPID = 'wx-tutorial-app';
const NOW = new Date('2026-12-02T00:00:00Z');
const saved = { ...process.env };
let emulator: Emulator;

type Data = Record<string, unknown>;

const openidKey = (openid: string) => `wx-openid:${APPID}:${openid}`;
const docs = (collection: string): Data[] =>
  emulator.database.documents(collection).sort((a, b) => String(a._id).localeCompare(String(b._id)));
const byId = (collection: string, id: string) => docs(collection).find((doc) => doc._id === id);

/** Documents as JSON lines (EJSON dates), straight into the emulator. */
async function seed(collection: string, documents: Data[]): Promise<void> {
  const lines = documents.map((doc) =>
    JSON.stringify(doc, (key, value) =>
      key !== '$date' && typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? { $date: value } : value,
    ),
  );
  await emulator.database.importCollection(collection, lines.join('\n'));
}

function admin(...argv: string[]) {
  return runAdminAt(emulator.url, ['import', 'users', '--appid', APPID, ...argv], () => NOW);
}

async function adopt(...argv: string[]) {
  const result = await admin(...argv, '--json');
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
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

/** One of every case the rules tell apart. */
const TUTORIAL: Data[] = [
  // Written by the person through the client SDK, profile under userInfo as the tutorials save it.
  {
    _id: 'own',
    _openid: 'o-own',
    userInfo: { nickName: '小王', avatarUrl: 'https://thirdwx.qlogo.cn/own/132' },
    session_key: 'c2stb3duLTE=',
    createdAt: '2023-01-01T00:00:00.000Z',
  },
  // Written by a cloud function (no _openid): its unionid came from getWXContext and is claimed.
  { _id: 'by-function', openid: 'o-fn', unionid: 'u-fn', nickName: '小李', sessionKey: 'c2stZm4tMg==' },
  // A unionid the client wrote: unverifiable, left out.
  { _id: 'client-unionid', _openid: 'o-cu', unionid: 'u-someone-else', session_key: 'c2stY3UtMw==' },
  // The tutorial's race: two documents of one openid; the oldest is adopted.
  { _id: 'dup-b-old', _openid: 'o-dup', nickName: '老的', session_key: 'c2stZHVwLW9sZA==', createdAt: '2022-01-01T00:00:00.000Z' },
  { _id: 'dup-a-new', _openid: 'o-dup', nickName: '新的', session_key: 'c2stZHVwLW5ldw==', createdAt: '2023-06-01T00:00:00.000Z' },
  // Planted: someone else wrote a document about the victim's openid.
  { _id: 'planted', _openid: 'o-attacker', openid: 'o-victim', status: 'banned', session_key: 'cGxhbnRlZA==' },
  // The person already signs in to another account (created by a login).
  { _id: 'conflicting', _openid: 'o-conflict', nickName: '冲突', session_key: 'c2stY29uZmxpY3Q=' },
  // Recorded by a cloud function of another mini-program.
  { _id: 'other-app', openid: 'o-other', appid: 'wx-another-app' },
  // A user the login created: not tutorial-style, not counted.
  { _id: 'login-user', identityKeys: [openidKey('o-conflict')], status: 'active', nickName: '已有账号' },
];
const SECRETS = ['c2stb3duLTE=', 'c2stZm4tMg==', 'c2stY3UtMw==', 'c2stZHVwLW9sZA==', 'c2stZHVwLW5ldw=='];

async function seedTutorial(names: { users: string; identities: string }) {
  await seed(names.users, TUTORIAL);
  await seed(names.identities, [{ _id: openidKey('o-conflict'), userId: 'login-user', provider: 'wx-openid' }]);
}

describe('import users (tutorial-style collections)', () => {
  it('with --dry-run reports what it would do and writes nothing', async () => {
    const names = useFreshCollections('tut');
    await seedTutorial(names);
    const before = [docs(names.users), docs(names.identities)];
    const report = await adopt('--dry-run');
    expect(report).toMatchObject({ dryRun: true, total: 8, adopted: 4, alreadyPresent: 0 });
    expect(report.conflicts.map((entry: { userId: string }) => entry.userId)).toEqual(['conflicting']);
    expect([docs(names.users), docs(names.identities)]).toEqual(before);
    const text = await admin('--dry-run');
    expect(text.stdout).toContain('[dry-run]');
    expect(text.stdout).toMatch(/接管 adopted:\s+4/);
  });

  it('adopts every not-adopted document in place as a login would, reports the rest, and a second run changes nothing', async () => {
    const names = useFreshCollections('tut');
    await seedTutorial(names);
    const report = await adopt();
    expect(report).toEqual({
      source: 'users',
      collection: names.users,
      appid: APPID,
      dryRun: false,
      total: 8,
      adopted: 4,
      alreadyPresent: 0,
      conflicts: [{ userId: 'conflicting', reason: expect.stringContaining('login-user') }],
      skipped: [
        { userId: 'other-app', reason: expect.stringContaining('wx-another-app') },
        { userId: 'planted', reason: expect.stringContaining('openid differs from _openid') },
        { userId: 'dup-a-new', reason: expect.stringContaining('duplicate of dup-b-old') },
      ],
      unionidsLeftOut: ['client-unionid'],
    });

    expect(byId(names.users, 'own')).toEqual({
      _id: 'own',
      _openid: 'o-own',
      userInfo: { nickName: '小王', avatarUrl: 'https://thirdwx.qlogo.cn/own/132' },
      createdAt: new Date('2023-01-01T00:00:00.000Z'),
      identityKeys: [openidKey('o-own')],
      status: 'active',
    });
    expect(byId(names.users, 'by-function')).toMatchObject({
      identityKeys: ['wx-unionid:u-fn', openidKey('o-fn')],
      wechatPairs: [{ openidKey: openidKey('o-fn'), unionidKey: 'wx-unionid:u-fn' }],
      createdAt: NOW,
    });
    expect(byId(names.users, 'client-unionid')?.identityKeys).toEqual([openidKey('o-cu')]);
    expect(byId(names.users, 'dup-b-old')?.identityKeys).toEqual([openidKey('o-dup')]);
    expect(byId(names.users, 'dup-a-new')).toEqual({
      _id: 'dup-a-new',
      _openid: 'o-dup',
      nickName: '新的',
      createdAt: new Date('2023-06-01T00:00:00.000Z'),
    });
    // Never touched: the planted document, the conflicting one and the account the person already has.
    for (const id of ['planted', 'conflicting', 'login-user', 'other-app'])
      expect(byId(names.users, id)).toEqual(TUTORIAL.find((doc) => doc._id === id));
    expect(docs(names.identities).map((doc) => [doc._id, doc.userId, doc.provider])).toEqual([
      [openidKey('o-conflict'), 'login-user', 'wx-openid'],
      [openidKey('o-cu'), 'client-unionid', 'wx-openid'],
      [openidKey('o-dup'), 'dup-b-old', 'wx-openid'],
      [openidKey('o-fn'), 'by-function', 'wx-openid'],
      [openidKey('o-own'), 'own', 'wx-openid'],
      ['wx-unionid:u-fn', 'by-function', 'wx-unionid'],
    ]);
    const stored = JSON.stringify([...docs(names.users), ...docs(names.identities)]);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);

    const before = [docs(names.users), docs(names.identities)];
    const again = await adopt();
    expect(again).toMatchObject({ adopted: 0, alreadyPresent: 4, conflicts: [{ userId: 'conflicting' }] });
    expect(again.skipped).toHaveLength(3);
    expect([docs(names.users), docs(names.identities)]).toEqual(before);
  });

  it('two runs at once claim each identity once: the one that loses a claim to the other adopts the same document', async () => {
    const clean = useFreshCollections('tut');
    await seedTutorial(clean);
    await adopt();
    const expected = [docs(clean.users), docs(clean.identities)];

    const racing = useFreshCollections('tut');
    await seedTutorial(racing);
    const reports = await Promise.all([adopt(), adopt()]);
    expect(reports.map((report) => report.conflicts.map((entry: { userId: string }) => entry.userId))).toEqual([
      ['conflicting'],
      ['conflicting'],
    ]);
    expect([docs(racing.users), docs(racing.identities)]).toEqual(expected);
  });

  it('signs an adopted person in through the mini-program with one round trip, as any returning login', async () => {
    // The login function runs with the default collection names.
    delete process.env.USERS_COLLECTION;
    delete process.env.IDENTITIES_COLLECTION;
    await seed('users', [
      { _id: 'tutorial-login', _openid: 'o-login', userInfo: { nickName: '教程用户' }, session_key: 'bG9naW4=' },
      { _id: 'tutorial-union', openid: 'o-login-u', unionid: 'u-login-u', nickName: '云函数写的', session_key: 'dW5pb24=' },
    ]);
    expect(await adopt('--collection', 'users')).toMatchObject({ adopted: 2 });
    // Every request takes a while, as over a network: round trips count what is sequential.
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    const login = (caller: { openid: string; unionid?: string }) =>
      emulator.callFunction('login', { action: 'login' }, { appid: APPID, ...caller });
    // One after the other: two at once on a busy machine could stretch one's parallel requests apart.
    const [own, union] = await (async () =>
      [await login({ openid: 'o-login' }), await login({ openid: 'o-login-u', unionid: 'u-login-u' })] as const)().finally(() =>
      latency.remove(),
    );
    expect(own.result).toEqual({
      ok: true,
      data: expect.objectContaining({ isNewUser: false, user: expect.objectContaining({ id: 'tutorial-login', nickName: '教程用户' }) }),
    });
    expect(union.result).toMatchObject({ ok: true, data: { isNewUser: false, user: { id: 'tutorial-union', nickName: '云函数写的' } } });
    expect([own.roundTrips, union.roundTrips]).toEqual([1, 1]);
    // The returning login's one trip: the stamp, the users read and the identities read, together.
    expect(own.requests.map((request) => request.action).sort()).toEqual([
      'database.getDocument',
      'database.getDocument',
      'database.modifyDocument',
    ]);
    expect(JSON.stringify(docs('users'))).not.toMatch(/session_key|bG9naW4=|dW5pb24=/);
  });
});

/**
 * `count` tutorial documents part-way through the lazy adoption: the people of every
 * `pendingEvery`th index have not logged in since the upgrade, the others have (adopted, an
 * identity points at them). Every 3rd was written by a cloud function with a unionid; every 7th
 * has a duplicate from the tutorial's race.
 */
function partlyAdopted(count: number, pendingEvery: number): { users: Data[]; identities: Data[]; people: number; pending: number } {
  const users: Data[] = [];
  const identities: Data[] = [];
  let people = 0;
  let pending = 0;
  for (let index = 0; users.length < count; index += 1) {
    const n = String(index).padStart(5, '0');
    const openid = `oGen${n}`;
    const byFunction = index % 3 === 0;
    const adopted = index % pendingEvery !== 0;
    const doc: Data = {
      _id: `t${n}`,
      ...(byFunction ? { openid, unionid: `uGen${n}` } : { _openid: openid }),
      userInfo: { nickName: `用户${n}`, avatarUrl: `https://thirdwx.qlogo.cn/${n}/132` },
      ...(index % 2 === 0 ? { createdAt: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString() } : {}),
    };
    const keys = byFunction ? [`wx-unionid:uGen${n}`, openidKey(openid)] : [openidKey(openid)];
    people += 1;
    if (adopted) {
      users.push({ ...doc, identityKeys: keys, status: 'active', loginCount: 1 });
      for (const key of keys) identities.push({ _id: key, userId: doc._id, provider: key.slice(0, key.indexOf(':')) });
    } else {
      pending += 1;
      users.push({ ...doc, session_key: `sk${n}==` });
    }
    if (index % 7 === 0 && users.length < count)
      users.push({ ...doc, _id: `t${n}-dup`, ...(adopted ? {} : { session_key: `sk${n}-dup==` }) });
  }
  return { users, identities, people, pending };
}

async function seedFixture(names: { users: string; identities: string }, fixture: { users: Data[]; identities: Data[] }) {
  await seed(names.users, fixture.users);
  await seed(names.identities, fixture.identities);
}

describe('large collections and crashes', () => {
  it('adopts what is left of 2,000 documents, a page and a chunk at a time, with a progress bar', async () => {
    const names = useFreshCollections('tut');
    const fixture = partlyAdopted(2_000, 10);
    await seedFixture(names, fixture);
    const result = await admin();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`接管 adopted:\\s+${fixture.pending}\\n`));
    expect(result.stdout).toMatch(new RegExp(`已接管 already present:\\s+${fixture.people - fixture.pending}\\n`));
    expect(result.stdout).toMatch(/跳过 skipped:\s+250\n/); // the duplicates
    expect(result.stderr).toContain('导入 [████████████████████] 2000/2000');
    expect(docs(names.users).filter((doc) => !doc.identityKeys)).toHaveLength(250);
    expect(JSON.stringify(docs(names.users))).not.toMatch(/session_key|sk0/);
  });

  it('a crash mid-run, then a re-run, gives exactly the database of one clean run, with no one half-adopted', async () => {
    const fixture = partlyAdopted(60, 1);
    const clean = useFreshCollections('tut');
    await seedFixture(clean, fixture);
    expect(await adopt()).toMatchObject({ adopted: fixture.people });
    const expected = [docs(clean.users), docs(clean.identities)];

    const crashed = useFreshCollections('tut');
    await seedFixture(crashed, fixture);
    // The 20th user update fails: every claim of the chunk is in, part of its documents adopted.
    emulator.faults.add({
      action: 'database.modifyDocument',
      collection: crashed.users,
      nth: 20,
      error: { code: 'SYS_ERR', message: 'injected crash' },
    });
    expect((await admin()).code).toBe(1);
    const waiting = docs(crashed.users).filter((doc) => !doc.identityKeys && !String(doc._id).endsWith('-dup'));
    expect(waiting.length).toBeGreaterThan(0);
    // Claimed but not yet adopted: a login now would adopt exactly this document (its identity points at it).
    const claimed = new Map(docs(crashed.identities).map((doc) => [doc.userId, doc._id]));
    for (const doc of waiting) expect(claimed.has(doc._id)).toBe(true);

    const resumed = await adopt();
    expect(resumed).toMatchObject({ adopted: waiting.length, alreadyPresent: fixture.people - waiting.length });
    expect([docs(crashed.users), docs(crashed.identities)]).toEqual(expected);
  });
});
