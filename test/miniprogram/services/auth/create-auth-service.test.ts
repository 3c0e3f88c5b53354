import type { AuthServiceOptions } from '../../../../miniprogram/services/auth/create-auth-service';
import { createAuthService, DEFAULT_SESSION_TTL_MS } from '../../../../miniprogram/services/auth/create-auth-service';
import { ServiceError } from '../../../../miniprogram/services/service-error';
import { isPublicUser, isUnlinkIdentityData } from '../../../../miniprogram/services/response-guards';
import { sessionKey } from '../../../../miniprogram/services/auth/session-store';
import type { PublicUser } from '../../../../typings/contract';
import type { FakeClock } from '../../support/fake-clock';
import { createFakeClock } from '../../support/fake-clock';
import type { FakeCloud } from '../../support/fake-cloud';
import { createFakeCloud, deferred } from '../../support/fake-cloud';
import type { MemoryStorage } from '../../support/memory-storage';
import { createMemoryStorage } from '../../support/memory-storage';
import { aLinkOffer, failureWithDetails } from '../../support/accounts';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';

const SCOPE = { envId: 'prod-env', appId: 'wx-app-a' };
const KEY = sessionKey(SCOPE);
const HOUR = 60 * 60 * 1000;
const NICK = { nickName: '小明' };

interface Harness {
  storage: MemoryStorage;
  cloud: FakeCloud;
  clock: FakeClock;
  reported: ServiceError[];
  service: ReturnType<typeof createAuthService>;
}

function setup(options: Partial<AuthServiceOptions> & { stored?: Record<string, string> } = {}): Harness {
  const storage = createMemoryStorage(options.stored);
  const cloud = createFakeCloud(() => loginAnswer());
  const clock = createFakeClock();
  const reported: ServiceError[] = [];
  const service = createAuthService({
    storage,
    cloud,
    clock,
    scope: SCOPE,
    reportError: (error) => reported.push(error),
    ...options,
  });
  return { storage, cloud, clock, reported, service };
}

