import { alice, call, dataOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps } from '../support/deps';

describe('listIdentities', () => {
  it("lists the caller's ways to sign in, masked, with the current WeChat marked", async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');

    const { identities } = dataOf(await call(deps, alice, 'listIdentities'));

    expect(identities.map(({ provider, display, current, canUnlink }) => ({ provider, display, current, canUnlink }))).toEqual([
      { provider: 'wechat', display: '****', current: true, canUnlink: true },
      { provider: 'wechat-unionid', display: '****', current: true, canUnlink: true },
      { provider: 'phone', display: '138****8000', current: false, canUnlink: true },
    ]);
    expect(identities[0]).toMatchObject({ appid: 'wxapp1', linkedAt: Date.parse('2026-01-01T00:00:00Z') });
    expect(JSON.stringify(identities)).not.toMatch(/o-alice|u-alice|13800138000/);
  });

  it('given only the current WeChat, marks nothing as unlinkable', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const { identities } = dataOf(await call(deps, alice, 'listIdentities'));
    expect(identities.map((identity) => identity.canUnlink)).toEqual([false, false]);
  });
});
