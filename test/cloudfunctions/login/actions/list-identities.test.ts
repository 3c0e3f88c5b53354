import { alice, call, dataOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps } from '../support/deps';

describe('listIdentities', () => {
  it("lists the caller's WeChat account as one row and the phone as its own, masked, the current WeChat marked", async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');

    const { identities } = dataOf(await call(deps, alice, 'listIdentities'));

    expect(identities.map(({ kind, display, current, canUnlink, apps }) => ({ kind, display, current, canUnlink, apps }))).toEqual([
      { kind: 'wechat', display: '', current: true, canUnlink: true, apps: [{ appid: 'wxapp1', thisApp: true }] },
      { kind: 'phone', display: '138****8000', current: false, canUnlink: true, apps: [] },
    ]);
    expect(identities[0]).toMatchObject({ openPlatform: true, linked: false, linkedAt: Date.parse('2026-01-01T00:00:00Z') });
    expect(JSON.stringify(identities)).not.toMatch(/o-alice|u-alice|13800138000/);
  });

  it('given only the current WeChat, marks nothing as unlinkable', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const { identities } = dataOf(await call(deps, alice, 'listIdentities'));
    expect(identities.map((identity) => identity.canUnlink)).toEqual([false]);
  });
});
