import { sign, uploadAuthorization, verify, verifyUploadAuthorization } from '../../src/storage/signing';

const secret = 'k'.repeat(64);

describe('download signatures', () => {
  it('accept the signed path until the expiry second, then report expired', () => {
    const signature = sign(secret, 'download', 'a/b.png', 1000);
    expect(verify(secret, 'download', 'a/b.png', signature, 1000, 1000)).toBe('ok');
    expect(verify(secret, 'download', 'a/b.png', signature, 1000, 1001)).toBe('expired');
  });

  it('refuse another path, another expiry, another purpose or another key', () => {
    const signature = sign(secret, 'download', 'a/b.png', 1000);
    expect(verify(secret, 'download', 'a/c.png', signature, 1000, 0)).toBe('invalid');
    expect(verify(secret, 'download', 'a/b.png', signature, 2000, 0)).toBe('invalid');
    expect(verify(secret, 'upload', 'a/b.png', signature, 1000, 0)).toBe('invalid');
    expect(verify('other', 'download', 'a/b.png', signature, 1000, 0)).toBe('invalid');
    expect(verify(secret, 'download', 'a/b.png', '', Number.NaN, 0)).toBe('invalid');
  });
});

describe('upload authorization', () => {
  it('is a COS-shaped header valid for its path during its lifetime', () => {
    const header = uploadAuthorization(secret, 'up/x.bin', 100, 900);
    expect(header).toMatch(/^q-sign-algorithm=sha256&.*q-sign-time=100;1000&.*q-signature=[0-9a-f]{32}$/);
    expect(verifyUploadAuthorization(secret, 'up/x.bin', header, 1000)).toBe('ok');
    expect(verifyUploadAuthorization(secret, 'up/x.bin', header, 1001)).toBe('expired');
    expect(verifyUploadAuthorization(secret, 'up/y.bin', header, 500)).toBe('invalid');
    expect(verifyUploadAuthorization(secret, 'up/x.bin', 'garbage', 500)).toBe('invalid');
  });
});
