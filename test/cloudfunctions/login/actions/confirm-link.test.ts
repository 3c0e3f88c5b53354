import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, errorWith, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, testFileId, type TestDeps } from '../support/deps';

const carol: WxIdentity = { appid: 'wxapp1', openid: 'o-carol' };
const phoneKey = 'phone:+86:13800138000';

/**
 * Bob's account has the phone number, a nickname and an e-mail identity of the web client; Alice
 * (a new WeChat account with a nickname and an avatar) proves the same number: she gets a ticket.
 */
async function offered(deps: TestDeps) {
  const bobId = await signUpWithPhone(deps, bob, '13800138000');
  dataOf(await call(deps, bob, 'updateProfile', { nickName: '网页账号' }));
  deps.store.identities.set('email:bob@example.com', { userId: bobId, createdAt: new Date(0), provider: 'email' });
  const bobUser = deps.store.users.get(bobId);
  bobUser?.identityKeys?.push('email:bob@example.com');

  const aliceId = await signUp(deps, alice);
  const avatar = testFileId(`avatars/${aliceId}/a.png`);
  deps.files.files.add(avatar);
  dataOf(await call(deps, alice, 'updateProfile', { nickName: '微信昵称', avatarFileID: avatar }));

  const error = errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));
  if (error.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT' || !error.details) throw new Error(`no offer: ${error.code}`);
  return { bobId, aliceId, avatar, ticket: error.details.ticket, preview: error.details.preview };
}

