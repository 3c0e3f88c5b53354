import type { IdentitySummary } from '../../../../typings/contract';
import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';
import { alice, call, danglingIdentities, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';

const phoneKey = 'phone:+86:13800138000';

async function rowOf(deps: TestDeps, identity: WxIdentity, kind: IdentitySummary['kind']): Promise<IdentitySummary> {
  const found = dataOf(await call(deps, identity, 'listIdentities')).identities.find((summary) => summary.kind === kind);
  if (!found) throw new Error(`no ${kind} row`);
  return found;
}

describe('unlinkIdentity', () => {
  it('given the phone number, unlinks it and removes it from the profile', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    const phone = await rowOf(deps, alice, 'phone');

    const data = dataOf(await call(deps, alice, 'unlinkIdentity', { identityId: phone.id }));

    expect(data.signedOut).toBe(false);
    expect(data.identities.map((identity) => [identity.kind, identity.canUnlink])).toEqual([['wechat', false]]);
    expect(deps.store.identities.has(phoneKey)).toBe(false);
    expect(deps.store.users.get(id)?.boundPhone).toBeUndefined();
    expect(dataOf(await call(deps, alice, 'login')).user.hasPhone).toBe(false);
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it('given the last way to sign in, answers LAST_IDENTITY and unlinks nothing', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const wechat = await rowOf(deps, alice, 'wechat');

    expect(errorOf(await call(deps, alice, 'unlinkIdentity', { identityId: wechat.id })).code).toBe('LAST_IDENTITY');
    expect(deps.store.identities.size).toBe(2);
  });

  it('given only an e-mail identity of another client beside the WeChat, refuses: e-mail does not sign in to this mini-program', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.store.identities.set('email:a@example.com', { userId: id, createdAt: new Date(0), provider: 'email' });
    deps.store.users.get(id)?.identityKeys?.push('email:a@example.com');
    const wechat = await rowOf(deps, alice, 'wechat');

    expect(errorOf(await call(deps, alice, 'unlinkIdentity', { identityId: wechat.id })).code).toBe('LAST_IDENTITY');
  });

  it('given the phone and the WeChat unlinked at the same time, leaves one of them', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    const [wechat, phone] = [await rowOf(deps, alice, 'wechat'), await rowOf(deps, alice, 'phone')];

    const results = await Promise.all([
      call(deps, alice, 'unlinkIdentity', { identityId: wechat.id }),
      call(deps, alice, 'unlinkIdentity', { identityId: phone.id }),
    ]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(errorOf(results.find((result) => !result.ok) ?? results[0]!).code).toBe('LAST_IDENTITY');
    expect([...deps.store.identities.values()].filter((identity) => identity.userId === id).length).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown id', { identityId: 'ffffffffffffffffffffffff' }, 'IDENTITY_NOT_FOUND'],
    ['no id', {}, 'INVALID_ARGUMENT'],
  ])('given %s, answers %s', async (_name, payload, code) => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');
    expect(errorOf(await call(deps, alice, 'unlinkIdentity', payload)).code).toBe(code);
  });

  it("given the id of another user's identity, answers IDENTITY_NOT_FOUND", async () => {
    const deps = createTestDeps();
    const bob: WxIdentity = { appid: 'wxapp1', openid: 'o-bob' };
    await signUpWithPhone(deps, bob, '13800138000');
    const bobsPhone = await rowOf(deps, bob, 'phone');
    await signUpWithPhone(deps, alice, '13900139000');

    expect(errorOf(await call(deps, alice, 'unlinkIdentity', { identityId: bobsPhone.id })).code).toBe('IDENTITY_NOT_FOUND');
    expect(deps.store.identities.has(phoneKey)).toBe(true);
  });
});
