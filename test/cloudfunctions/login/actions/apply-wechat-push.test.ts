import { applyWechatPush, type PushContext } from '../../../../cloudfunctions/login/src/actions/apply-wechat-push';
import { identityKeyForOpenid } from '../../../../cloudfunctions/login/src/rules/identity';
import type { WechatPushMessage } from '../../../../cloudfunctions/login/src/rules/wechat-push';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, TEST_ENV, testFileId, type TestDeps } from '../support/deps';

const context: PushContext = { source: 'push', env: TEST_ENV, appid: 'wxapp1' };

function revoke(openid: string, ...revokeInfo: string[]): WechatPushMessage {
  return { event: 'user_authorization_revoke', openid, appid: 'wxapp1', revokeInfo, createTime: 1_767_225_600 };
}

function cancellation(openid: string): WechatPushMessage {
  return { event: 'user_authorization_cancellation', openid, appid: '', revokeInfo: [], createTime: 1_767_225_600 };
}

async function withProfile(deps: TestDeps): Promise<{ id: string; avatar: string }> {
  const id = await signUp(deps, alice);
  const avatar = testFileId(`avatars/${id}/a.png`);
  deps.files.files.add(avatar);
  dataOf(await call(deps, alice, 'updateProfile', { nickName: '小爱', avatarFileID: avatar }));
  return { id, avatar };
}

describe('applyWechatPush', () => {
  it('given a revoke of 6, clears nickname and avatar, deletes the file and audits the source', async () => {
    const deps = createTestDeps();
    const { id, avatar } = await withProfile(deps);

    const outcome = await applyWechatPush(revoke(alice.openid, '6'), deps, { ...context, source: 'revocation-list' });

    expect(outcome).toEqual({ userId: id, cleared: ['nickName', 'avatar'], accountDeleted: false, skipped: null });
    const user = deps.store.users.get(id);
    expect([user?.nickName, user?.avatarFileID, user?.avatarUrl]).toEqual([undefined, undefined, undefined]);
    expect(deps.files.files.has(avatar)).toBe(false);
    expect([...deps.store.audit.values()].filter((entry) => entry.type === 'wechat-push')).toEqual([
      expect.objectContaining({ source: 'revocation-list', userId: id, cleared: ['nickName', 'avatar'], revokeInfo: ['6'] }),
    ]);
  });

  it('given a WeChat linked in from another account, clears that account’s nickname and avatar too (its row shows them)', async () => {
    const deps = createTestDeps();
    const { id } = await withProfile(deps);
    const mergedAvatar = testFileId('avatars/m1/old.png');
    deps.files.files.add(mergedAvatar);
    deps.store.users.set('m1', { _id: 'm1', status: 'merged', mergedInto: id, nickName: '旧昵称', avatarFileID: mergedAvatar });
    const key = identityKeyForOpenid('wxapp1', alice.openid);
    const identity = deps.store.identities.get(key);
    if (identity) Object.assign(identity, { movedFrom: 'm1', movedAt: new Date() });

    await applyWechatPush(revoke(alice.openid, '6'), deps, context);

    expect(deps.store.users.get('m1')).toEqual({ _id: 'm1', status: 'merged', mergedInto: id });
    expect(deps.files.files.has(mergedAvatar)).toBe(false);
  });

  it('given the same revoke again, finds nothing to change and writes nothing', async () => {
    const deps = createTestDeps();
    const { id } = await withProfile(deps);
    await applyWechatPush(revoke(alice.openid, '6'), deps, context);
    const before = JSON.stringify(deps.store.users.get(id));

    expect((await applyWechatPush(revoke(alice.openid, '6'), deps, context)).cleared).toEqual([]);
    expect(JSON.stringify(deps.store.users.get(id))).toBe(before);
  });

  it('given storage failing, throws before writing anything (WeChat retries)', async () => {
    const deps = createTestDeps();
    const { id } = await withProfile(deps);
    deps.files.broken = true;

    await expect(applyWechatPush(revoke(alice.openid, '20'), deps, context)).rejects.toThrow();
    expect(deps.store.users.get(id)?.avatarFileID).toBeDefined();
  });

  it('given a revoke of 8, unbinds the phone everywhere and tells the next login once', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');

    expect((await applyWechatPush(revoke(alice.openid, '8'), deps, context)).cleared).toEqual(['phone']);

    expect(JSON.stringify([...deps.store.users.values(), ...deps.store.identities.keys()])).not.toContain('13800138000');
    expect(danglingIdentities(deps)).toEqual([]);
    const login = dataOf(await call(deps, alice, 'login'));
    expect(login.user.hasPhone).toBe(false);
    expect(login.notices).toEqual([{ kind: 'phone-unbound-by-wechat', at: expect.any(Number) }]);
    expect(deps.store.users.get(id)?.linkNotices).toEqual([]);
  });

  it('given a revoke for a banned account, still clears the data (a ban does not keep what was withdrawn)', async () => {
    const deps = createTestDeps();
    const { id } = await withProfile(deps);
    const user = deps.store.users.get(id);
    if (user) Object.assign(user, { status: 'banned', banReason: 'spam' });

    expect((await applyWechatPush(revoke(alice.openid, '19'), deps, context)).cleared).toEqual(['nickName']);
  });

  it('given a cancellation of the only WeChat, deletes the account as 注销 does (per-user data too)', async () => {
    const deps = createTestDeps();
    const { id, avatar } = await withProfile(deps);

    const outcome = await applyWechatPush(cancellation(alice.openid), deps, context);

    expect(outcome).toEqual({ userId: id, cleared: ['wechat'], accountDeleted: true, skipped: null });
    expect(deps.store.users.has(id)).toBe(false);
    expect([...deps.store.identities.values()].filter((identity) => identity.userId === id)).toEqual([]);
    expect(deps.userData.removed).toContainEqual([id]);
    expect(deps.files.files.has(avatar)).toBe(false);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({ type: 'account-deleted' });
    // Applied again (a retry): nothing left, nothing thrown.
    expect(await applyWechatPush(cancellation(alice.openid), deps, context)).toEqual({
      userId: null,
      cleared: [],
      accountDeleted: false,
      skipped: null,
    });
  });

  it('given a cancellation while a phone remains, removes only that WeChat (its unionid too) and keeps the account', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');

    expect(await applyWechatPush(cancellation(alice.openid), deps, context)).toMatchObject({ cleared: ['wechat'], accountDeleted: false });

    expect(deps.store.users.get(id)?.identityKeys).toEqual(['phone:+86:13800138000']);
    expect(danglingIdentities(deps)).toEqual([]);
    expect(dataOf(await call(deps, alice, 'login')).isNewUser).toBe(true);
  });

  it('given a cancellation of a banned account, leaves it to an operator', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const user = deps.store.users.get(id);
    if (user) Object.assign(user, { status: 'banned', banReason: 'fraud' });

    expect(await applyWechatPush(cancellation(alice.openid), deps, context)).toMatchObject({ skipped: 'banned', accountDeleted: false });
    expect(deps.store.users.has(id)).toBe(true);
  });

  it('given someone else’s openid, touches only that person', async () => {
    const deps = createTestDeps();
    const { id } = await withProfile(deps);
    await signUp(deps, bob);

    await applyWechatPush(cancellation(bob.openid), deps, context);

    expect(deps.store.users.get(id)?.nickName).toBe('小爱');
    expect(errorOf(await call(deps, bob, 'unlinkIdentity', { identityId: 'x' })).code).toBe('USER_NOT_FOUND');
  });
});
