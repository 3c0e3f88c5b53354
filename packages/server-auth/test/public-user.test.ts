import { toPublicUser } from '../src/public-user';

const now = new Date('2026-06-01T00:00:00Z');

describe('toPublicUser: the avatar URL a client is given', () => {
  it('passes on an http(s) avatar URL a legacy document keeps in userInfo', () => {
    const user = { _id: 'u1', userInfo: { nickName: '教程用户', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/abc/132' } };
    expect(toPublicUser(user, now).avatarUrl).toBe('https://thirdwx.qlogo.cn/mmopen/abc/132');
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a data: URL', 'data:text/html,<script>1</script>'],
    ['a relative path', '/avatars/a.png'],
    ['a URL with a control character', 'https://example.com/a\u0007.png'],
    ['an overlong URL', `https://example.com/${'a'.repeat(1100)}`],
  ])('given %s in a legacy userInfo, answers no avatar', (_name, avatarUrl) => {
    expect(toPublicUser({ _id: 'u1', userInfo: { avatarUrl } }, now).avatarUrl).toBe('');
  });

  it('applies the same rule to a top-level avatar URL not backed by a cloud file, then falls back to userInfo', () => {
    const user = { _id: 'u1', avatarUrl: 'javascript:alert(1)', userInfo: { avatarUrl: 'https://example.com/a.png' } };
    expect(toPublicUser(user, now).avatarUrl).toBe('https://example.com/a.png');
  });

  it('answers the temporary URL of a cloud-file avatar while it is valid', () => {
    const user = {
      _id: 'u1',
      avatarFileID: 'cloud://env.bucket/avatars/u1/a.png',
      avatarUrl: 'https://env.tcb.qcloud.la/avatars/u1/a.png?sign=1',
      avatarUrlExpiresAt: new Date(now.getTime() + 60_000),
    };
    expect(toPublicUser(user, now).avatarUrl).toBe('https://env.tcb.qcloud.la/avatars/u1/a.png?sign=1');
  });
});
