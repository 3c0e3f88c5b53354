import { alice, call, errorOf, signUp } from '../../support/actions';
import { createTestDeps } from '../../support/deps';

describe('every account action', () => {
  const actions = [
    ['updateProfile', { nickName: '小明' }],
    ['bindPhone', { code: 'x' }],
    ['confirmLink', { ticket: `lt1_${'A'.repeat(43)}` }],
    ['listIdentities', {}],
    ['unlinkIdentity', { identityId: 'abc' }],
    ['deleteAccount', { confirm: true }],
  ] as const;

  it.each(actions)('%s: given a WeChat identity that never logged in, answers USER_NOT_FOUND', async (action, payload) => {
    const deps = createTestDeps();
    expect(errorOf(await call(deps, alice, action, payload)).code).toBe('USER_NOT_FOUND');
  });

  it.each(actions)('%s: given a banned user, answers USER_BANNED and changes nothing', async (action, payload) => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const user = deps.store.users.get(id);
    if (user) user.status = 'banned';
    const before = JSON.stringify([...deps.store.users, ...deps.store.identities]);

    expect(errorOf(await call(deps, alice, action, payload)).code).toBe('USER_BANNED');
    expect(JSON.stringify([...deps.store.users, ...deps.store.identities])).toBe(before);
  });

  it.each(actions)('%s: given no OPENID, answers UNAUTHENTICATED without touching the database', async (action, payload) => {
    const deps = createTestDeps();
    expect(errorOf(await call(deps, null, action, payload)).code).toBe('UNAUTHENTICATED');
    expect(deps.store.calls).toEqual({});
  });
});

describe('resolving the caller', () => {
  it('given an account merged into another, acts on the account it was merged into', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    // A login raced the merge and left a key on the merged account.
    deps.store.users.set('target', { _id: 'target', status: 'active', identityKeys: ['email:x'], nickName: '目标' });
    const merged = deps.store.users.get(id);
    if (merged) Object.assign(merged, { status: 'merged', mergedInto: 'target' });

    const before = deps.store.calls.getUser ?? 0;

    const response = await call(deps, alice, 'listIdentities');

    expect(response.ok).toBe(true);
    expect((deps.store.calls.getUser ?? 0) - before).toBe(1);
  });
});
