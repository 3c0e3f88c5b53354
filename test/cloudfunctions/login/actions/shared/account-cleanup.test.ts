/**
 * Cleanup an account owes (shared/account-cleanup.ts): files it lists as to delete are deleted by
 * the next login only when they are its own and not in use; a refused upload whose delete fails is
 * listed, not forgotten; a file of an account deleted meanwhile goes onto its deletion entry.
 */
import { alice, bob, call, dataOf, errorOf, signUp } from '../../support/actions';
import { createTestDeps, testFileId } from '../../support/deps';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

describe('cleanup an account owes', () => {
  it('a refused upload whose delete fails is listed on the account, and the next login deletes it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const upload = testFileId(`avatars/${id}/refused.png`);
    deps.files.files.add(upload);
    const deleteFiles = deps.files.deleteFiles.bind(deps.files);
    deps.files.deleteFiles = async () => {
      throw new Error('storage down');
    };

    expect(errorOf(await call(deps, alice, 'updateProfile', { nickName: '违规', avatarFileID: upload })).code).toBe('CONTENT_RISKY');
    expect(deps.files.files.has(upload)).toBe(true);
    expect(deps.store.users.get(id)?.filesToDelete).toEqual([upload]);

    deps.files.deleteFiles = deleteFiles;
    dataOf(await call(deps, alice, 'login'));
    expect(deps.files.files.has(upload)).toBe(false);
    expect(deps.store.users.get(id)?.filesToDelete).toEqual([]);
  });

  it('a listed file that is the current avatar, or lies in someone else’s folder, is never deleted', async () => {
    const deps = createTestDeps();
    const bobId = await signUp(deps, bob);
    const id = await signUp(deps, alice);
    const avatar = testFileId(`avatars/${id}/a.png`);
    const bobsFile = testFileId(`avatars/${bobId}/b.png`);
    deps.files.files.add(avatar).add(bobsFile);
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
    const stored = deps.store.users.get(id);
    if (stored) stored.filesToDelete = [avatar, bobsFile];

    dataOf(await call(deps, alice, 'login'));

    expect(deps.files.files.has(avatar)).toBe(true);
    expect(deps.files.files.has(bobsFile)).toBe(true);
    expect(deps.store.users.get(id)?.filesToDelete).toEqual([]);
  });

  it('an upload into the folder of an account deleted meanwhile goes onto its deletion entry when storage fails', async () => {
    const deps = createTestDeps();
    const goneId = await signUp(deps, bob);
    dataOf(await call(deps, bob, 'deleteAccount', { confirm: true }));
    await signUp(deps, alice);
    const stale = testFileId(`avatars/${goneId}/late.png`);
    deps.files.files.add(stale);
    deps.files.broken = true;

    expect(errorOf(await call(deps, alice, 'updateProfile', { avatarFileID: stale })).code).toBe('AVATAR_INVALID');
    expect(deps.store.audit.get(`delete:${goneId}`)).toMatchObject({ pendingFileIDs: [stale], finishedAt: null });

    // The next deletion anyone makes after the late-write window finishes it.
    deps.files.broken = false;
    deps.clock.now = new Date(deps.clock.now.getTime() + LATE_WRITE_WINDOW_MS);
    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.files.files.has(stale)).toBe(false);
    expect(deps.store.audit.get(`delete:${goneId}`)).toMatchObject({ pendingFileIDs: [], finishedAt: deps.clock.now });
  });
  it('upload paths an account lists are emptied and deleted by 注销, only in its own folders, and a path nothing reached counts as done', async () => {
    const deps = createTestDeps();
    const bobId = await signUp(deps, bob);
    const id = await signUp(deps, alice);
    const crashedExport = `exports/${id}/crashed.json`;
    deps.files.files.add(testFileId(crashedExport));
    deps.files.uploads.set(testFileId(crashedExport), '{"personal":"data"}');
    const bobsAvatar = testFileId(`avatars/${bobId}/b.png`);
    deps.files.files.add(bobsAvatar);
    const stored = deps.store.users.get(id);
    if (stored)
      stored.pendingUploads = [crashedExport, `avatars/${id}/never-uploaded.png`, `avatars/${bobId}/b.png`, `exports/${id}/../x.json`];

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    expect(deps.files.files.has(testFileId(crashedExport))).toBe(false);
    expect(deps.files.files.has(testFileId(`avatars/${id}/never-uploaded.png`))).toBe(false);
    expect(deps.files.files.has(bobsAvatar)).toBe(true);
    expect(deps.files.uploads.has(bobsAvatar)).toBe(false);
    expect(deps.files.uploads.has(testFileId(`exports/${id}/../x.json`))).toBe(false);
  });
});