function storedSession(user: PublicUser, savedAt: number): string {
  return JSON.stringify({ savedAt, user });
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** The protected action these tests call: updateProfile answers `{ user }`. */
const isProfileData = (value: unknown): value is { user: PublicUser } =>
  typeof value === 'object' && value !== null && isPublicUser((value as { user?: unknown }).user);

function profileAnswer(nickName: string): { ok: true; data: { user: PublicUser } } {
  return { ok: true, data: { user: aUser({ nickName }) } };
}

describe('createAuthService', () => {
  describe('cached launch: the first frame from the cache, then one revalidation', () => {
    const REVALIDATION = { action: 'login', existingOnly: true };

    it('given a fresh cached user, currentUser() and ensureLogin() answer from the cache: no cloud call before the first frame', async () => {
      const clock = createFakeClock();
      const user = aUser();
      const { service, cloud } = setup({ clock, stored: { [KEY]: storedSession(user, clock.now() - HOUR) } });

      expect(service.currentUser()).toEqual(user);
      await expect(service.ensureLogin()).resolves.toEqual(user);

      expect(cloud.calls).toHaveLength(0);
    });

    it('given a fresh cached user, revalidate() after the first frame asks once, creating nothing, and later calls of the launch ask nothing', async () => {
      const clock = createFakeClock();
      const { service, cloud } = setup({ clock, stored: { [KEY]: storedSession(aUser(), clock.now() - HOUR) } });

      await service.revalidate();
      await service.revalidate();
      await service.revalidate();

      expect(cloud.calls).toEqual([{ name: 'login', data: REVALIDATION }]);
    });

    it('given WeChat cleared the nickname and avatar since the cache was written, the revalidation brings the cleared user and its notice', async () => {
      const clock = createFakeClock();
      const cached = aUser({ nickName: '旧昵称', avatarUrl: 'https://example.test/a.png' });
      const cleared = aUser({ nickName: '', avatarUrl: '' });
      const { service, cloud, storage } = setup({ clock, stored: { [KEY]: storedSession(cached, clock.now() - HOUR) } });
      const notice = { kind: 'profile-cleared-by-wechat', at: 1_700_000_000_000 };
      cloud.answer(() => ({ ok: true, data: { user: cleared, isNewUser: false, notices: [notice] } }));

      await expect(service.revalidate()).resolves.toEqual(cleared);

      expect(service.currentUser()).toEqual(cleared);
      expect(JSON.parse(storage.getItem(KEY) ?? '')).toEqual({ savedAt: clock.now(), user: cleared });
      expect(service.takeAccountNotices()).toEqual([notice]);
      expect(service.takeSessionNotice()).toBeNull();
    });

    it('given a cached user older than the TTL, it still renders at once and the revalidation replaces it after the first frame', async () => {
      const clock = createFakeClock();
      const stale = aUser({ nickName: '旧昵称' });
      const fresh = aUser({ nickName: '新昵称', loginCount: 4 });
      const { service, cloud, storage } = setup({
        clock,
        stored: { [KEY]: storedSession(stale, clock.now() - DEFAULT_SESSION_TTL_MS - 1) },
      });
      const answer = deferred<unknown>();
      cloud.answer(() => answer.promise);

      expect(service.currentUser()).toEqual(stale);
      expect(cloud.calls).toHaveLength(0);

      const refreshed = service.revalidate();
      expect(cloud.actions()).toEqual(['login']);
      expect(service.currentUser()).toEqual(stale); // while the revalidation is in flight

      answer.resolve(loginAnswer(fresh));
      await expect(refreshed).resolves.toEqual(fresh);
      expect(service.currentUser()).toEqual(fresh);
      expect(JSON.parse(storage.entries.get(KEY) ?? '')).toEqual({ savedAt: clock.now(), user: fresh });
    });

    it.each([
      ['USER_NOT_FOUND', 'account-gone'],
      ['USER_BANNED', 'banned'],
    ] as const)(
      'given the revalidation answers %s, the session ends: cache cleared, a notice (%s), no new account, nothing reported',
      async (code, reason) => {
        const { service, cloud, storage, reported } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
        cloud.answer(() => failureAnswer(code));

        await expect(service.revalidate()).resolves.toBeNull();

        expect(service.currentUser()).toBeNull();
        expect(storage.entries.has(KEY)).toBe(false);
        expect(service.takeSessionNotice()).toEqual({ kind: 'signed-out', reason });
        expect(cloud.calls).toHaveLength(1);
        expect(reported).toEqual([]);
      },
    );

    it('given a login of someone logged out answered USER_NOT_FOUND (the account vanished under it), there is no session to end and nothing to tell', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => failureAnswer('USER_NOT_FOUND'));

      await expect(service.login()).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });

      expect(service.takeSessionNotice()).toBeNull();
    });

    it('two pages revalidating at once (onReady of both) share one call, and both see its answer', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser({ nickName: '旧' }), Date.now()) } });
      cloud.answer(() => loginAnswer(aUser({ nickName: '新' })));

      const [first, second] = await Promise.all([service.revalidate(), service.revalidate()]);

      expect([first?.nickName, second?.nickName]).toEqual(['新', '新']);
      expect(cloud.calls).toHaveLength(1);
    });

    it('the revalidation is the single-flight login: login() and ensureServerUser() during it join it, no second login', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      const answer = deferred<unknown>();
      cloud.answer(() => answer.promise);

      const revalidated = service.revalidate();
      const joined = [service.login(), service.ensureServerUser(), service.ensureLogin()];
      answer.resolve(loginAnswer(aUser({ nickName: '新' })));
      await Promise.all([revalidated, ...joined]);

      expect(cloud.calls).toEqual([{ name: 'login', data: REVALIDATION }]);
    });

    it('a revalidation started while a login is in flight joins that login', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });

      await Promise.all([service.login(), service.revalidate()]);

      expect(cloud.calls).toEqual([{ name: 'login', data: { action: 'login' } }]);
    });

    it('given a login this launch already answered (the login page), revalidate() asks nothing', async () => {
      const { service, cloud } = setup();
      await service.login();

      await service.revalidate();

      expect(cloud.actions()).toEqual(['login']);
    });

    it('a relaunch (a new service over the same storage) revalidates once again', async () => {
      const { service, cloud, storage, clock } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      await service.revalidate();
      const relaunched = createAuthService({ storage, cloud, clock, scope: SCOPE });

      await relaunched.revalidate();
      await relaunched.revalidate();

      expect(cloud.calls).toHaveLength(2);
    });

    it('a launch kept running past the TTL revalidates again (the configured TTL)', async () => {
      const clock = createFakeClock();
      const { service, cloud } = setup({ clock, ttlMs: 1000, stored: { [KEY]: storedSession(aUser(), clock.now()) } });
      await service.revalidate();

      clock.advance(999);
      await service.revalidate();
      expect(cloud.calls).toHaveLength(1);

      clock.advance(1);
      await service.revalidate();
      expect(cloud.calls).toHaveLength(2);
    });

    it('given a background revalidation that lands in another existing account (this WeChat was linked elsewhere), the old account is gone from the cache and a notice says so', async () => {
      const clock = createFakeClock();
      const { service, cloud, storage } = setup({ clock, stored: { [KEY]: storedSession(aUser({ nickName: '原账号' }), 0) } });
      cloud.answer(() => loginAnswer(aUser({ id: 'user-other', nickName: '' })));

      await service.revalidate();

      expect(service.currentUser()).toMatchObject({ id: 'user-other', nickName: '' });
      expect(storage.getItem(KEY)).not.toContain('原账号');
      expect(service.takeSessionNotice()).toEqual({ kind: 'account-changed', isNewUser: false });
    });

    it('given a revalidation of the same account, tells nothing', async () => {
      const { service } = setup({ stored: { [KEY]: storedSession(aUser(), 0) } });
      await service.revalidate();
      expect(service.takeSessionNotice()).toBeNull();
    });

    it('given a failing revalidation (offline), keeps the cached user, reports the error, and does not ask again this launch', async () => {
      const clock = createFakeClock();
      const cached = aUser();
      const { service, cloud, reported } = setup({ clock, stored: { [KEY]: storedSession(cached, clock.now() - HOUR) } });
      cloud.answer(() => {
        throw new ServiceError('NETWORK', 'request:fail');
      });

      await expect(service.revalidate()).resolves.toEqual(cached);
      await expect(service.revalidate()).resolves.toEqual(cached);

      expect(service.currentUser()).toEqual(cached);
      expect(reported.map((error) => error.code)).toEqual(['NETWORK']);
      expect(cloud.calls).toHaveLength(1);
    });

    it('when logged out, revalidate() calls nothing', async () => {
      const { service, cloud } = setup();

      await expect(service.revalidate()).resolves.toBeNull();

      expect(cloud.calls).toHaveLength(0);
    });

    it('refreshIfStale() is the same function as revalidate() (the name before it ran every launch)', () => {
      const { service } = setup();
      expect(service.refreshIfStale).toBe(service.revalidate);
    });
  });

  describe('cache validation', () => {
    it.each([
      ['not JSON', '{"savedAt": 1, "user": '],
      ['JSON of another shape', JSON.stringify({ user: aUser() })],
      ['a user without an id', JSON.stringify({ savedAt: 1, user: { ...aUser(), id: '' } })],
      ['a null', 'null'],
    ])('given %s under the session key, counts as logged out and removes it', (_label, raw) => {
      const { service, storage } = setup({ stored: { [KEY]: raw } });

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.has(KEY)).toBe(false);
    });

    it('removes entries of an older format version and of other envs and appids, keeping its own', () => {
      const user = aUser();
      const older = 'wx-cloud-login:session:v0:wx-app-a:prod-env';
      const otherEnv = sessionKey({ envId: 'test-env', appId: SCOPE.appId });
      const otherApp = sessionKey({ envId: SCOPE.envId, appId: 'wx-app-b' });
      const unrelated = 'some-other-feature';
      const { service, storage } = setup({
        stored: {
          [older]: storedSession(aUser({ id: 'old' }), 1),
          [otherEnv]: storedSession(aUser({ id: 'other-env' }), 1),
          [otherApp]: storedSession(aUser({ id: 'other-app' }), 1),
          [unrelated]: 'kept',
          [KEY]: storedSession(user, 1),
        },
      });

      expect(service.currentUser()).toEqual(user);
      expect([...storage.entries.keys()].sort()).toEqual([KEY, unrelated].sort());
    });

    it("given only another env's entry, is logged out", () => {
      const otherEnv = sessionKey({ envId: 'test-env', appId: SCOPE.appId });
      const { service, storage } = setup({ stored: { [otherEnv]: storedSession(aUser(), 1) } });

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.size).toBe(0);
    });
  });

  describe('login()', () => {
    it('calls the login function with the login action and stores the user with the time it was saved', async () => {
      const { service, cloud, storage, clock } = setup();
      const user = aUser({ nickName: '云登录' });
      cloud.answer(() => loginAnswer(user, true));

      await expect(service.login()).resolves.toEqual({ user, isNewUser: true });

      expect(cloud.calls).toEqual([{ name: 'login', data: { action: 'login' } }]);
      expect(service.currentUser()).toEqual(user);
      expect(JSON.parse(storage.entries.get(KEY) ?? '')).toEqual({ savedAt: clock.now(), user });
    });

    it('keeps the notices a login answered, of kinds it knows, until takeAccountNotices takes them; logout forgets them', async () => {
      const { service, cloud } = setup();
      const notices = [
        { kind: 'linked-by-phone', at: 1_700_000_000_000 },
        { kind: 'from-a-newer-server', at: 1 },
        { kind: 'linked-by-phone', at: 'yesterday' },
      ];
      cloud.answer(() => ({ ok: true, data: { user: aUser(), isNewUser: false, notices } }));

      await service.login();
      expect(service.takeAccountNotices()).toEqual([{ kind: 'linked-by-phone', at: 1_700_000_000_000 }]);
      expect(service.takeAccountNotices()).toEqual([]);

      await service.login();
      service.logout();
      expect(service.takeAccountNotices()).toEqual([]);
    });

    it.each([
      ['nothing', undefined],
      ['a string', 'ok'],
      ['ok without data', { ok: true }],
      ['a user of the wrong shape', { ok: true, data: { user: { id: 1 }, isNewUser: false } }],
      ['data without isNewUser', { ok: true, data: { user: aUser() } }],
      ['a failure without a message', { ok: false, error: { code: 'INTERNAL' } }],
      ['ok as a string', { ok: 'true', data: { user: aUser(), isNewUser: false } }],
      [
        'a user without the phone fields of the contract',
        { ok: true, data: { user: { ...aUser(), hasPhone: undefined }, isNewUser: false } },
      ],
    ])('rejects a malformed answer (%s) with INVALID_RESPONSE and caches nothing', async (_label, answer) => {
      const { service, cloud, storage } = setup();
      cloud.answer(() => answer);

      expect((await rejection(service.login())).code).toBe('INVALID_RESPONSE');

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.size).toBe(0);
    });

    it('turns a server failure into a ServiceError with the server code', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => failureAnswer('INTERNAL', 'database down'));

      const error = await rejection(service.login());

      expect(error.code).toBe('INTERNAL');
      expect(error.detail).toBe('database down');
    });

    it('maps a server code this build does not know to UNKNOWN, keeping it in the detail', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => ({ ok: false, error: { code: 'FROM_THE_FUTURE', message: 'new' } }));

      const error = await rejection(service.login());

      expect(error.code).toBe('UNKNOWN');
      expect(error.detail).toContain('FROM_THE_FUTURE');
    });

    it('passes client errors of the cloud call through and wraps anything else as UNKNOWN', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => {
        throw new ServiceError('TIMEOUT', 'no answer');
      });
      expect((await rejection(service.login())).code).toBe('TIMEOUT');

      cloud.answer(() => {
        throw new TypeError('boom');
      });
      expect((await rejection(service.login())).code).toBe('UNKNOWN');
    });

    it('given a banned user, rejects with USER_BANNED and forgets the cached user', async () => {
      const { service, cloud, storage } = setup({ stored: { [KEY]: storedSession(aUser(), 0) } });
      cloud.answer(() => failureAnswer('USER_BANNED'));

      expect((await rejection(service.login())).code).toBe('USER_BANNED');

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.has(KEY)).toBe(false);
    });

    it('when storage is full, still logs in for this run and reports the failed write', async () => {
      const { service, storage, reported } = setup();
      storage.failWrites(true);

      await service.login();

      expect(service.currentUser()).toEqual(aUser());
      expect(reported).toHaveLength(1);
      expect(reported[0]?.detail).toContain('caching the session failed');
    });
  });

  describe('single flight', () => {
    it('ten concurrent ensureLogin() calls while logged out make exactly one cloud call', async () => {
      const { service, cloud } = setup();
      const answer = deferred<unknown>();
      cloud.answer(() => answer.promise);

      const pending = Array.from({ length: 10 }, () => service.ensureLogin());
      answer.resolve(loginAnswer());
      const users = await Promise.all(pending);

      expect(cloud.calls).toHaveLength(1);
      expect(new Set(users.map((user) => user.id))).toEqual(new Set(['user-1']));
    });

    it('ten concurrent protected calls while logged out make one login call, then their own calls', async () => {
      const { service, cloud } = setup();
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer() : profileAnswer(String(data.nickName))));

      const results = await Promise.all(
        Array.from({ length: 10 }, (_unused, n) => service.callWithLogin('updateProfile', { nickName: `n${n}` }, isProfileData)),
      );

      expect(cloud.actions().filter((action) => action === 'login')).toHaveLength(1);
      expect(cloud.actions().filter((action) => action === 'updateProfile')).toHaveLength(10);
      expect(results.map((result) => result.user.nickName)).toEqual(Array.from({ length: 10 }, (_unused, n) => `n${n}`));
    });

    it('login() and ensureLogin() racing share one call, and a later login() makes a new one', async () => {
      const { service, cloud } = setup();

      await Promise.all([service.login(), service.ensureLogin(), service.login()]);
      expect(cloud.calls).toHaveLength(1);

      await service.login();
      expect(cloud.calls).toHaveLength(2);
    });

    it('a failed login does not stick: the next attempt calls again', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => {
        throw new ServiceError('NETWORK', 'offline');
      });
      await rejection(service.login());

      cloud.answer(() => loginAnswer());
      await expect(service.login()).resolves.toEqual(loginAnswer().data);
      expect(cloud.calls).toHaveLength(2);
    });
  });

  describe('callWithLogin()', () => {
    it('with a cached user, calls the action directly with its payload', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => profileAnswer('小红'));

      await expect(service.callWithLogin('updateProfile', { nickName: '小红' }, isProfileData)).resolves.toEqual(
        profileAnswer('小红').data,
      );

      expect(cloud.calls).toEqual([{ name: 'login', data: { action: 'updateProfile', nickName: '小红' } }]);
    });

    it('the payload cannot replace the action, even from untyped code', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => profileAnswer('x'));
      const untyped = { action: 'deleteAccount', confirm: true } as unknown as { nickName: string };

      await service.callWithLogin('updateProfile', untyped, isProfileData);

      expect(cloud.calls[0]?.data.action).toBe('updateProfile');
    });

    it('when the server answers UNAUTHENTICATED once, logs in again and retries once', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      let updates = 0;
      cloud.answer(({ data }) => {
        if (data.action === 'login') return loginAnswer();
        updates += 1;
        return updates === 1 ? failureAnswer('UNAUTHENTICATED') : profileAnswer('second try');
      });

      await expect(service.callWithLogin('updateProfile', NICK, isProfileData)).resolves.toEqual(profileAnswer('second try').data);

      expect(cloud.actions()).toEqual(['updateProfile', 'login', 'updateProfile']);
    });

    it('when this WeChat no longer signs in to the account (USER_NOT_FOUND), signs out at once and never logs in to a new one', async () => {
      const { service, cloud, storage } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer(aUser({ id: 'user-2' }), true) : failureAnswer('USER_NOT_FOUND')));

      const error = await rejection(service.callWithLogin('updateProfile', NICK, isProfileData));

      expect(error.code).toBe('USER_NOT_FOUND');
      expect(cloud.actions()).toEqual(['updateProfile']);
      expect(service.currentUser()).toBeNull();
      expect(storage.getItem(KEY)).toBeNull();
      expect(service.takeSessionNotice()).toEqual({ kind: 'signed-out', reason: 'account-gone' });
      expect(service.takeSessionNotice()).toBeNull();
    });

    it('after such a sign-out, the login that creates a new account says so', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer(aUser({ id: 'user-2' }), true) : failureAnswer('USER_NOT_FOUND')));
      await rejection(service.callWithLogin('updateProfile', NICK, isProfileData));

      expect((await service.login()).isNewUser).toBe(true);

      expect(service.takeSessionNotice()).toEqual({ kind: 'account-changed', isNewUser: true });
      expect(service.currentUser()?.id).toBe('user-2');
    });

    it('with relogin: false, UNAUTHENTICATED is the answer: no new login, no retry (an account must not be created to delete it)', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer(aUser({ id: 'user-2' }), true) : failureAnswer('UNAUTHENTICATED')));

      const error = await rejection(service.callWithLogin('updateProfile', NICK, isProfileData, { relogin: false }));

      expect(error.code).toBe('UNAUTHENTICATED');
      expect(cloud.actions()).toEqual(['updateProfile']);
      expect(service.currentUser()?.id).toBe('user-1');
    });

    it('when the server keeps answering UNAUTHENTICATED, stops after the retry bound with AUTH_RETRY_EXHAUSTED', async () => {
      const { service, cloud } = setup();
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer() : failureAnswer('UNAUTHENTICATED')));

      const error = await rejection(service.callWithLogin('updateProfile', NICK, isProfileData));

      expect(error.code).toBe('AUTH_RETRY_EXHAUSTED');
      expect(cloud.actions()).toEqual(['login', 'updateProfile', 'login', 'updateProfile']);
    });

    it('honours a larger retry bound, and still ends', async () => {
      const { service, cloud } = setup({ maxAuthRetries: 3 });
      cloud.answer(({ data }) => (data.action === 'login' ? loginAnswer() : failureAnswer('UNAUTHENTICATED')));

      expect((await rejection(service.callWithLogin('updateProfile', NICK, isProfileData))).code).toBe('AUTH_RETRY_EXHAUSTED');

      expect(cloud.actions().filter((action) => action === 'updateProfile')).toHaveLength(4);
      expect(cloud.actions().filter((action) => action === 'login')).toHaveLength(4);
    });

    it('calls rejected together log in again once', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      let loggedInAgain = false;
      cloud.answer(({ data }) => {
        if (data.action === 'login') {
          loggedInAgain = true;
          return loginAnswer();
        }
        return loggedInAgain ? profileAnswer('ok') : failureAnswer('UNAUTHENTICATED');
      });

      await Promise.all(Array.from({ length: 5 }, () => service.callWithLogin('updateProfile', NICK, isProfileData)));

      expect(cloud.actions().filter((action) => action === 'login')).toHaveLength(1);
    });

    it('when logging in fails, rejects with that failure without calling the action', async () => {
      const { service, cloud } = setup();
      cloud.answer(() => failureAnswer('INTERNAL'));

      expect((await rejection(service.callWithLogin('updateProfile', NICK, isProfileData))).code).toBe('INTERNAL');
      expect(cloud.actions()).toEqual(['login']);
    });

    it('rejects data that fails the guard with INVALID_RESPONSE', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => ({ ok: true, data: { user: { id: 1 } } }));

      expect((await rejection(service.callWithLogin('updateProfile', NICK, isProfileData))).code).toBe('INVALID_RESPONSE');
    });

    it('passes other server codes through without retrying; USER_BANNED also logs out', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => failureAnswer('INVALID_ARGUMENT'));
      expect((await rejection(service.callWithLogin('updateProfile', NICK, isProfileData))).code).toBe('INVALID_ARGUMENT');
      expect(service.currentUser()).not.toBeNull();

      cloud.answer(() => failureAnswer('USER_BANNED'));
      expect((await rejection(service.callWithLogin('updateProfile', NICK, isProfileData))).code).toBe('USER_BANNED');
      expect(service.currentUser()).toBeNull();
      expect(cloud.actions()).toEqual(['updateProfile', 'updateProfile']);
    });
  });

  describe('callForResult()', () => {
    const isPhoneData = (value: unknown): value is { user: PublicUser; phoneNumber: string } =>
      isProfileData(value) && typeof (value as { phoneNumber?: unknown }).phoneNumber === 'string';

    it('resolves a refusal as a value, its link offer checked and typed by the code', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()));

      const result = await service.callForResult('bindPhone', { code: 'code-1' }, isPhoneData);

      expect(result).toEqual({
        ok: false,
        error: { code: 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT', message: 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT (test)', details: aLinkOffer() },
      });
    });

    it('given an offer that fails the guard, the refusal arrives without details', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', { ticket: 't-1', expiresAt: 1 }));

      const result = await service.callForResult('bindPhone', { code: 'code-1' }, isPhoneData);

      expect(result).toEqual({
        ok: false,
        error: { code: 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT', message: 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT (test)' },
      });
    });

    it('given details on a code that carries none, they are not passed on', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      cloud.answer(() => failureWithDetails('LAST_IDENTITY', aLinkOffer()));

      const result = await service.callForResult('unlinkIdentity', { identityId: 'identity-1' }, isUnlinkIdentityData);

      expect(result).toEqual({ ok: false, error: { code: 'LAST_IDENTITY', message: 'LAST_IDENTITY (test)' } });
    });

    it('still logs in again on UNAUTHENTICATED, and still rejects for what is not a refusal', async () => {
      const { service, cloud } = setup({ stored: { [KEY]: storedSession(aUser(), Date.now()) } });
      let binds = 0;
      cloud.answer(({ data }) => {
        if (data.action === 'login') return loginAnswer();
        binds += 1;
        return binds === 1 ? failureAnswer('UNAUTHENTICATED') : 'not an envelope';
      });

      const error = await rejection(service.callForResult('bindPhone', { code: 'code-1' }, isPhoneData));

      expect(error.code).toBe('INVALID_RESPONSE');
      expect(cloud.actions()).toEqual(['bindPhone', 'login', 'bindPhone']);
    });
  });

  describe('logout()', () => {
    it('clears the user from memory and storage', async () => {
      const { service, storage } = setup();
      await service.login();

      service.logout();

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.has(KEY)).toBe(false);
    });

    it('a login still in flight when logging out does not bring the user back', async () => {
      const clock = createFakeClock();
      const { service, cloud, storage } = setup({ clock, stored: { [KEY]: storedSession(aUser(), 0) } });
      const answer = deferred<unknown>();
      cloud.answer(() => answer.promise);

      const refresh = service.revalidate();
      service.logout();
      answer.resolve(loginAnswer());
      await refresh;

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.has(KEY)).toBe(false);
    });

    it('after logout, the next ensureLogin() logs in again', async () => {
      const { service, cloud } = setup();
      await service.login();
      service.logout();

      await service.ensureLogin();

      expect(cloud.calls).toHaveLength(2);
    });
  });

  describe('saveUser()', () => {
    it('replaces the cached user (e.g. after a profile update) without a cloud call', async () => {
      const { service, cloud, storage } = setup();
      await service.login();
      const updated = aUser({ nickName: '改过的昵称' });

      service.saveUser(updated);

      expect(service.currentUser()).toEqual(updated);
      expect(JSON.parse(storage.entries.get(KEY) ?? '').user).toEqual(updated);
      expect(cloud.calls).toHaveLength(1);
    });

    it('is ignored when logged out, so a late answer cannot log the person back in', () => {
      const { service, storage } = setup();

      service.saveUser(aUser());

      expect(service.currentUser()).toBeNull();
      expect(storage.entries.size).toBe(0);
    });
  });
});

