/**
 * The BUILT login function (cloudfunctions/login/index.js, `npm run build`) run by the local
 * emulator's function runtime, talking to the emulator through the unmodified wx-server-sdk.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { ROUND_TRIP_LATENCY_MS } from '../../support/round-trips';

let emulator: Emulator;
/** The function's own log lines, kept as a test artifact rather than flooding the test output. */
const functionOutput: string[] = [];

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    // Instances start at once on a small, shared machine: generous limits, correctness is what is asserted.
    functionTimeoutMs: 60_000,
    // As deployed from DevTools without the framework plugin: the function creates its collections.
    deployDeclaredCollections: false,
    onFunctionOutput: (_name, _stream, chunk) => functionOutput.push(chunk.toString()),
  });
});

afterAll(async () => {
  await emulator?.close();
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/login-function.log', functionOutput.join(''));
});

interface LoginResponse {
  ok: boolean;
  data?: { user: { id: string; nickName: string; loginCount: number }; isNewUser: boolean };
  error?: { code: string; message: string };
}

async function callLogin(caller: Caller, event: unknown = {}) {
  const invocation = await emulator.callFunction('login', event, caller);
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return { ...invocation, response: invocation.result as LoginResponse };
}

function docs(collection: string): Record<string, unknown>[] {
  return emulator.database.listCollections().includes(collection) ? emulator.database.documents(collection) : [];
}

function usersHolding(key: string) {
  return docs('users').filter((user) => Array.isArray(user.identityKeys) && user.identityKeys.includes(key));
}

/** Simultaneous first logins of one person, one warm instance each. */
const RACERS = 8;

