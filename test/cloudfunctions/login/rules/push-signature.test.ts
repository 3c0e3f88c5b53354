import { encryptMessage, signedPush, wechatSignature } from '@wx-cloud-login/cloudbase-emulator/src/push/wechat-message-crypto';
import {
  decryptPushMessage,
  MAX_SKEW_SECONDS,
  pushSecretsFrom,
  pushSignature,
  readPushRequest,
  type PushSecrets,
} from '../../../../cloudfunctions/login/src/rules/push-signature';

const secrets: PushSecrets = { token: 'pushToken2026', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appid: 'wxapp1' };
const now = 1_800_000_000;
const message = { Event: 'user_authorization_revoke', OpenID: 'o-alice', AppID: 'wxapp1', RevokeInfo: '8', CreateTime: now };

function post(query: Record<string, string>, body: string, extra: Record<string, unknown> = {}) {
  return { httpMethod: 'POST', path: '/wechat-push', headers: {}, queryStringParameters: query, body, isBase64Encoded: false, ...extra };
}

describe('pushSignature', () => {
  it('is WeChat’s documented example: SHA-1 of Token, timestamp and nonce sorted', () => {
    expect(pushSignature(['AAAAA', '1714036504', '1514711492'])).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(wechatSignature(['AAAAA', '1714036504', '1514711492'])).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
  });
});

describe('readPushRequest', () => {
  it('given a push WeChat encrypted and signed, answers the message', () => {
    const signed = signedPush(message, secrets, now);
    const request = readPushRequest(post(signed.query, signed.body), secrets, now);
    expect(request.kind).toBe('message');
    expect(request.kind === 'message' && JSON.parse(request.text)).toEqual(message);
  });

  it('given the body base64-encoded by the HTTP access service, reads it the same', () => {
    const signed = signedPush(message, secrets, now);
    const request = readPushRequest(
      post(signed.query, Buffer.from(signed.body).toString('base64'), { isBase64Encoded: true }),
      secrets,
      now,
    );
    expect(request.kind).toBe('message');
  });

  it('given WeChat’s URL check, answers its echostr only when signed with the Token', () => {
    const query = { signature: pushSignature([secrets.token, String(now), '42']), timestamp: String(now), nonce: '42', echostr: '123456' };
    expect(readPushRequest({ httpMethod: 'GET', queryStringParameters: query }, secrets, now)).toEqual({
      kind: 'verify',
      echostr: '123456',
    });
    expect(readPushRequest({ httpMethod: 'GET', queryStringParameters: { ...query, signature: 'x' } }, secrets, now).kind).toBe('refused');
  });

  it.each([
    ['a plain callFunction body', () => message],
    ['another Token', () => signedPush(message, { ...secrets, token: 'guessed' }, now)],
    [
      'another EncodingAESKey',
      () => signedPush(message, { ...secrets, encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' }, now),
    ],
    ['another AppID', () => signedPush(message, { ...secrets, appid: 'wx-other' }, now)],
    ['a timestamp too old', () => signedPush(message, secrets, now - MAX_SKEW_SECONDS - 1)],
  ])('given %s, refuses it', (_name, make) => {
    const made = make();
    const event = 'query' in made && 'body' in made ? post(made.query as Record<string, string>, made.body as string) : made;
    expect(readPushRequest(event, secrets, now).kind).toBe('refused');
  });

  it('given a body swapped under a genuine signature, refuses it', () => {
    const genuine = signedPush(message, secrets, now);
    const other = signedPush({ ...message, OpenID: 'o-victim' }, secrets, now);
    expect(readPushRequest(post(genuine.query, other.body), secrets, now).kind).toBe('refused');
  });

  it('given 明文模式 (a signature that does not cover the body), refuses it', () => {
    const query = { signature: pushSignature([secrets.token, String(now), '7']), timestamp: String(now), nonce: '7' };
    expect(readPushRequest(post(query, JSON.stringify(message)), secrets, now)).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('安全模式'),
    });
  });
});

describe('decryptPushMessage', () => {
  it('decrypts what WeChat encrypts, whatever its length', () => {
    for (const text of ['', 'x', 'a'.repeat(31), '中文'.repeat(40)]) {
      expect(decryptPushMessage(encryptMessage(text, secrets), secrets)).toEqual({ ok: true, text });
    }
  });
});

describe('pushSecretsFrom', () => {
  it('takes the three variables, and says which one is wrong', () => {
    const env = { WECHAT_PUSH_TOKEN: secrets.token, WECHAT_PUSH_AES_KEY: secrets.encodingAESKey, WECHAT_APPID: 'wxapp1' };
    expect(pushSecretsFrom(env)).toEqual(secrets);
    expect(pushSecretsFrom({ ...env, WECHAT_PUSH_AES_KEY: 'short' })).toEqual({ problem: expect.stringContaining('WECHAT_PUSH_AES_KEY') });
    expect(pushSecretsFrom({ ...env, WECHAT_PUSH_TOKEN: '{{env.WECHAT_PUSH_TOKEN}}' })).toEqual({
      problem: expect.stringContaining('WECHAT_PUSH_TOKEN'),
    });
  });
});
