import { credentialFile, loginStateFromCredentialFile } from '../../../scripts/lib/tcb-login';

const NOW = Date.UTC(2026, 0, 1);
const FILE = '/home/dev/.config/.cloudbase/auth.json';
const state = (content: string | undefined) => loginStateFromCredentialFile(content, NOW, FILE);
const file = (credential: unknown) => JSON.stringify({ _: '这是您的 CloudBase 身份凭据文件', credential });

describe('loginStateFromCredentialFile', () => {
  it('given no credential file, is logged out', () => {
    expect(state(undefined)).toMatchObject({ loggedIn: false, file: FILE });
  });

  it('given the empty credential tcb logout leaves, is logged out', () => {
    expect(state(file({}))).toMatchObject({ loggedIn: false });
  });

  it('given an API key login (CI), is logged in', () => {
    expect(state(file({ secretId: 'AKIDexample', secretKey: 'key' }))).toEqual({ loggedIn: true, kind: 'api-key', file: FILE });
  });

  it('given a browser login whose refresh window is open, is logged in even if the short token expired', () => {
    const credential = {
      tmpSecretId: 'id',
      tmpSecretKey: 'key',
      tmpToken: 't',
      tmpExpired: NOW - 1000,
      expired: NOW + 86_400_000,
      refreshToken: 'r',
    };
    expect(state(file(credential))).toEqual({ loggedIn: true, kind: 'browser', file: FILE });
  });

  it('given a browser login past its refresh window, is logged out', () => {
    const credential = { tmpSecretId: 'id', tmpSecretKey: 'key', expired: NOW - 1, refreshToken: 'r' };
    expect(state(file(credential))).toMatchObject({ loggedIn: false });
  });

  it('given a corrupt file, is logged out', () => {
    expect(state('{not json')).toMatchObject({ loggedIn: false });
  });
});

describe('credentialFile', () => {
  it('lives under ~/.config/.cloudbase, where @cloudbase/cli writes it', () => {
    expect(credentialFile('/tmp', '/var/tmp')).toBe('/tmp/.config/.cloudbase/auth.json');
  });

  it('falls back to the temporary folder when home is unusable, as the CLI does', () => {
    expect(credentialFile('/nonexistent-home-for-test', '/var/tmp')).toBe('/var/tmp/.config/.cloudbase/auth.json');
  });
});