describe('confirmLink', () => {
  it("moves the caller's WeChat identities onto the existing account, as the preview said", async () => {
    const deps = createTestDeps();
    const { bobId, aliceId, avatar, ticket, preview } = await offered(deps);
    expect(preview).toMatchObject({ movingIdentities: ['wechat-unionid', 'wechat'], filledFields: ['avatar'], keptFields: ['nickName'] });

    const { user } = dataOf(await call(deps, alice, 'confirmLink', { ticket }));

    expect(user).toMatchObject({ id: bobId, nickName: '网页账号', hasPhone: true, maskedPhoneNumber: '138****8000' });
    expect(user.avatarUrl).not.toBe('');
    const target = deps.store.users.get(bobId);
    expect(target?.avatarFileID).toBe(avatar);
    expect(target?.identityKeys).toEqual(
      expect.arrayContaining([
        'wx-unionid:u-bob',
        'wx-openid:wxapp1:o-bob',
        phoneKey,
        'email:bob@example.com',
        'wx-unionid:u-alice',
        'wx-openid:wxapp1:o-alice',
      ]),
    );
    expect(deps.store.identities.get('wx-openid:wxapp1:o-alice')).toMatchObject({ userId: bobId, movedFrom: aliceId });
    expect(deps.store.identities.get('email:bob@example.com')?.userId).toBe(bobId);
    expect(deps.store.users.get(aliceId)).toMatchObject({ status: 'merged', mergedInto: bobId, identityKeys: [], nickName: '微信昵称' });
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it('writes an audit entry without profile data', async () => {
    const deps = createTestDeps();
    const { bobId, aliceId, ticket } = await offered(deps);
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));

    // Phone checks are recorded too (anonymous, for phone-usage): this is about the link's entry.
    const entries = [...deps.store.audit.values()].filter((entry) => entry.type !== 'phone-check');
    expect(entries).toEqual([
      expect.objectContaining({
        type: 'account-linked',
        fromUserId: aliceId,
        toUserId: bobId,
        movedProviders: ['wechat-unionid', 'wechat'],
        releasedProviders: [],
        filledFields: ['avatar'],
      }),
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/微信昵称|13800138000|o-alice/);
  });

  it("afterwards, the caller's login lands on the existing account", async () => {
    const deps = createTestDeps();
    const { bobId, ticket } = await offered(deps);
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));

    const login = dataOf(await call(deps, alice, 'login'));
    const fromBob = dataOf(await call(deps, bob, 'login'));

    expect(login).toMatchObject({ isNewUser: false, user: { id: bobId } });
    expect(fromBob.user.id).toBe(bobId);
  });

  it('given the ticket again, answers LINK_TICKET_USED', async () => {
    const deps = createTestDeps();
    const { ticket } = await offered(deps);
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));
    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_USED');
  });

  it('given an expired ticket, answers LINK_TICKET_EXPIRED and changes nothing', async () => {
    const deps = createTestDeps();
    const { aliceId, ticket } = await offered(deps);
    deps.clock.now = new Date(deps.clock.now.getTime() + 10 * 60 * 1000 + 1);

    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_EXPIRED');
    expect(deps.store.users.get(aliceId)?.status).toBe('active');
  });

  it('given a ticket used by another person, answers LINK_TICKET_NOT_YOURS and changes nothing', async () => {
    const deps = createTestDeps();
    const { aliceId, ticket } = await offered(deps);
    const carolId = await signUp(deps, carol);

    expect(errorOf(await call(deps, carol, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_NOT_YOURS');
    expect(deps.store.users.get(carolId)?.status).toBe('active');
    expect(deps.store.users.get(aliceId)?.status).toBe('active');
    // Still usable by its owner.
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));
  });

  it.each([
    ['a malformed ticket', 'not-a-ticket'],
    ['an unknown ticket', `lt1_${'B'.repeat(43)}`],
  ])('given %s, answers LINK_TICKET_INVALID', async (_name, ticket) => {
    const deps = createTestDeps();
    await offered(deps);
    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_INVALID');
  });

  it('given the number unlinked from the existing account meanwhile, answers LINK_TICKET_INVALID', async () => {
    const deps = createTestDeps();
    const { ticket } = await offered(deps);
    const bobIdentities = dataOf(await call(deps, bob, 'listIdentities')).identities;
    const phone = bobIdentities.find((identity) => identity.kind === 'phone');
    dataOf(await call(deps, bob, 'unlinkIdentity', { identityId: phone?.id }));

    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_INVALID');
  });

  it('given the existing account banned meanwhile, answers LINK_TARGET_UNAVAILABLE', async () => {
    const deps = createTestDeps();
    const { bobId, ticket } = await offered(deps);
    const target = deps.store.users.get(bobId);
    if (target) target.status = 'banned';

    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TARGET_UNAVAILABLE');
  });

  it.each(['tx.putIdentity', 'tx.updateUser', 'tx.markLinkTicketUsed', 'tx.putAudit'])(
    'given a fault at %s in the middle of the merge, changes nothing; the retry completes it',
    async (operation) => {
      const deps = createTestDeps();
      const { bobId, aliceId, ticket } = await offered(deps);
      const before = JSON.stringify([...deps.store.users, ...deps.store.identities]);
      deps.store.failNext(operation);

      expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('INTERNAL');
      expect(JSON.stringify([...deps.store.users, ...deps.store.identities])).toBe(before);

      dataOf(await call(deps, alice, 'confirmLink', { ticket }));
      expect(deps.store.users.get(aliceId)?.mergedInto).toBe(bobId);
      expect(deps.store.identities.get('wx-unionid:u-alice')?.userId).toBe(bobId);
      expect(danglingIdentities(deps)).toEqual([]);
    },
  );

  it('given the same ticket twice at once, links once', async () => {
    const deps = createTestDeps();
    const { ticket } = await offered(deps);
    const results = await Promise.all([call(deps, alice, 'confirmLink', { ticket }), call(deps, alice, 'confirmLink', { ticket })]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(errorOf(results.find((result) => !result.ok) ?? results[0]!).code).toBe('LINK_TICKET_USED');
    expect([...deps.store.audit.values()].filter((entry) => entry.type === 'account-linked')).toHaveLength(1);
  });

  it('given a caller who had a phone of their own, releases it: the existing account keeps its number', async () => {
    const deps = createTestDeps();
    const bobId = await signUpWithPhone(deps, bob, '13800138000');
    const aliceId = await signUpWithPhone(deps, alice, '13900139000');
    const offer = errorWith(
      await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }),
      'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    );
    expect(offer.details?.preview.releasedPhoneNumber).toBe('139****9000');

    dataOf(await call(deps, alice, 'confirmLink', { ticket: offer.details?.ticket }));

    expect(deps.store.identities.has('phone:+86:13900139000')).toBe(false);
    expect(deps.store.users.get(bobId)?.boundPhone?.purePhoneNumber).toBe('13800138000');
    expect(deps.store.users.get(aliceId)?.boundPhone).toBeUndefined();
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it("tells the account holder once, at their next login; the linked WeChat's own logins leave the notice for them", async () => {
    const deps = createTestDeps();
    const { bobId, ticket } = await offered(deps);
    const linkedAt = deps.clock.now.getTime();
    const { user } = dataOf(await call(deps, alice, 'confirmLink', { ticket }));
    expect(JSON.stringify(user)).not.toContain('linkNotices');

    const newcomer = dataOf(await call(deps, alice, 'login'));
    expect(newcomer.user.id).toBe(bobId);
    expect(newcomer).not.toHaveProperty('notices');

    const holder = dataOf(await call(deps, bob, 'login'));
    expect(holder.notices).toEqual([{ kind: 'linked-by-phone', at: linkedAt }]);
    expect(dataOf(await call(deps, bob, 'login'))).not.toHaveProperty('notices');
    expect(deps.store.users.get(bobId)?.linkNotices).toEqual([]);
  });

  it('given the write forgetting the notice failing, the login still answers it (and will again)', async () => {
    const deps = createTestDeps();
    const { ticket } = await offered(deps);
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));
    deps.store.failNext('updateUser');

    expect(dataOf(await call(deps, bob, 'login')).notices).toHaveLength(1);
    expect(dataOf(await call(deps, bob, 'login')).notices).toHaveLength(1);
    expect(dataOf(await call(deps, bob, 'login'))).not.toHaveProperty('notices');
  });
});
