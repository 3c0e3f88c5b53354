import type { UserDoc } from '../../../../cloudfunctions/login/src/model';
import { login } from '../../../../cloudfunctions/login/src/actions/login';
import { AppError } from '../../../../cloudfunctions/login/src/rules/errors';
import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';
import { createTestDeps } from '../support/deps';

const alice: WxIdentity = { appid: 'wxapp1', openid: 'o-alice' };

describe('login', () => {
  it('given a new person, creates one user with every identity claimed', async () => {
    const deps = createTestDeps();
    const { user, isNewUser } = await login({ ...alice, unionid: 'u-alice' }, deps);

    expect(isNewUser).toBe(true);
    expect(user).toMatchObject({ nickName: '', avatarUrl: '', loginCount: 1 });
    expect([...deps.store.users.keys()]).toEqual([user.id]);
    expect(Object.fromEntries([...deps.store.identities].map(([key, v]) => [key, v.userId]))).toEqual({
      'wx-unionid:u-alice': user.id,
      'wx-openid:wxapp1:o-alice': user.id,
    });
  });

  it('given a returning person, records the login with one store round trip', async () => {
    const deps = createTestDeps();
    const first = await login(alice, deps);
    deps.clock.now = new Date('2026-01-02T00:00:00Z');
    const before = { ...deps.store.calls };

    const second = await login(alice, deps);

    expect(second.isNewUser).toBe(false);
    expect(second.user.id).toBe(first.user.id);
    expect(second.user.loginCount).toBe(2);
    expect(second.user.lastLoginAt).toBe(Date.parse('2026-01-02T00:00:00Z'));
    expect(second.user.createdAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
    const callsMade = Object.entries(deps.store.calls).filter(([m, n]) => n !== (before[m] ?? 0));
    expect(callsMade).toEqual([['stampAndFind', (before.stampAndFind ?? 0) + 1]]);
    expect(deps.store.users.get(first.user.id)?.loginCount).toBe(2);
  });

  it('given 100 simultaneous first logins of one person, creates exactly one user and counts every login', async () => {
    const deps = createTestDeps();
    const results = await Promise.all(Array.from({ length: 100 }, () => login({ ...alice, unionid: 'u-a' }, deps)));

    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(deps.store.users.size).toBe(1);
    expect(results.filter((r) => r.isNewUser)).toHaveLength(1);
    expect([...deps.store.users.values()][0]?.loginCount).toBe(100);
  });

  it('given the parallel read missed a user a racer created while the update recorded the login, counts it once', async () => {
    const deps = createTestDeps();
    const { user } = await login(alice, deps);
    const stampAndFind = deps.store.stampAndFind.bind(deps.store);
    deps.store.stampAndFind = async (...args) => {
      const found = await stampAndFind(...args);
      const stored = deps.store.users.get(user.id);
      // Another simultaneous login records itself after ours, so lastLoginId no longer tells.
      if (stored) Object.assign(stored, { loginCount: (stored.loginCount ?? 0) + 1, lastLoginId: 'someone-else' });
      return { ...found, users: [] };
    };

    await login(alice, deps);

    expect(deps.store.users.get(user.id)?.loginCount).toBe(3);
  });

  it('given the same unionid in a second mini-program, logs in to the same user and attaches its openid', async () => {
    const deps = createTestDeps();
    const inApp1 = await login({ appid: 'wxapp1', openid: 'o-1', unionid: 'u-bob' }, deps);
    const inApp2 = await login({ appid: 'wxapp2', openid: 'o-2', unionid: 'u-bob' }, deps);

    expect(inApp2.user.id).toBe(inApp1.user.id);
    expect(inApp2.isNewUser).toBe(false);
    expect(inApp2.user.loginCount).toBe(2);
    expect(deps.store.users.get(inApp1.user.id)?.identityKeys).toEqual(
      expect.arrayContaining(['wx-unionid:u-bob', 'wx-openid:wxapp1:o-1', 'wx-openid:wxapp2:o-2']),
    );
    expect(deps.store.identities.get('wx-openid:wxapp2:o-2')?.userId).toBe(inApp1.user.id);
  });

  it('given a user first seen without unionid, backfills the unionid when it appears', async () => {
    const deps = createTestDeps();
    const before = await login(alice, deps);
    const after = await login({ ...alice, unionid: 'u-alice' }, deps);

    expect(after.user.id).toBe(before.user.id);
    expect(deps.store.identities.get('wx-unionid:u-alice')?.userId).toBe(before.user.id);
    expect(deps.store.users.get(before.user.id)?.identityKeys).toContain('wx-unionid:u-alice');
    const fromOtherApp = await login({ appid: 'wxapp2', openid: 'o-x', unionid: 'u-alice' }, deps);
    expect(fromOtherApp.user.id).toBe(before.user.id);
  });

  it('given a unionid already owned by another user, keeps both accounts apart and logs it', async () => {
    const deps = createTestDeps();
    const openidOnly = await login(alice, deps);
    const other = await login({ appid: 'wxapp2', openid: 'o-2', unionid: 'u-alice' }, deps);
    const again = await login({ ...alice, unionid: 'u-alice' }, deps);

    expect(again.user.id).toBe(openidOnly.user.id);
    expect(deps.store.identities.get('wx-unionid:u-alice')?.userId).toBe(other.user.id);
    expect(deps.logged.some((line) => line.includes('another user'))).toBe(true);

    // Remembered: later logins are back to one round trip instead of claiming the key again.
    const before = { ...deps.store.calls };
    await login({ ...alice, unionid: 'u-alice' }, deps);
    const callsMade = Object.entries(deps.store.calls).filter(([method, count]) => count !== (before[method] ?? 0));
    expect(callsMade.map(([method]) => method)).toEqual(['stampAndFind']);
  });

  it("given an identity left pointing at a deleted user, takes it over for the person's account", async () => {
    const deps = createTestDeps();
    const inApp1 = await login({ appid: 'wxapp1', openid: 'o-1', unionid: 'u-carol' }, deps);
    deps.store.identities.set('wx-openid:wxapp2:o-2', { userId: 'deleted-user', createdAt: new Date(0), provider: 'wx-openid' });

    const inApp2 = await login({ appid: 'wxapp2', openid: 'o-2', unionid: 'u-carol' }, deps);

    expect(inApp2.user.id).toBe(inApp1.user.id);
    expect(deps.store.identities.get('wx-openid:wxapp2:o-2')?.userId).toBe(inApp1.user.id);
    expect(deps.store.users.get(inApp1.user.id)?.identityKeys).toContain('wx-openid:wxapp2:o-2');
  });

  it('given a legacy tutorial document, adopts it with its _id and removes session_key', async () => {
    const deps = createTestDeps();
    deps.store.users.set('legacy1', {
      _id: 'legacy1',
      _openid: 'o-alice',
      nickName: '老用户',
      avatarUrl: 'https://example.com/a.png',
      session_key: 'c2VjcmV0',
    });

    const { user, isNewUser } = await login(alice, deps);

    expect(isNewUser).toBe(false);
    expect(user).toMatchObject({ id: 'legacy1', nickName: '老用户', avatarUrl: 'https://example.com/a.png' });
    expect(JSON.stringify(user)).not.toContain('session_key');
    const stored = deps.store.users.get('legacy1');
    expect(stored).not.toHaveProperty('session_key');
    expect(stored?.identityKeys).toEqual(['wx-openid:wxapp1:o-alice']);
    expect(deps.store.users.size).toBe(1);
    expect((await login(alice, deps)).user.id).toBe('legacy1');
  });

  it('given a legacy document with secrets in every spelling at every depth, adoption leaves none of them', async () => {
    const deps = createTestDeps();
    deps.store.users.set('legacy2', {
      _id: 'legacy2',
      _openid: 'o-alice',
      nickName: '老用户',
      skey: 's1',
      'session-key': 's2',
      sk: 's3',
      access_token: 's4',
      userInfo: { nickName: '老用户', session_key: 's5', city: '杭州' } as UserDoc['userInfo'],
      auth: { wechat: { refresh_token: 's6', scope: 'snsapi' }, providers: [{ name: 'qq', accessToken: 's7' }] },
    });

    expect((await login(alice, deps)).user.id).toBe('legacy2');

    const stored = deps.store.users.get('legacy2');
    expect(JSON.stringify(stored)).not.toMatch(/"s[1-7]"/);
    expect(stored).toMatchObject({
      nickName: '老用户',
      userInfo: { nickName: '老用户', city: '杭州' },
      auth: { wechat: { scope: 'snsapi' }, providers: [{ name: 'qq' }] },
    });
  });

  it('given legacy duplicates from the tutorial race, adopts the oldest and scrubs secrets from all of them, at any depth', async () => {
    const deps = createTestDeps();
    deps.store.users.set('newer', { _id: 'newer', openid: 'o-alice', createdAt: new Date('2024-02-01'), session_key: 'k2' });
    deps.store.users.set('older', { _id: 'older', openid: 'o-alice', createdAt: new Date('2024-01-01'), session_key: 'k1' });
    deps.store.users.set('nested', {
      _id: 'nested',
      openid: 'o-alice',
      createdAt: new Date('2024-03-01'),
      userInfo: { nickName: '第三份', session_key: 'k3' } as UserDoc['userInfo'],
      accounts: [{ provider: 'qq', access_token: 'k4' }],
    });
    expect((await login(alice, deps)).user.id).toBe('older');
    expect(deps.store.users.get('older')).not.toHaveProperty('session_key');
    expect(deps.store.users.get('newer')).not.toHaveProperty('session_key');
    expect(deps.store.users.get('nested')).toMatchObject({ userInfo: { nickName: '第三份' }, accounts: [{ provider: 'qq' }] });
    expect(JSON.stringify(deps.store.users.get('nested'))).not.toMatch(/k3|k4/);
  });

  it('given a banned user, refuses with USER_BANNED and records no login', async () => {
    const deps = createTestDeps();
    const { user } = await login(alice, deps);
    const stored = deps.store.users.get(user.id);
    if (stored) stored.status = 'banned';

    await expect(login(alice, deps)).rejects.toEqual(new AppError('USER_BANNED', 'This account is banned'));
    expect(deps.store.users.get(user.id)?.loginCount).toBe(1);
  });

  it('given a failure between claiming the identity and inserting the user, a retry completes the same user', async () => {
    const deps = createTestDeps();
    deps.store.failNext('insertUser');
    await expect(login({ ...alice, unionid: 'u-a' }, deps)).rejects.toThrow('injected failure');
    expect(deps.store.users.size).toBe(0);

    const retry = await login({ ...alice, unionid: 'u-a' }, deps);

    expect(retry.isNewUser).toBe(true);
    expect(deps.store.users.size).toBe(1);
    for (const { userId } of deps.store.identities.values()) expect(deps.store.users.has(userId)).toBe(true);
    expect(retry.user.id).toBe(deps.store.identities.get('wx-unionid:u-a')?.userId);
  });

  it('given a failure claiming a secondary identity, undoes the user and a retry completes it', async () => {
    const deps = createTestDeps();
    let claims = 0;
    const claim = deps.store.claimIdentity.bind(deps.store);
    deps.store.claimIdentity = async (...args) => {
      if (++claims === 2) throw new Error('injected secondary failure');
      return claim(...args);
    };
    await expect(login({ ...alice, unionid: 'u-a' }, deps)).rejects.toThrow('injected secondary failure');
    expect(deps.store.users.size).toBe(0);

    const retry = await login({ ...alice, unionid: 'u-a' }, deps);
    expect(deps.store.users.get(retry.user.id)?.identityKeys).toEqual(
      expect.arrayContaining(['wx-unionid:u-a', 'wx-openid:wxapp1:o-alice']),
    );
    expect(deps.store.identities.get('wx-openid:wxapp1:o-alice')?.userId).toBe(retry.user.id);
  });
});

describe('login and the avatar URL', () => {
  const fileID = 'cloud://test-env-1a2b.7465-test-env-1a2b-1250000000/avatars/id0001/a.png';

  async function withAvatar() {
    const deps = createTestDeps();
    const { user } = await login(alice, deps);
    deps.files.files.add(fileID);
    const stored = deps.store.users.get(user.id);
    if (stored)
      Object.assign(stored, {
        avatarFileID: fileID,
        avatarUrl: 'https://cached/a.png',
        avatarUrlExpiresAt: new Date('2026-01-02T00:00:00Z'),
      });
    return { deps, id: user.id };
  }

  it('given a cached URL still valid, answers it with one store round trip and no storage request', async () => {
    const { deps } = await withAvatar();
    deps.clock.now = new Date('2026-01-01T12:00:00Z');
    const before = { ...deps.store.calls };

    const { user } = await login(alice, deps);

    expect(user.avatarUrl).toBe('https://cached/a.png');
    expect(deps.files.urlRequests).toEqual([]);
    expect(
      Object.entries(deps.store.calls)
        .filter(([m, n]) => n !== (before[m] ?? 0))
        .map(([m]) => m),
    ).toEqual(['stampAndFind']);
  });

  it('given a URL about to expire, refreshes it once and stores it', async () => {
    const { deps, id } = await withAvatar();
    deps.clock.now = new Date('2026-01-01T23:00:00Z');

    const first = await login(alice, deps);
    const second = await login(alice, deps);

    expect(first.user.avatarUrl).toMatch(/^https:\/\/files\.test\//);
    expect(second.user.avatarUrl).toBe(first.user.avatarUrl);
    expect(deps.files.urlRequests).toEqual([fileID]);
    expect(deps.store.users.get(id)?.avatarUrlExpiresAt).toEqual(new Date('2026-01-02T23:00:00Z'));
  });

  it('given storage failing with an expired URL, still logs in, without an avatar', async () => {
    const { deps } = await withAvatar();
    deps.clock.now = new Date('2026-01-03T00:00:00Z');
    deps.files.broken = true;

    const { user } = await login(alice, deps);

    expect(user.avatarUrl).toBe('');
    expect(deps.logged).toContain('warn: avatar URL refresh failed');
  });
});

describe('login and merged accounts', () => {
  it('given an identity still pointing at a merged account, logs in to the account it was merged into', async () => {
    const deps = createTestDeps();
    deps.store.users.set('target', { _id: 'target', status: 'active', identityKeys: ['email:x'], createdAt: new Date(0) });
    deps.store.users.set('merged', { _id: 'merged', status: 'merged', mergedInto: 'target', identityKeys: [] });
    deps.store.identities.set('wx-openid:wxapp1:o-alice', { userId: 'merged', createdAt: new Date(0) });

    const { user, isNewUser } = await login(alice, deps);

    expect(user.id).toBe('target');
    expect(isNewUser).toBe(false);
    expect(deps.store.users.size).toBe(2);
  });
});

describe('a login racing 注销 (deleteAccount)', () => {
  const inSecondApp: WxIdentity = { appid: 'wxapp2', openid: 'o-alice-2', unionid: 'u-alice' };

  it('given the account is deleted between the login’s read and its write, starts over and signs in to a fresh account, never INTERNAL', async () => {
    const deps = createTestDeps();
    const first = await login({ appid: 'wxapp1', openid: 'o-alice', unionid: 'u-alice' }, deps);
    const updateUser = deps.store.updateUser.bind(deps.store);
    let raced = false;
    deps.store.updateUser = async (id, patch) => {
      if (!raced) {
        raced = true;
        // The deletion commits right here: the user and its identities go in one transaction.
        await deps.store.transaction(async (tx) => {
          const user = await tx.getUser(id);
          for (const key of user?.identityKeys ?? []) await tx.removeIdentity(key);
          await tx.removeUser(id);
        });
      }
      return updateUser(id, patch);
    };

    const answer = await login(inSecondApp, deps);

    expect(answer.isNewUser).toBe(true);
    expect(answer.user.id).not.toBe(first.user.id);
    expect(await deps.store.getUser(first.user.id)).toBeNull();
  });

  it('never re-creates a deleted account’s id for a claim that read it just before the deletion', async () => {
    const deps = createTestDeps();
    const first = await login({ appid: 'wxapp1', openid: 'o-alice', unionid: 'u-alice' }, deps);
    const claimIdentity = deps.store.claimIdentity.bind(deps.store);
    let raced = false;
    // The first login trip misses the user (already gone), the claim still reads the old owner.
    await deps.store.removeUser(first.user.id);
    deps.store.claimIdentity = async (key, userId, at) => {
      const owner = await claimIdentity(key, userId, at);
      if (!raced) {
        raced = true;
        await deps.store.removeIdentity(key);
      }
      return owner;
    };

    const answer = await login(inSecondApp, deps);

    expect(answer.user.id).not.toBe(first.user.id);
    expect(await deps.store.getUser(first.user.id)).toBeNull();
  });
});

describe('a revalidating login (existingOnly: the mini-program checking its cached session)', () => {
  const revalidating = { existingOnly: true };

  it('given a returning person, answers the account as a login does, with the same one store round trip', async () => {
    const deps = createTestDeps();
    const first = await login(alice, deps);
    const before = { ...deps.store.calls };

    const answer = await login(alice, deps, { env: '' }, revalidating);

    expect(answer).toMatchObject({ isNewUser: false, user: { id: first.user.id, loginCount: 2 } });
    const callsMade = Object.entries(deps.store.calls).filter(([m, n]) => n !== (before[m] ?? 0));
    expect(callsMade).toEqual([['stampAndFind', (before.stampAndFind ?? 0) + 1]]);
  });

  it('given the account was deleted (注销 elsewhere, the cancellation push), answers USER_NOT_FOUND and creates nothing', async () => {
    const deps = createTestDeps();
    const first = await login({ ...alice, unionid: 'u-alice' }, deps);
    await deps.store.transaction(async (tx) => {
      for (const key of (await tx.getUser(first.user.id))?.identityKeys ?? []) await tx.removeIdentity(key);
      await tx.removeUser(first.user.id);
    });

    await expect(login({ ...alice, unionid: 'u-alice' }, deps, { env: '' }, revalidating)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });

    expect(deps.store.users.size).toBe(0);
    expect(deps.store.identities.size).toBe(0);
  });

  it('given a WeChat that never signed in, answers USER_NOT_FOUND: a revalidation never creates an account', async () => {
    const deps = createTestDeps();

    await expect(login(alice, deps, { env: '' }, revalidating)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });

    expect(deps.store.users.size).toBe(0);
  });
});
