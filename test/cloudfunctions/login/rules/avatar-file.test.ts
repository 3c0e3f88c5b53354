import {
  avatarFileProblem,
  cloudPathIn,
  externalAvatarUrlProblem,
  MAX_AVATAR_URL_LENGTH,
} from '../../../../cloudfunctions/login/src/rules/avatar-file';

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

describe('externalAvatarUrlProblem (an avatar URL another system stored)', () => {
  it.each([
    ['a WeChat avatar', 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132'],
    ['a plain http URL', 'http://wx.qlogo.cn/mmopen/abc/0'],
  ])('given %s, keeps it', (_name, url) => {
    expect(externalAvatarUrlProblem(url)).toBeNull();
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a javascript: URL in capitals', 'JavaScript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a relative path', '/avatars/a.png'],
    ['a URL with a newline', 'https://example.com/a\n.png'],
    ['a URL with a right-to-left override', 'https://example.com/\u202egnp.exe'],
    ['a URL with a space', 'https://example.com/a b.png'],
    ['an overlong URL', `https://example.com/${'a'.repeat(MAX_AVATAR_URL_LENGTH)}`],
  ])('given %s, refuses it', (_name, url) => {
    expect(externalAvatarUrlProblem(url)).not.toBeNull();
  });
});
