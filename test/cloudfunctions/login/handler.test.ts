import { handle } from '../../../cloudfunctions/login/src/handler';
import { createTestDeps } from './support/deps';

const identity = { appid: 'wxapp1', openid: 'o-alice' };

describe('handle', () => {
  it('given {} or { action: "login" }, answers the success envelope with a public user', async () => {
    const deps = createTestDeps();
    for (const event of [{}, { action: 'login' }, undefined]) {
      const response = await handle(event, identity, deps);
      expect(response).toMatchObject({ ok: true, data: { user: { id: expect.any(String) } } });
    }
  });

  it('given { action: "login", existingOnly: true } from a WeChat without an account, answers USER_NOT_FOUND and creates none', async () => {
    const deps = createTestDeps();

    const response = await handle({ action: 'login', existingOnly: true }, identity, deps);

    expect(response).toEqual({ ok: false, error: { code: 'USER_NOT_FOUND', message: expect.any(String) } });
    expect(deps.store.users.size).toBe(0);
  });

  it('given existingOnly that is not a boolean, answers INVALID_ARGUMENT', async () => {
    const response = await handle({ action: 'login', existingOnly: 'yes' }, identity, createTestDeps());

    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('given no identity, answers UNAUTHENTICATED and writes nothing', async () => {
    const deps = createTestDeps();
    const response = await handle({ action: 'login', openid: 'o-spoofed' }, null, deps);

    expect(response).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(deps.store.calls).toEqual({});
  });

  it('given identity fields in the event, ignores them', async () => {
    const deps = createTestDeps();
    const victim = await handle({}, { appid: 'wxapp1', openid: 'o-victim' }, deps);
    const spoofed = { openid: 'o-victim', unionid: 'u-victim', userId: 'x', _id: 'x', userInfo: { openId: 'o-victim' } };

    const response = await handle(spoofed, identity, deps);

    expect(response.ok && victim.ok && response.data).not.toEqual(victim.ok && victim.data);
    expect(deps.store.identities.has('wx-openid:wxapp1:o-alice')).toBe(true);
    expect(deps.store.users.size).toBe(2);
  });

  it.each([
    ['a string event', 'login', 'INVALID_ARGUMENT'],
    ['an array event', [], 'INVALID_ARGUMENT'],
    ['a non-string action', { action: 42 }, 'INVALID_ARGUMENT'],
    ['an unknown action', { action: 'dropDatabase' }, 'UNKNOWN_ACTION'],
  ])('given %s, answers %s', async (_name, event, code) => {
    const response = await handle(event, identity, createTestDeps());
    expect(response).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  });

  it('given a database failure, answers INTERNAL with a safe message and logs the detail', async () => {
    const deps = createTestDeps();
    deps.store.failNext('stampAndFind');

    const response = await handle({}, identity, deps);

    expect(response).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error, please retry later' } });
    expect(deps.logged).toEqual(['error: action login failed']);
  });

  it('never returns fields outside the public allow-list', async () => {
    const deps = createTestDeps();
    deps.store.users.set('legacy', { _id: 'legacy', _openid: 'o-alice', session_key: 'k', phone: '13800138000' });

    const response = await handle({}, identity, deps);

    expect(response.ok && 'user' in response.data && Object.keys(response.data.user).sort()).toEqual(
      ['avatarUrl', 'createdAt', 'hasPhone', 'id', 'lastLoginAt', 'loginCount', 'maskedPhoneNumber', 'nickName'].sort(),
    );
    expect(JSON.stringify(response)).not.toContain('13800138000');
  });
});
