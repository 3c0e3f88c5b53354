import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';

const phoneKey = 'phone:+86:13800138000';
/** A new WeChat on the login page: it has never signed in here. */
const newcomer: WxIdentity = { appid: 'wxapp1', openid: 'o-new', unionid: 'u-new' };

async function find(deps: TestDeps, identity: WxIdentity, phone = '13800138000') {
  return dataOf(await call(deps, identity, 'findAccountByPhone', { code: deps.phone.codeFor(phone) }));
}

function phoneChecks(deps: TestDeps): number {
  return [...deps.store.audit.values()].filter((entry) => entry.type === 'phone-check').length;
}

describe('findAccountByPhone', () => {
  it('given a number nobody holds and a WeChat without an account, creates and binds nothing, and records the billed check', async () => {
    const deps = createTestDeps();

    const found = await find(deps, newcomer);

    expect(found).toMatchObject({ found: 'none', maskedPhoneNumber: '138****8000', hasAccount: false, ticket: expect.any(String) });
    expect(deps.store.users.size).toBe(0);
    expect(deps.store.identities.size).toBe(0);
    expect(phoneChecks(deps)).toBe(1);
  });

  it('given the person says yes to a number nobody holds, the login makes the account and confirmLink binds the number without a second check', async () => {
    const deps = createTestDeps();
    const found = await find(deps, newcomer);
    if (found.found !== 'none') throw new Error('expected none');

    const id = await signUp(deps, newcomer);
    const { user } = dataOf(await call(deps, newcomer, 'confirmLink', { ticket: found.ticket }));

    expect(user).toMatchObject({ id, hasPhone: true, maskedPhoneNumber: '138****8000' });
    expect(deps.store.identities.get(phoneKey)?.userId).toBe(id);
    expect(phoneChecks(deps)).toBe(1);
    expect(errorOf(await call(deps, newcomer, 'confirmLink', { ticket: found.ticket })).code).toBe('LINK_TICKET_USED');
  });

  it('given a number of another account and a WeChat without an account, offers to link just this WeChat; confirming links the account its login made', async () => {
    const deps = createTestDeps();
    const owner = await signUpWithPhone(deps, alice, '13800138000');

    const found = await find(deps, newcomer);
    if (found.found !== 'account') throw new Error('expected account');
    expect(found.offer.preview).toMatchObject({
      target: { maskedPhoneNumber: '138****8000' },
      movingIdentities: expect.arrayContaining(['wechat', 'wechat-unionid']),
    });
    expect(deps.store.users.size).toBe(1);

    await signUp(deps, newcomer);
    const { user } = dataOf(await call(deps, newcomer, 'confirmLink', { ticket: found.offer.ticket }));
    expect(user.id).toBe(owner);
    expect(deps.store.identities.get('wx-openid:wxapp1:o-new')?.userId).toBe(owner);
    expect(dataOf(await call(deps, newcomer, 'login')).user.id).toBe(owner);
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it('given a guest offer, refuses it for an account this WeChat already had before the offer (the preview did not show it)', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');
    const found = await find(deps, newcomer);
    if (found.found !== 'account') throw new Error('expected account');
    // The account appears "before" the offer: the clock is set back for its creation.
    deps.clock.now = new Date(deps.clock.now.getTime() - 60_000);
    await signUp(deps, newcomer);
    deps.clock.now = new Date(deps.clock.now.getTime() + 60_000);
    expect(errorOf(await call(deps, newcomer, 'confirmLink', { ticket: found.offer.ticket })).code).toBe('LINK_TICKET_INVALID');
  });

  it('given a WeChat with an account, offers a link from that account, or says the number is already its own', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');
    await signUp(deps, bob);

    const offered = await find(deps, bob);
    expect(offered).toMatchObject({ found: 'account', offer: { ticket: expect.any(String) } });
    expect(await find(deps, alice)).toEqual({ found: 'yours' });
    const none = await find(deps, bob, '13900139000');
    expect(none).toMatchObject({ found: 'none', hasAccount: true });
  });

  it('given WeChat refuses the code, answers its error code and records nothing', async () => {
    const deps = createTestDeps();
    deps.phone.failing.set('c', 1400001);
    expect(errorOf(await call(deps, newcomer, 'findAccountByPhone', { code: 'c', kind: 'realtime' })).code).toBe('PHONE_QUOTA_EXCEEDED');
    expect(phoneChecks(deps)).toBe(0);
  });
});
