import { linkTicketId } from '../../../../cloudfunctions/login/src/rules/link-ticket';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, errorWith, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps } from '../support/deps';

const phoneKey = 'phone:+86:13800138000';

describe('bindPhone', () => {
  it('given a number no one has, claims it, stores it, and answers the full number to its owner only once', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);

    const data = dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));

    expect(data.phoneNumber).toBe('13800138000');
    expect(data.user).toMatchObject({ id, hasPhone: true, maskedPhoneNumber: '138****8000' });
    expect(deps.store.identities.get(phoneKey)?.userId).toBe(id);
    expect(deps.store.users.get(id)?.identityKeys).toContain(phoneKey);
    const login = dataOf(await call(deps, alice, 'login'));
    expect(login.user).toMatchObject({ hasPhone: true, maskedPhoneNumber: '138****8000' });
    expect(JSON.stringify(login)).not.toContain('13800138000');
  });

  it('given a number outside mainland China, keys it by country code', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const data = dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('+1-4155550100') }));
    expect(data.phoneNumber).toBe('+14155550100');
    expect(deps.store.identities.has('phone:+1:4155550100')).toBe(true);
  });

  it.each([
    [40029, 'PHONE_CODE_INVALID'],
    [45009, 'PHONE_QUOTA_EXCEEDED'],
    [45011, 'PHONE_QUOTA_EXCEEDED'],
    [1400001, 'PHONE_QUOTA_EXCEEDED'],
    [48001, 'PHONE_NOT_PERMITTED'],
    [40013, 'PHONE_NOT_PERMITTED'],
  ])('given WeChat errcode %s, answers %s and binds nothing', async (errcode, code) => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.phone.failing.set('c', errcode);

    expect(errorOf(await call(deps, alice, 'bindPhone', { code: 'c' })).code).toBe(code);
    expect(deps.store.users.get(id)?.boundPhone).toBeUndefined();
  });

  it('records each successful check with its kind and China-time day, naming nobody', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    await signUp(deps, bob);
    dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));
    dataOf(await call(deps, bob, 'bindPhone', { code: deps.phone.codeFor('13900139000'), kind: 'realtime' }));
    deps.phone.failing.set('c', 45009);
    errorOf(await call(deps, alice, 'bindPhone', { code: 'c', kind: 'realtime' }));

    const checks = [...deps.store.audit.values()].filter((entry) => entry.type === 'phone-check');
    expect(checks.map((entry) => (entry.type === 'phone-check' ? entry.kind : '')).sort()).toEqual(['quick', 'realtime']);
    const day = new Date(deps.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(checks.every((entry) => entry.type === 'phone-check' && entry.day === day)).toBe(true);
    expect(JSON.stringify(checks)).not.toMatch(/13800138000|13900139000|userId/);
  });

  it('records the check also when the number turns out to belong to another account (WeChat billed it)', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');
    await signUp(deps, bob);
    expect(errorOf(await call(deps, bob, 'bindPhone', { code: deps.phone.codeFor('13800138000') })).code).toBe(
      'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    );
    expect([...deps.store.audit.values()].filter((entry) => entry.type === 'phone-check')).toHaveLength(2);
  });

  it('given a kind that is neither quick nor realtime, answers INVALID_ARGUMENT before spending the code', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const code = deps.phone.codeFor('13800138000');
    expect(errorOf(await call(deps, alice, 'bindPhone', { code, kind: 'sms' })).code).toBe('INVALID_ARGUMENT');
    dataOf(await call(deps, alice, 'bindPhone', { code, kind: 'realtime' }));
  });

  it('given a code used once already, answers PHONE_CODE_INVALID', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const code = deps.phone.codeFor('13800138000');
    dataOf(await call(deps, alice, 'bindPhone', { code }));
    expect(errorOf(await call(deps, alice, 'bindPhone', { code })).code).toBe('PHONE_CODE_INVALID');
  });

  it('given an unknown WeChat errcode, answers INTERNAL and logs it', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    deps.phone.failing.set('c', -1);
    expect(errorOf(await call(deps, alice, 'bindPhone', { code: 'c' })).code).toBe('INTERNAL');
    expect(deps.logged).toEqual(['error: action bindPhone failed']);
  });

  it('given a caller without a user, answers USER_NOT_FOUND without spending the single-use code', async () => {
    const deps = createTestDeps();
    const code = deps.phone.codeFor('13800138000');

    expect(errorOf(await call(deps, alice, 'bindPhone', { code })).code).toBe('USER_NOT_FOUND');
    expect(deps.phone.calls).toBe(0);
    await signUp(deps, alice);
    expect(dataOf(await call(deps, alice, 'bindPhone', { code })).phoneNumber).toBe('13800138000');
  });

  it('given the same number again, answers success and changes nothing', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    const before = deps.store.users.get(id)?.boundPhone;

    dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));

    expect(deps.store.users.get(id)?.boundPhone).toEqual(before);
    expect(deps.store.users.get(id)?.identityKeys?.filter((key) => key.startsWith('phone:'))).toEqual([phoneKey]);
  });

  it('given a new number, releases the old one so someone else can bind it', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');

    dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13900139000') }));
    const bobId = await signUpWithPhone(deps, bob, '13800138000');

    expect(deps.store.users.get(id)?.identityKeys).toEqual(expect.not.arrayContaining([phoneKey]));
    expect(deps.store.users.get(id)?.boundPhone?.purePhoneNumber).toBe('13900139000');
    expect(deps.store.identities.get(phoneKey)?.userId).toBe(bobId);
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it('given a number of another account, overwrites nothing and offers a link with a preview and a ticket', async () => {
    const deps = createTestDeps();
    const ownerId = await signUpWithPhone(deps, bob, '13800138000');
    dataOf(await call(deps, bob, 'updateProfile', { nickName: '老账号' }));
    const aliceId = await signUp(deps, alice);

    const error = errorWith(
      await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }),
      'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    );

    expect(error.details?.preview).toEqual({
      target: { maskedPhoneNumber: '138****8000', nickName: '老账号', hasAvatar: false, createdAt: Date.parse('2026-01-01T00:00:00Z') },
      movingIdentities: ['wechat-unionid', 'wechat'],
      filledFields: [],
      keptFields: [],
      releasedPhoneNumber: '',
    });
    expect(error.details?.expiresAt).toBe(Date.parse('2026-01-01T00:10:00Z'));
    const ticket = error.details?.ticket ?? '';
    expect(deps.store.tickets.get(linkTicketId(ticket))).toMatchObject({
      callerKey: 'wx-openid:wxapp1:o-alice',
      fromUserId: aliceId,
      toUserId: ownerId,
      phoneKey,
      usedAt: null,
    });
    // The answer names neither the other account's id nor the full number.
    expect(JSON.stringify(error)).not.toContain(ownerId);
    expect(JSON.stringify(error)).not.toContain('13800138000');
    expect(deps.store.identities.get(phoneKey)?.userId).toBe(ownerId);
    expect(deps.store.users.get(aliceId)?.boundPhone).toBeUndefined();
  });

  it('given two accounts racing for one number, exactly one gets it and the other is offered a link', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    await signUp(deps, bob);

    const results = await Promise.all([
      call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }),
      call(deps, bob, 'bindPhone', { code: deps.phone.codeFor('13800138000') }),
    ]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => errorOf(result).code)).toEqual(['PHONE_BELONGS_TO_ANOTHER_ACCOUNT']);
    const holders = [...deps.store.users.values()].filter((user) => user.boundPhone?.key === phoneKey);
    expect(holders).toHaveLength(1);
    expect(deps.store.identities.get(phoneKey)?.userId).toBe(holders[0]?._id);
  });

  it('given a number of a banned account, answers LINK_TARGET_UNAVAILABLE without a ticket', async () => {
    const deps = createTestDeps();
    const ownerId = await signUpWithPhone(deps, bob, '13800138000');
    const owner = deps.store.users.get(ownerId);
    if (owner) owner.status = 'banned';
    await signUp(deps, alice);

    expect(errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') })).code).toBe('LINK_TARGET_UNAVAILABLE');
    expect(deps.store.tickets.size).toBe(0);
  });

  it('given a number whose identity points at an account that no longer exists, takes it over', async () => {
    const deps = createTestDeps();
    deps.store.identities.set(phoneKey, { userId: 'gone', createdAt: new Date(0), provider: 'phone' });
    const id = await signUp(deps, alice);

    dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));

    expect(deps.store.identities.get(phoneKey)).toMatchObject({ userId: id, movedFrom: 'gone' });
    expect(danglingIdentities(deps)).toEqual([]);
  });

  it('given a failure inside the binding transaction, binds nothing; a retry binds', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.store.failNext('tx.updateUser');

    expect(errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') })).code).toBe('INTERNAL');
    expect(deps.store.users.get(id)?.boundPhone).toBeUndefined();

    dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));
    expect(deps.store.users.get(id)?.identityKeys).toContain(phoneKey);
    expect(danglingIdentities(deps)).toEqual([]);
  });
});

describe('bindPhone housekeeping', () => {
  it('given a new link offer, removes tickets expired more than a day ago', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, bob, '13800138000');
    await signUp(deps, alice);
    errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));
    const [oldTicket] = [...deps.store.tickets.keys()];
    deps.clock.now = new Date('2026-01-03T00:00:00Z');

    errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));

    expect(deps.store.tickets.size).toBe(1);
    expect(deps.store.tickets.has(oldTicket ?? '')).toBe(false);
  });
});
