import { AVATAR_URL_MAX_AGE_SECONDS } from '../../../../cloudfunctions/login/src/actions/shared/avatar-url';
import { alice, bob, call, dataOf, errorOf, signUp } from '../support/actions';
import { createTestDeps, testFileId } from '../support/deps';

describe('updateProfile', () => {
  it('given a nickname, checks it with msgSecCheck v2 for the caller and stores it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);

    const { user } = dataOf(await call(deps, alice, 'updateProfile', { nickName: ' 小明 ' }));

    expect(user).toMatchObject({ id, nickName: '小明' });
    expect(deps.security.checked).toEqual([{ content: '小明', openid: 'o-alice', scene: 1 }]);
    expect(deps.store.users.get(id)?.nickName).toBe('小明');
  });

  it.each([
    ['risky', '违规昵称'],
    ['to be reviewed', '待审昵称'],
  ])('given a nickname the content check finds %s, answers CONTENT_RISKY and stores nothing', async (_verdict, nickName) => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);

    expect(errorOf(await call(deps, alice, 'updateProfile', { nickName })).code).toBe('CONTENT_RISKY');
    expect(deps.store.users.get(id)?.nickName).toBe('');
  });

  it('given the content check failing, answers CONTENT_CHECK_UNAVAILABLE and stores nothing', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    deps.security.failWith = 45009;

    expect(errorOf(await call(deps, alice, 'updateProfile', { nickName: '小明' })).code).toBe('CONTENT_CHECK_UNAVAILABLE');
    expect(deps.store.users.get(id)?.nickName).toBe('');
  });

  it('given an invalid nickname, answers NICKNAME_INVALID without calling WeChat', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);

    expect(errorOf(await call(deps, alice, 'updateProfile', { nickName: 'a\u202eb' })).code).toBe('NICKNAME_INVALID');
    expect(deps.security.checked).toEqual([]);
  });

  it('given an unchanged nickname, does not check it again', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明' }));
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明' }));
    expect(deps.security.checked).toHaveLength(1);
  });

  it("given an uploaded avatar in the user's folder, stores the fileID and answers a displayable URL", async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const fileID = testFileId(`avatars/${id}/a.png`);
    deps.files.files.add(fileID);

    const { user } = dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: fileID }));

    expect(user.avatarUrl).toMatch(/^https:\/\/files\.test\//);
    expect(deps.store.users.get(id)).toMatchObject({
      avatarFileID: fileID,
      avatarUrl: user.avatarUrl,
      avatarUrlExpiresAt: new Date(deps.clock.now.getTime() + AVATAR_URL_MAX_AGE_SECONDS * 1000),
    });
  });

  it.each([
    ['another environment', () => 'cloud://other-env.6f74-other-env-1250000000/avatars/id0001/a.png'],
    ["another user's folder", () => testFileId('avatars/someone-else/a.png')],
    ['a path outside avatars/', () => testFileId('private/id-card.png')],
    ['an https URL', () => 'https://example.com/a.png'],
  ])('given a fileID of %s, answers AVATAR_INVALID without asking storage', async (_name, fileID) => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const response = await call(deps, alice, 'updateProfile', { avatarFileID: fileID() });
    expect(errorOf(response).code).toBe('AVATAR_INVALID');
    expect(deps.files.urlRequests).toEqual([]);
  });

  it('given a fileID with no file behind it, answers AVATAR_INVALID', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const response = await call(deps, alice, 'updateProfile', { avatarFileID: testFileId(`avatars/${id}/missing.png`) });
    expect(errorOf(response).code).toBe('AVATAR_INVALID');
  });

  it('given a new avatar, deletes the replaced file of the user', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const first = testFileId(`avatars/${id}/1.png`);
    const second = testFileId(`avatars/${id}/2.png`);
    deps.files.files.add(first).add(second);

    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: first }));
    dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: second }));

    expect(deps.files.deleted).toEqual([first]);
    expect(deps.store.users.get(id)?.avatarFileID).toBe(second);
  });

  it.each([
    ['no field', {}],
    ['a number as nickname', { nickName: 42 }],
    ['an object as fileID', { avatarFileID: { $ne: '' } }],
  ])('given %s, answers INVALID_ARGUMENT', async (_name, payload) => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    expect(errorOf(await call(deps, alice, 'updateProfile', payload)).code).toBe('INVALID_ARGUMENT');
  });

  it('given identity fields in the event, changes only the caller', async () => {
    const deps = createTestDeps();
    const victim = await signUp(deps, bob);
    await signUp(deps, alice);

    dataOf(await call(deps, alice, 'updateProfile', { nickName: '攻击者', userId: victim, openid: 'o-bob', _id: victim }));

    expect(deps.store.users.get(victim)?.nickName).toBe('');
  });

  it('given a save refused after the upload (the nickname in the same call is risky), removes the upload and writes nothing', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const upload = testFileId(`avatars/${id}/new.png`);
    deps.files.files.add(upload);

    expect(errorOf(await call(deps, alice, 'updateProfile', { nickName: '违规', avatarFileID: upload })).code).toBe('CONTENT_RISKY');

    expect(deps.files.files.has(upload)).toBe(false);
    expect(deps.store.users.get(id)?.avatarFileID).toBeUndefined();
  });

  it('given the user deleted between the checks and the write, removes the upload', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const upload = testFileId(`avatars/${id}/new.png`);
    deps.files.files.add(upload);
    const temporaryUrls = deps.files.temporaryUrls.bind(deps.files);
    deps.files.temporaryUrls = async (fileIDs, maxAge) => {
      deps.store.users.delete(id);
      return temporaryUrls(fileIDs, maxAge);
    };

    expect(errorOf(await call(deps, alice, 'updateProfile', { avatarFileID: upload })).code).toBe('USER_NOT_FOUND');
    expect(deps.files.files.has(upload)).toBe(false);
  });

  it('given the write itself failing (it may have landed), keeps the upload', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    const upload = testFileId(`avatars/${id}/new.png`);
    deps.files.files.add(upload);
    deps.store.failNext('updateUser');

    expect(errorOf(await call(deps, alice, 'updateProfile', { avatarFileID: upload })).code).toBe('INTERNAL');
    expect(deps.files.files.has(upload)).toBe(true);
  });

  it("given an upload in the folder of an account deleted meanwhile, refuses it and removes it; another live user's file stays", async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const bobId = await signUp(deps, bob);
    const orphan = testFileId('avatars/deleted-account/a.png');
    const bobsFile = testFileId(`avatars/${bobId}/a.png`);
    deps.files.files.add(orphan).add(bobsFile);

    expect(errorOf(await call(deps, alice, 'updateProfile', { avatarFileID: orphan })).code).toBe('AVATAR_INVALID');
    expect(errorOf(await call(deps, alice, 'updateProfile', { avatarFileID: bobsFile })).code).toBe('AVATAR_INVALID');

    expect(deps.files.files.has(orphan)).toBe(false);
    expect(deps.files.files.has(bobsFile)).toBe(true);
  });
});
