import { bucketFor, cloudPathProblem, fileIdFor, parseFileId } from '../../src/storage/file-id';

describe('fileIdFor', () => {
  it('builds cloud://<env>.<hex of two chars>-<env>-<appid>/<path>, like CloudBase', () => {
    expect(bucketFor('test-1a2b')).toBe('7465-test-1a2b-1250000000');
    expect(fileIdFor('test-1a2b', 'avatars/u1.png')).toBe('cloud://test-1a2b.7465-test-1a2b-1250000000/avatars/u1.png');
  });
});

describe('parseFileId', () => {
  it('gives back the cloud path of a fileID of this env', () => {
    expect(parseFileId('local-dev', fileIdFor('local-dev', 'a/b c.txt'))).toEqual({ ok: true, cloudPath: 'a/b c.txt' });
  });

  it('tells a malformed id from one of another env or bucket', () => {
    expect(parseFileId('local-dev', 'https://example.com/a.png')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseFileId('local-dev', fileIdFor('prod-env', 'a.png'))).toEqual({ ok: false, reason: 'elsewhere' });
    expect(parseFileId('local-dev', 'cloud://local-dev.other-bucket/a.png')).toEqual({ ok: false, reason: 'elsewhere' });
  });
});

describe('cloudPathProblem', () => {
  it.each(['a.png', 'avatars/o-1/头像.jpg', 'dir/with space.txt'])('accepts %s', (path) => {
    expect(cloudPathProblem(path)).toBeNull();
  });

  it.each(['', '/abs.png', 'a//b', 'dir/', 'a#b', 'a%20b', 'q?x', '../up', 'a/./b', 'x'.repeat(851)])('refuses %j', (path) => {
    expect(cloudPathProblem(path)).toEqual(expect.any(String));
  });
});