describe('what the cache keeps', () => {
  it('given a login answer with fields the contract does not name, caches and shows only the PublicUser fields', async () => {
    const { storage, cloud, service } = setup();
    cloud.answer(() => ({ ok: true, data: { isNewUser: false, user: { ...aUser(), openid: 'o-secret', html: '<b>x</b>' } } }));

    const { user } = await service.login();

    expect(user).toEqual(aUser());
    expect(service.currentUser()).toEqual(aUser());
    expect(JSON.parse(storage.getItem(KEY) ?? '{}').user).toEqual(aUser());
  });

  it('given a cached user with extra fields (storage rewritten on the device), reads back only the PublicUser fields', () => {
    const tampered = { ...aUser(), isAdmin: true, nickName: '小明' };
    const { service } = setup({ stored: { [KEY]: JSON.stringify({ savedAt: 0, user: tampered }) } });

    expect(service.currentUser()).toEqual(aUser({ nickName: '小明' }));
  });

  it('ensureServerUser: given only a cached user of an earlier run, logs in; after that, answers without a call', async () => {
    const { cloud, service } = setup({ stored: { [KEY]: storedSession(aUser({ id: 'someone-else' }), 0) } });
    cloud.answer(() => loginAnswer(aUser({ id: 'user-1' })));

    expect((await service.ensureServerUser()).id).toBe('user-1');
    expect((await service.ensureServerUser()).id).toBe('user-1');
    expect(cloud.calls).toHaveLength(1);
  });
});
