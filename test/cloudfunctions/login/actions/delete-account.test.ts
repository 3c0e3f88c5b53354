import { alice, bob, call, dataOf, errorOf, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, type TestDeps, testFileId } from '../support/deps';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

/** Moves the test clock past the late-write window of a deletion made now. */
function pastLateWriteWindow(deps: TestDeps): void {
  deps.clock.now = new Date(deps.clock.now.getTime() + LATE_WRITE_WINDOW_MS);
}

/** `operation`, failing on its first call only. */
function failingOnce<A extends unknown[], R>(operation: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let failed = false;
  return async (...args) => {
    if (!failed) {
      failed = true;
      throw new Error('database down');
    }
    return operation(...args);
  };
}

describe('deleteAccount', () => {
  it('without confirm: true, answers CONFIRMATION_REQUIRED and deletes nothing', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    for (const payload of [{}, { confirm: 'true' }, { confirm: 1 }]) {
      expect(errorOf(await call(deps, alice, 'deleteAccount', payload)).code).toBe('CONFIRMATION_REQUIRED');
    }
    expect(deps.store.users.has(id)).toBe(true);
  });

  it('removes the profile, identities and avatar; the next login starts fresh with a new id', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    const avatar = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明', avatarFileID: avatar }));

    expect(dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });

    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.store.identities.size).toBe(0);
    expect(deps.files.files.has(avatar)).toBe(false);
    const next = dataOf(await call(deps, alice, 'login'));
    expect(next.isNewUser).toBe(true);
    expect(next.user).toMatchObject({ nickName: '', avatarUrl: '', hasPhone: false });
    expect(next.user.id).not.toBe(id);
  });

  it('keeps only a minimal audit record: no profile data, no phone number', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明' }));
    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    // The anonymous phone-check entry (for phone-usage) names nobody and stays; the rest is the deletion's.
    const entries = [...deps.store.audit.values()].filter((entry) => entry.type !== 'phone-check');
    expect(entries).toEqual([
      {
        _id: `delete:${id}`,
        type: 'account-deleted',
        at: deps.clock.now,
        userId: id,
        identityCount: 3,
        mergedAccountCount: 0,
        pendingFileIDs: [],
        // Removed once more after the late-write window (a protected write whose check never ran).
        pendingUserIds: [id],
        lateWritesUntil: new Date(deps.clock.now.getTime() + LATE_WRITE_WINDOW_MS),
        finishedAt: null,
        leftWhenAnswered: { files: 0, userData: 0 },
      },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/小明|13800138000|o-alice|u-alice/);
  });

  it('releases the phone number: another account can bind it without a link offer', async () => {
    const deps = createTestDeps();
    await signUpWithPhone(deps, alice, '13800138000');
    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    await signUpWithPhone(deps, bob, '13800138000');
  });

  it('also removes accounts merged into it and never-adopted tutorial documents of this openid', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.store.users.set('merged-one', { _id: 'merged-one', status: 'merged', mergedInto: id, identityKeys: [], nickName: '旧号' });
    deps.store.users.set('legacy-dup', { _id: 'legacy-dup', _openid: 'o-alice', nickName: '教程' });
    deps.store.users.set('someone-else', { _id: 'someone-else', _openid: 'o-other' });

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    expect([...deps.store.users.keys()]).toEqual(['someone-else']);
    expect(dataOf(await call(deps, alice, 'login')).isNewUser).toBe(true);
  });

  it('given a fault in the middle, deletes nothing from the database; the retry finishes', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    deps.store.failNext('tx.removeUser');

    expect(errorOf(await call(deps, alice, 'deleteAccount', { confirm: true })).code).toBe('INTERNAL');
    expect(deps.store.users.has(id)).toBe(true);
    expect(deps.store.identities.size).toBe(3);

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.store.users.size).toBe(0);
    expect(deps.store.identities.size).toBe(0);
  });

  it('given storage failing after the commit, the account is deleted and its audit entry lists the file left', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
    deps.files.broken = true;

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({ pendingFileIDs: [avatar] });
  });

  it('given a fault before any data was removed, gives the account back whole, answers INTERNAL, and a retry deletes it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
    deps.userData.documents.set('notes', [{ _id: 'n1', owner: id, text: '笔记' }]);
    deps.store.failNext('usersMergedInto');

    expect(errorOf(await call(deps, alice, 'deleteAccount', { confirm: true })).code).toBe('INTERNAL');
    expect(deps.store.users.get(id)).toMatchObject({ status: 'active' });
    expect(deps.files.files.has(avatar)).toBe(true);
    expect(deps.userData.ownedBy([id])).toHaveLength(1);

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.files.files.has(avatar)).toBe(false);
    expect(deps.userData.ownedBy([id])).toEqual([]);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({ pendingFileIDs: [], pendingUserIds: [id], finishedAt: null });
  });

  it('given removing the per-user data failing, answers INTERNAL (never OK) and keeps the account marked; the retry finishes', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.userData.documents.set('notes', [
      { _id: 'n1', owner: id, text: '笔记' },
      { _id: 'n2', owner: 'someone-else', text: '别人的' },
    ]);
    deps.userData.removeAll = failingOnce(deps.userData.removeAll);

    expect(errorOf(await call(deps, alice, 'deleteAccount', { confirm: true })).code).toBe('INTERNAL');
    // Part of the data may be gone: the account is not handed back as if whole.
    expect(deps.store.users.get(id)?.status).toBe('deleting');
    expect(deps.userData.ownedBy([id])).toHaveLength(1);

    expect(dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });
    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.userData.ownedBy([id])).toEqual([]);
    expect(deps.userData.ownedBy(['someone-else'])).toHaveLength(1);
  });

  it('given the transaction failing after the data was removed, answers INTERNAL; the retry (or the next login) finishes', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
    deps.store.failNext('transaction');

    expect(errorOf(await call(deps, alice, 'deleteAccount', { confirm: true })).code).toBe('INTERNAL');
    expect(deps.store.users.get(id)).toMatchObject({ status: 'deleting' });
    expect(deps.files.files.has(avatar)).toBe(true);

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.files.files.has(avatar)).toBe(false);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({ pendingFileIDs: [] });
  });

  it('a write landing between the data removal and the commit is removed after the commit, or listed until it is', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const remove = deps.userData.removeAll.bind(deps.userData);
    let calls = 0;
    deps.userData.removeAll = async (userIds) => {
      calls += 1;
      // The removal after the commit fails once…
      if (calls === 2) throw new Error('database down');
      await remove(userIds);
      // …and a notes write in flight during the deletion lands right after the first removal.
      if (calls === 1) deps.userData.documents.get('notes')?.push({ _id: 'late', owner: id, text: '迟到的笔记' });
    };

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.userData.ownedBy([id])).toHaveLength(1);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({
      pendingUserIds: [id],
      finishedAt: null,
      leftWhenAnswered: { userData: 1 },
    });

    // The next deletion anyone makes after the late-write window sweeps it.
    await signUp(deps, bob);
    pastLateWriteWindow(deps);
    dataOf(await call(deps, bob, 'deleteAccount', { confirm: true }));
    expect(deps.userData.ownedBy([id])).toEqual([]);
    // What was left when the deletion answered stays on record.
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({
      pendingUserIds: [],
      finishedAt: deps.clock.now,
      leftWhenAnswered: { files: 0, userData: 1 },
    });
  });

  it('given a crash between the mark and the commit, other actions see no account; the next login completes the deletion', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    const avatar = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明', avatarFileID: avatar }));
    const before = deps.store.users.get(id)?.loginCount;
    // A crash: the queries fail after the mark, and so does giving the account back.
    deps.store.failNext('usersMergedInto');
    deps.store.failNext('transaction');
    expect(errorOf(await call(deps, alice, 'deleteAccount', { confirm: true })).code).toBe('INTERNAL');
    expect(deps.store.users.get(id)?.status).toBe('deleting');

    for (const [action, payload] of [
      ['listIdentities', {}],
      ['updateProfile', { nickName: '小红' }],
      ['bindPhone', { code: deps.phone.codeFor('13900139000') }],
    ] as const) {
      expect(errorOf(await call(deps, alice, action, payload)).code).toBe('USER_NOT_FOUND');
    }
    expect(deps.store.users.get(id)).toMatchObject({ loginCount: before, nickName: '小明' });

    const next = dataOf(await call(deps, alice, 'login'));
    expect(next).toMatchObject({ isNewUser: true, user: { nickName: '', hasPhone: false } });
    expect(next.user.id).not.toBe(id);
    expect(deps.store.users.has(id)).toBe(false);
    expect([...deps.store.identities.values()].every((identity) => identity.userId === next.user.id)).toBe(true);
    expect(deps.files.files.has(avatar)).toBe(false);
    expect(deps.store.audit.get(`delete:${id}`)).toMatchObject({ identityCount: 3, pendingFileIDs: [] });
  });

  it('given a stale mark, deleteAccount completes it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    await deps.store.markUserDeleting(id);

    expect(dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });
    expect(deps.store.users.has(id)).toBe(false);
    expect(deps.store.identities.size).toBe(0);
  });

  it('given a login completing a deletion that fails again, the mark stays for the next attempt (never undone)', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    await deps.store.markUserDeleting(id);
    deps.store.failNext('tx.removeUser');

    expect(errorOf(await call(deps, alice, 'login')).code).toBe('INTERNAL');
    expect(deps.store.users.get(id)?.status).toBe('deleting');
    expect(dataOf(await call(deps, alice, 'login')).isNewUser).toBe(true);
    expect(deps.store.users.has(id)).toBe(false);
  });

  it('given avatar files an earlier deletion could not remove, a later deletion of anyone removes them and empties the entry', async () => {
    const deps = createTestDeps();
    const aliceId = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${aliceId}/a.png`);
    deps.files.files.add(avatar);
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
    deps.files.broken = true;
    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.store.audit.get(`delete:${aliceId}`)).toMatchObject({ pendingFileIDs: [avatar] });
    expect(deps.files.files.has(avatar)).toBe(true);

    deps.files.broken = false;
    const bobId = await signUp(deps, bob);
    dataOf(await call(deps, bob, 'deleteAccount', { confirm: true }));

    expect(deps.files.files.has(avatar)).toBe(false);
    expect(deps.store.audit.get(`delete:${aliceId}`)).toMatchObject({ pendingFileIDs: [] });
    expect(deps.store.audit.get(`delete:${bobId}`)).toMatchObject({ pendingFileIDs: [] });
  });

  it('sweeps a bounded number of entries per deletion, and never a path outside avatars/', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    for (let index = 0; index < 8; index += 1) {
      const fileID = testFileId(`avatars/gone${index}/a.png`);
      deps.files.files.add(fileID);
      await deps.store.putAudit({
        _id: `delete:gone${index}`,
        type: 'account-deleted',
        at: deps.clock.now,
        userId: `gone${index}`,
        identityCount: 1,
        mergedAccountCount: 0,
        pendingFileIDs: index === 0 ? [fileID, testFileId('private/contract.pdf')] : [fileID],
      });
    }
    deps.files.files.add(testFileId('private/contract.pdf'));
    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    const left = [...deps.store.audit.values()].filter((entry) => entry.type === 'account-deleted' && entry.pendingFileIDs.length > 0);
    expect(left).toHaveLength(3);
    expect(deps.files.files.has(testFileId('private/contract.pdf'))).toBe(true);
    expect(deps.files.deleted).not.toContain(testFileId('private/contract.pdf'));
  });

  it("removes link tickets of a merged account, tickets holding the person's openid key, and expired tickets", async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const openidKey = deps.store.users.get(id)?.identityKeys?.[0] ?? '';
    deps.store.users.set('merged-one', { _id: 'merged-one', status: 'merged', mergedInto: id, identityKeys: [] });
    const base = { phoneKey: 'phone:+86:1', createdAt: deps.clock.now, usedAt: null };
    const live = new Date(deps.clock.now.getTime() + 60_000);
    deps.store.tickets.set('of-merged', {
      ...base,
      _id: 'of-merged',
      callerKey: 'k',
      fromUserId: 'merged-one',
      toUserId: 'x',
      expiresAt: live,
    });
    deps.store.tickets.set('of-key', { ...base, _id: 'of-key', callerKey: openidKey, fromUserId: 'y', toUserId: 'x', expiresAt: live });
    deps.store.tickets.set('expired', { ...base, _id: 'expired', callerKey: 'k', fromUserId: 'y', toUserId: 'z', expiresAt: new Date(0) });
    deps.store.tickets.set('other', { ...base, _id: 'other', callerKey: 'k', fromUserId: 'y', toUserId: 'z', expiresAt: live });

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect([...deps.store.tickets.keys()]).toEqual(['other']);
  });
});