describe('login function through wx-server-sdk and the emulator', () => {
  it('given 8 simultaneous first logins of one person, each in its own warm instance, creates exactly one user', async () => {
    // Warm instances first, as a busy production function has them. Cold instances start one after
    // another on a small machine and serialise the race away: with the find-then-add login of
    // bench/functions/naive-login, 50 simultaneous cold starts made 1 user, while 4, 8 and 12 warm
    // instances made 3–4, 3–6 and 3–8 users (three runs each). `npm run bench` races 100.
    const warm = await Promise.all(
      Array.from({ length: RACERS }, (_, index) => callLogin({ openid: `o-warm-${index}`, appid: 'wx-race-app' })),
    );
    expect(new Set(warm.map(({ instance }) => instance)).size).toBe(RACERS);

    const caller = { openid: 'o-race', appid: 'wx-race-app', unionid: 'u-race' };
    const results = await Promise.all(Array.from({ length: RACERS }, () => callLogin(caller)));

    expect(new Set(results.map(({ instance }) => instance))).toEqual(new Set(warm.map(({ instance }) => instance)));
    const ids = new Set(results.map(({ response }) => response.data?.user.id));
    // Each failure by its code, so a failure here says what went wrong (details in test-artifacts/login-function.log).
    expect(results.map(({ response }) => (response.ok ? 'ok' : `${response.error?.code}: ${response.error?.message}`))).toEqual(
      Array(RACERS).fill('ok'),
    );
    expect(ids.size).toBe(1);
    expect(results.filter(({ response }) => response.data?.isNewUser)).toHaveLength(1);
    expect(usersHolding('wx-unionid:u-race')).toHaveLength(1);
    expect(usersHolding('wx-unionid:u-race')[0]?.loginCount).toBe(RACERS);
  }, 120_000);

  it('given a returning login, makes one sequential database round trip; a first login at most three', async () => {
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    try {
      const caller = { openid: 'o-trips', appid: 'wx-trips' };
      const first = await callLogin(caller);
      const returning = await callLogin(caller);

      expect(first.response.data?.isNewUser).toBe(true);
      expect(first.roundTrips).toBeLessThanOrEqual(3);
      expect(returning.response.data?.user.loginCount).toBe(2);
      expect(returning.roundTrips).toBe(1);
    } finally {
      latency.remove();
    }
  });

  it('given one unionid in two mini-programs, answers the same user', async () => {
    const inApp1 = await callLogin({ openid: 'o-app1', appid: 'wx-app-1', unionid: 'u-shared' });
    const inApp2 = await callLogin({ openid: 'o-app2', appid: 'wx-app-2', unionid: 'u-shared' });

    expect(inApp2.response.data?.user.id).toBe(inApp1.response.data?.user.id);
    expect(inApp2.response.data?.isNewUser).toBe(false);
    expect(usersHolding('wx-unionid:u-shared')).toHaveLength(1);
  });

  it('given an app identity left pointing at a deleted user, the same person from that app takes it over', async () => {
    const inApp1 = await callLogin({ openid: 'o-ghost-1', appid: 'wx-ghost-1', unionid: 'u-ghost' });
    await emulator.database.importCollection(
      'identities',
      JSON.stringify({ _id: 'wx-openid:wx-ghost-2:o-ghost-2', userId: 'deleted-user', provider: 'wx-openid' }),
    );

    const inApp2 = await callLogin({ openid: 'o-ghost-2', appid: 'wx-ghost-2', unionid: 'u-ghost' });

    expect(inApp2.response.data?.user.id).toBe(inApp1.response.data?.user.id);
    expect(docs('identities').find((identity) => identity._id === 'wx-openid:wx-ghost-2:o-ghost-2')?.userId).toBe(
      inApp1.response.data?.user.id,
    );
  });

  it('given a legacy tutorial user with a stored session_key, adopts it and scrubs the secret', async () => {
    await emulator.database.importCollection(
      'users',
      [
        JSON.stringify({ _id: 'legacy-doc', _openid: 'o-legacy', nickName: '旧昵称', session_key: 'secret==' }),
        // The tutorial's find-then-add race left a duplicate (same age: the first by _id is adopted).
        JSON.stringify({ _id: 'legacy-dup', _openid: 'o-legacy', session_key: 'secret2==' }),
        JSON.stringify({ _id: 'unrelated', _openid: 'o-someone-else', session_key: 'other' }),
      ].join('\n'),
    );

    const { response } = await callLogin({ openid: 'o-legacy', appid: 'wx-legacy' });

    expect(response).toMatchObject({ ok: true, data: { isNewUser: false, user: { id: 'legacy-doc', nickName: '旧昵称' } } });
    expect(JSON.stringify(response)).not.toMatch(/session_key|secret==/);
    const stored = docs('users').find((user) => user._id === 'legacy-doc');
    expect(stored).not.toHaveProperty('session_key');
    expect(stored?.identityKeys).toEqual(['wx-openid:wx-legacy:o-legacy']);
    expect(docs('users').find((user) => user._id === 'legacy-dup')).not.toHaveProperty('session_key');
    expect(docs('users').find((user) => user._id === 'unrelated')).toHaveProperty('session_key', 'other');
  });

  it('given legacy documents with secrets in every spelling at every depth, adoption leaves none in either', async () => {
    const secrets = {
      skey: 'planted-1',
      sk: 'planted-2',
      access_token: 'planted-3',
      userInfo: { nickName: '深处', session_key: 'planted-4', city: '杭州' },
      accounts: [{ provider: 'qq', refreshToken: 'planted-5' }],
    };
    await emulator.database.importCollection(
      'users',
      [
        JSON.stringify({ _id: 'deep-legacy', _openid: 'o-deep', createdAt: { $date: '2024-01-01T00:00:00Z' }, ...secrets }),
        JSON.stringify({ _id: 'deep-dup', _openid: 'o-deep', createdAt: { $date: '2024-02-01T00:00:00Z' }, ...secrets }),
      ].join('\n'),
    );

    const { response } = await callLogin({ openid: 'o-deep', appid: 'wx-legacy' });

    expect(response).toMatchObject({ ok: true, data: { user: { id: 'deep-legacy' } } });
    for (const id of ['deep-legacy', 'deep-dup']) {
      const stored = docs('users').find((user) => user._id === id);
      expect(JSON.stringify(stored)).not.toContain('planted-');
      expect(stored).toMatchObject({ userInfo: { nickName: '深处', city: '杭州' }, accounts: [{ provider: 'qq' }] });
    }
  });

  // `users` is client-writable whenever the function created it itself: the platform then sets
  // `_openid` to the writer, and such a document is the caller's only if an identity vouches for it.
  it('given a client-planted users document holding the victim’s key, the victim’s first login creates their own user', async () => {
    await emulator.database.importCollection(
      'users',
      JSON.stringify({ _id: 'planted-keys', _openid: 'o-attacker', identityKeys: ['wx-openid:wx-plant:o-victim'], nickName: '陷阱' }),
    );

    const first = await callLogin({ openid: 'o-victim', appid: 'wx-plant' });
    const returning = await callLogin({ openid: 'o-victim', appid: 'wx-plant' });

    expect(first.response).toMatchObject({ ok: true, data: { isNewUser: true } });
    expect(first.response.data?.user.id).not.toBe('planted-keys');
    expect(returning.response.data?.user).toMatchObject({ id: first.response.data?.user.id, loginCount: 2 });
    expect(docs('users').find((user) => user._id === 'planted-keys')).not.toHaveProperty('loginCount');
  });

  it('given a users document planted after the victim signed up, the victim still signs in to their own user', async () => {
    const caller = { openid: 'o-victim-late', appid: 'wx-plant', unionid: 'u-victim-late' };
    const first = await callLogin(caller);
    await emulator.database.importCollection(
      'users',
      JSON.stringify({ _id: 'a-planted-late', _openid: 'o-attacker', identityKeys: ['wx-openid:wx-plant:o-victim-late'] }),
    );

    const returning = await callLogin(caller);

    expect(returning.response.data?.user).toMatchObject({ id: first.response.data?.user.id, loginCount: 2 });
    // The planter would otherwise watch the victim's logins on it.
    expect(docs('users').find((user) => user._id === 'a-planted-late')).not.toHaveProperty('loginCount');
  });

  it('given a planted legacy document naming the victim’s openid, it is never adopted: no ban, no planted profile', async () => {
    await emulator.database.importCollection(
      'users',
      [
        JSON.stringify({ _id: 'planted-ban', _openid: 'o-attacker', openid: 'o-victim-ban', status: 'banned' }),
        JSON.stringify({
          _id: 'planted-profile',
          _openid: 'o-attacker',
          openid: 'o-victim-profile',
          nickName: '客服',
          avatarUrl: 'https://tracker.example/pixel.png',
        }),
      ].join('\n'),
    );

    const banned = await callLogin({ openid: 'o-victim-ban', appid: 'wx-plant' });
    const profiled = await callLogin({ openid: 'o-victim-profile', appid: 'wx-plant' });

    expect(banned.response).toMatchObject({ ok: true, data: { isNewUser: true } });
    expect(profiled.response).toMatchObject({ ok: true, data: { isNewUser: true, user: { nickName: '' } } });
    expect(JSON.stringify(profiled.response)).not.toContain('tracker.example');
    expect(docs('users').find((user) => user._id === 'planted-ban')).not.toHaveProperty('identityKeys');
  });

  it('given an adopted legacy document (written by the caller itself), a returning login makes one round trip', async () => {
    await emulator.database.importCollection('users', JSON.stringify({ _id: 'legacy-own', _openid: 'o-legacy-own', nickName: '自己' }));
    const caller = { openid: 'o-legacy-own', appid: 'wx-legacy-own' };
    const adopted = await callLogin(caller);
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    try {
      const returning = await callLogin(caller);

      expect(adopted.response.data).toMatchObject({ isNewUser: false, user: { id: 'legacy-own', nickName: '自己' } });
      expect(returning.response.data?.user).toMatchObject({ id: 'legacy-own', loginCount: 2 });
      expect(returning.roundTrips).toBe(1);
    } finally {
      latency.remove();
    }
  });

  it('given identity fields in the event, uses only the WeChat context', async () => {
    const victim = await callLogin({ openid: 'o-victim', appid: 'wx-spoof' });
    const attacker = await callLogin(
      { openid: 'o-attacker', appid: 'wx-spoof' },
      {
        action: 'login',
        openid: 'o-victim',
        unionid: 'u-x',
        userId: victim.response.data?.user.id,
        _id: 'x',
        userInfo: { openId: 'o-victim' },
      },
    );

    expect(attacker.response.data?.user.id).not.toBe(victim.response.data?.user.id);
    expect(usersHolding('wx-openid:wx-spoof:o-attacker')).toHaveLength(1);
    expect(docs('identities').some((identity) => identity._id === 'wx-unionid:u-x')).toBe(false);
  });

  it('given no OPENID (an HTTP or server call), answers UNAUTHENTICATED with no database request', async () => {
    const invocation = await callLogin({ appid: 'wx-http' });

    expect(invocation.response).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(invocation.requests).toEqual([]);
  });

  it('given a database failure in the middle of a first login, a retry ends with one user and no dangling identity', async () => {
    const caller = { openid: 'o-fault', appid: 'wx-fault', unionid: 'u-fault' };
    const fault = emulator.faults.add({
      action: 'database.insertDocument',
      collection: 'users',
      times: 1,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected write failure' },
    });
    const failed = await callLogin(caller);
    fault.remove();
    expect(failed.response).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
    expect(JSON.stringify(failed.response)).not.toContain('injected');

    const retried = await callLogin(caller);

    expect(retried.response.ok).toBe(true);
    expect(usersHolding('wx-unionid:u-fault')).toHaveLength(1);
    const userIds = new Set(docs('users').map((user) => user._id));
    for (const identity of docs('identities')) expect(userIds.has(identity.userId)).toBe(true);
  });

  it.each([
    ["the emulator's DATABASE_DUPLICATE_WRITE answer", false],
    ['DATABASE_REQUEST_FAILED (-502001) with the E11000 text', true],
  ])('given an identity already claimed, recognises the duplicate from %s and joins the owner', async (_shape, inject) => {
    const openid = `o-claimed-${inject ? 'b' : 'a'}`;
    const owner = `pre-claimed-${inject ? 'b' : 'a'}`;
    // A racer claimed the identity and has not inserted its user yet.
    await emulator.database.importCollection(
      'identities',
      JSON.stringify({ _id: `wx-openid:wx-dup:${openid}`, userId: owner, provider: 'wx-openid' }),
    );
    const fault = inject
      ? emulator.faults.add({
          action: 'database.insertDocument',
          collection: 'identities',
          times: 1,
          error: {
            code: 'DATABASE_REQUEST_FAILED',
            message: `E11000 duplicate key error collection: identities index: _id_ dup key: { _id: "wx-openid:wx-dup:${openid}" }`,
          },
        })
      : undefined;

    const { response } = await callLogin({ openid, appid: 'wx-dup' });
    fault?.remove();

    expect(response).toMatchObject({ ok: true, data: { user: { id: owner } } });
    expect(docs('users').filter((user) => user._id === owner)).toHaveLength(1);
  });

  it('given it had to create the collections itself, logged that they must be made ADMINONLY', () => {
    const log = functionOutput.join('');
    expect(log).toContain('created collection users: set its permission to ADMINONLY');
    expect(log).toContain('created collection identities: set its permission to ADMINONLY');
  });
});
