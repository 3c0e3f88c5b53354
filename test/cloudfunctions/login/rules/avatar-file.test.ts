import { avatarFileProblem, cloudPathIn } from '../../../../cloudfunctions/login/src/rules/avatar-file';

const env = 'prod-7g3x';
const fileId = (path: string) => `cloud://${env}.7072-${env}-1250000000/${path}`;

describe('avatarFileProblem', () => {
  it("given a file in the user's avatar folder of this environment, accepts it", () => {
    expect(avatarFileProblem(fileId('avatars/u1/a.png'), env, 'u1')).toBeNull();
  });

  it.each([
    ['another environment', 'cloud://other-env.6f74-other-env-1250000000/avatars/u1/a.png'],
    ['an environment whose id only starts like ours', `cloud://${env}x.bucket/avatars/u1/a.png`],
    ['an https URL', 'https://example.com/avatars/u1/a.png'],
    ["another user's folder", fileId('avatars/u2/a.png')],
    ['a file outside the avatar folder', fileId('idcards/u1.png')],
    ['the folder itself', fileId('avatars/u1/')],
    ['a path escaping the folder', fileId('avatars/u1/../u2/a.png')],
    ['no path', `cloud://${env}.bucket/`],
  ])('given %s, refuses it', (_name, fileID) => {
    expect(avatarFileProblem(fileID, env, 'u1')).not.toBeNull();
  });

  it('given no known environment, refuses every fileID', () => {
    expect(avatarFileProblem(fileId('avatars/u1/a.png'), '', 'u1')).not.toBeNull();
  });
});

describe('cloudPathIn', () => {
  it('gives the cloud path after the bucket', () => {
    expect(cloudPathIn(env, fileId('avatars/u1/a.png'))).toBe('avatars/u1/a.png');
  });
});
