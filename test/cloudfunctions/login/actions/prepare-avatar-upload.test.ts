/**
 * prepareAvatarUpload: the function names the path of an avatar upload and lists it on the account
 * before the page uploads, so an image uploaded and never saved still goes with 注销.
 */
import { UPLOAD_STALE_MS } from '../../../../cloudfunctions/login/src/rules/upload-path';
import { RATE_LIMITS } from '../../../../cloudfunctions/login/src/rules/rate-limit';
import { alice, bob, call, dataOf, errorOf, signUp } from '../support/actions';
import { createTestDeps, testFileId } from '../support/deps';

describe('prepareAvatarUpload', () => {
  it('given a signed-in person, answers a fresh path in their own folder and lists it on the account', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);

    const { cloudPath } = dataOf(await call(deps, alice, 'prepareAvatarUpload', { extension: 'PNG' }));
    const second = dataOf(await call(deps, alice, 'prepareAvatarUpload', {})).cloudPath;

    expect(cloudPath).toMatch(new RegExp(`^avatars/${id}/[0-9a-z]+-token[0-9]+\\.png$`));
    expect(second).toMatch(/\.jpg$/);
    expect(second).not.toBe(cloudPath);
    expect(deps.store.users.get(id)?.pendingUploads).toEqual([cloudPath, second]);
  });

  it('given the upload saved as the avatar, the save takes its path off the account', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const { cloudPath } = dataOf(await call(deps, alice, 'prepareAvatarUpload', { extension: 'png' }));
    deps.files.files.add(testFileId(cloudPath));

    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: testFileId(cloudPath) }));

    expect(deps.store.users.get(id)).toMatchObject({ avatarFileID: testFileId(cloudPath), pendingUploads: [] });
  });

  it('given an upload never saved, 注销 deletes it', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const { cloudPath } = dataOf(await call(deps, alice, 'prepareAvatarUpload', { extension: 'png' }));
    deps.files.files.add(testFileId(cloudPath));

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));

    expect(deps.files.files.has(testFileId(cloudPath))).toBe(false);
  });

  it('given paths handed out over an hour ago and never saved, the next call deletes and unlists them, and keeps recent ones', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const old = dataOf(await call(deps, alice, 'prepareAvatarUpload', {})).cloudPath;
    deps.files.files.add(testFileId(old));
    deps.clock.now = new Date(deps.clock.now.getTime() + UPLOAD_STALE_MS / 2);
    const recent = dataOf(await call(deps, alice, 'prepareAvatarUpload', {})).cloudPath;
    deps.clock.now = new Date(deps.clock.now.getTime() + UPLOAD_STALE_MS / 2 + 1);

    const latest = dataOf(await call(deps, alice, 'prepareAvatarUpload', {})).cloudPath;

    expect(deps.files.files.has(testFileId(old))).toBe(false);
    expect(deps.store.users.get(id)?.pendingUploads).toEqual([recent, latest]);
  });

  it('given an extension that is not an image’s, answers INVALID_ARGUMENT and lists nothing', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);

    expect(errorOf(await call(deps, alice, 'prepareAvatarUpload', { extension: 'html' })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(await call(deps, alice, 'prepareAvatarUpload', { extension: '../png' })).code).toBe('INVALID_ARGUMENT');
    expect(deps.store.users.get(id)?.pendingUploads).toBeUndefined();
  });

  it('given no account, answers USER_NOT_FOUND; given more than the allowance in an hour, RATE_LIMITED', async () => {
    const deps = createTestDeps();
    expect(errorOf(await call(deps, bob, 'prepareAvatarUpload', {})).code).toBe('USER_NOT_FOUND');
    await signUp(deps, alice);
    for (let use = 0; use < RATE_LIMITS.avatarUpload.limit; use += 1) dataOf(await call(deps, alice, 'prepareAvatarUpload', {}));
    expect(errorOf(await call(deps, alice, 'prepareAvatarUpload', {})).code).toBe('RATE_LIMITED');
  });
});
