import { alice, bob, call, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

function pastLateWriteWindow(deps: TestDeps): void {
  deps.clock.now = new Date(deps.clock.now.getTime() + LATE_WRITE_WINDOW_MS);
}

/**
 * The per-user data hook of deleteAccount and confirmLink (PER_USER_COLLECTIONS, server-auth
 * user-data.ts): what they do with it, and that a failure of it is never answered OK and never
 * forgotten (the emulator tests cover the real collections; fault-sweep.test.ts every request).
 */
describe('per-user data of other functions', () => {
  it('deleteAccount removes the data of the account and of the accounts merged into it, and no one else’s', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.store.users.set('merged-1', { _id: 'merged-1', status: 'merged', mergedInto: id, identityKeys: [] });
    deps.userData.documents.set('notes', [
      { _id: 'n1', owner: id },
      { _id: 'n2', owner: 'merged-1' },
      { _id: 'n3', owner: 'someone-else' },
    ]);

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    // Once before the commit (so a failure is answered) and once after it (a write in flight meanwhile).
    expect(deps.userData.removed).toEqual([
      [id, 'merged-1'],
      [id, 'merged-1'],
    ]);
    expect(deps.userData.documents.get('notes')).toEqual([{ _id: 'n3', owner: 'someone-else' }]);
    expect(deps.userData.moved).toEqual([]);
  });

  it('deleteAccount refused (no confirmation) touches no per-user data', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    expect(errorOf(await call(deps, alice, 'deleteAccount', {})).code).toBe('CONFIRMATION_REQUIRED');
    expect(deps.userData.removed).toEqual([]);
  });

  async function offerLink(deps: TestDeps, phone: string): Promise<{ aliceId: string; bobId: string; ticket: string }> {
    const bobId = await signUpWithPhone(deps, bob, phone);
    const aliceId = await signUp(deps, alice);
    deps.userData.documents.set('notes', [{ _id: 'n1', owner: aliceId }]);
    const offer = errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor(phone) }));
    if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(offer.code);
    return { aliceId, bobId, ticket: offer.details.ticket };
  }

  it('confirmLink moves the data of the linked account to the account it joins; the move stays owed for the late-write window', async () => {
    const deps = createTestDeps();
    const { aliceId, bobId, ticket } = await offerLink(deps, '13800138000');

    dataOf(await call(deps, alice, 'confirmLink', { ticket }));

    expect(deps.userData.moved).toEqual([[aliceId, bobId]]);
    expect(deps.userData.ownedBy([bobId])).toHaveLength(1);
    expect(deps.store.users.get(bobId)?.pendingDataMoves ?? []).toEqual([]);
    expect(deps.store.users.get(bobId)?.lateDataMoves).toEqual([aliceId]);
  });

  it('a write landing under the merged account after the link’s own move is moved by a login; the first one after the window finishes it', async () => {
    const deps = createTestDeps();
    const { aliceId, bobId, ticket } = await offerLink(deps, '13800138003');
    dataOf(await call(deps, alice, 'confirmLink', { ticket }));
    // A protected function's write whose after-write check never ran (a crashed instance).
    deps.userData.documents.get('notes')?.push({ _id: 'late', owner: aliceId });

    dataOf(await call(deps, alice, 'login'));
    expect(deps.userData.ownedBy([aliceId])).toEqual([]);
    expect(deps.store.users.get(bobId)?.lateDataMoves).toEqual([aliceId]);
    const linkEntry = () => [...deps.store.audit.values()].find((entry) => entry.type === 'account-linked');
    expect(linkEntry()).not.toHaveProperty('dataMovedAt');

    deps.userData.documents.get('notes')?.push({ _id: 'later', owner: aliceId });
    pastLateWriteWindow(deps);
    dataOf(await call(deps, bob, 'login'));
    expect(deps.userData.ownedBy([aliceId])).toEqual([]);
    expect(deps.userData.ownedBy([bobId])).toHaveLength(3);
    expect(deps.store.users.get(bobId)?.lateDataMoves).toEqual([]);
    expect(linkEntry()).toMatchObject({ fromUserId: aliceId, toUserId: bobId, dataMovedAt: deps.clock.now });
    // Nothing owed: the next login moves nothing.
    const moves = deps.userData.moved.length;
    dataOf(await call(deps, bob, 'login'));
    expect(deps.userData.moved).toHaveLength(moves);
  });

  it('a failing move answers INTERNAL, stays recorded on the account, and the same call again finishes it', async () => {
    const deps = createTestDeps();
    const { aliceId, bobId, ticket } = await offerLink(deps, '13800138001');
    const moveAll = deps.userData.moveAll.bind(deps.userData);
    deps.userData.moveAll = async () => {
      throw new Error('database down');
    };

    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('INTERNAL');
    expect(deps.store.users.get(aliceId)?.status).toBe('merged');
    expect(deps.store.users.get(bobId)?.pendingDataMoves).toEqual([aliceId]);
    expect(deps.userData.ownedBy([aliceId])).toHaveLength(1);

    deps.userData.moveAll = moveAll;
    const retried = dataOf(await call(deps, alice, 'confirmLink', { ticket }));
    expect(retried.user.id).toBe(bobId);
    expect(deps.userData.ownedBy([bobId])).toHaveLength(1);
    expect(deps.store.users.get(bobId)?.pendingDataMoves).toEqual([]);
    expect(deps.store.users.get(bobId)?.lateDataMoves).toEqual([aliceId]);
    // The move is done (only its late-write repeat is left): the used ticket answers as before.
    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_USED');
  });

  it('a move left pending is finished by the next login of either person', async () => {
    const deps = createTestDeps();
    const { aliceId, bobId, ticket } = await offerLink(deps, '13800138002');
    const moveAll = deps.userData.moveAll.bind(deps.userData);
    deps.userData.moveAll = async () => {
      throw new Error('database down');
    };
    expect(errorOf(await call(deps, alice, 'confirmLink', { ticket })).code).toBe('INTERNAL');

    deps.userData.moveAll = moveAll;
    pastLateWriteWindow(deps);
    dataOf(await call(deps, bob, 'login'));
    expect(deps.userData.ownedBy([aliceId])).toEqual([]);
    expect(deps.userData.ownedBy([bobId])).toHaveLength(1);
    expect(deps.store.users.get(bobId)?.pendingDataMoves).toEqual([]);
  });

  it('a planted pending move naming another person’s account moves nothing', async () => {
    const deps = createTestDeps();
    const bobId = await signUp(deps, bob);
    const aliceId = await signUp(deps, alice);
    deps.userData.documents.set('notes', [{ _id: 'n1', owner: bobId }]);
    deps.store.users.set(aliceId, { ...(deps.store.users.get(aliceId) ?? { _id: aliceId }), pendingDataMoves: [bobId] });

    dataOf(await call(deps, alice, 'login'));

    expect(deps.userData.ownedBy([bobId])).toHaveLength(1);
    expect(deps.userData.moved).toEqual([]);
    expect(deps.store.users.get(aliceId)?.pendingDataMoves).toEqual([]);
  });
});
