import { alice, bob, call, dataOf, errorWith, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, testFileId } from '../support/deps';

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

  it('tells a linked WeChat by the nickname and avatar its account had when it was linked', async () => {
    const deps = createTestDeps();
    const bobId = await signUpWithPhone(deps, bob, '13800138000');
    const aliceId = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${aliceId}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小红', avatarFileID: avatar }));
    const offer = errorWith(
      await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }),
      'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    );
    dataOf(await call(deps, alice, 'confirmLink', { ticket: offer.details?.ticket }));

    const { identities } = dataOf(await call(deps, bob, 'listIdentities'));

    const wechat = identities.filter((identity) => identity.kind === 'wechat');
    expect(wechat.map(({ current, linked, linkedFromNickName }) => ({ current, linked, linkedFromNickName }))).toEqual([
      { current: true, linked: false, linkedFromNickName: '' },
      { current: false, linked: true, linkedFromNickName: '小红' },
    ]);
    expect(wechat[0]?.linkedFromAvatarUrl).toBe('');
    expect(wechat[1]?.linkedFromAvatarUrl).toMatch(/^https:\/\/files\.test\/.*a\.png$/);
    expect(deps.store.users.get(bobId)?.status).toBe('active');
  });
});
