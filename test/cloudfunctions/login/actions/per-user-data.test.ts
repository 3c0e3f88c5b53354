import { alice, bob, call, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps } from '../support/deps';

/**
 * The per-user data hook of deleteAccount and confirmLink (PER_USER_COLLECTIONS, server-auth
 * user-data.ts): what they ask of it, after their commit; and that its failure never undoes or
 * refuses the account change (the emulator tests cover the real collections).
 */
describe('per-user data of other functions', () => {
  it('deleteAccount removes the data of the account and of the accounts merged into it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.store.users.set('merged-1', { _id: 'merged-1', status: 'merged', mergedInto: id, identityKeys: [] });

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    expect(deps.userData.removed).toEqual([[id, 'merged-1']]);
    expect(deps.userData.moved).toEqual([]);
  });

  it('deleteAccount refused (no confirmation) touches no per-user data', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    expect(errorOf(await call(deps, alice, 'deleteAccount', {})).code).toBe('CONFIRMATION_REQUIRED');
    expect(deps.userData.removed).toEqual([]);
  });

  it('confirmLink moves the data of the linked account to the account it joins', async () => {
    const deps = createTestDeps();
    const bobId = await signUpWithPhone(deps, bob, '13800138000');
    const aliceId = await signUp(deps, alice);
    const offer = errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138000') }));
    if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(offer.code);

    dataOf(await call(deps, alice, 'confirmLink', { ticket: offer.details.ticket }));

    expect(deps.userData.moved).toEqual([[aliceId, bobId]]);
  });

  it('a failing move is logged and the link still answers: the merged account’s data stays under its id for deletion', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, bob, '13800138001');
    await signUp(deps, alice);
    deps.userData.moveAll = async () => {
      throw new Error('database down');
    };
    const offer = errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800138001') }));
    if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(offer.code);

    expect((await call(deps, alice, 'confirmLink', { ticket: offer.details.ticket })).ok).toBe(true);
    expect(deps.logged).toContain('warn: moving per-user data failed');
  });
});
