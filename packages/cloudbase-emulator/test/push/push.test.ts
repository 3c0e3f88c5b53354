/**
 * WeChat message pushes as the emulator delivers them: what WeChat's servers send in 安全模式
 * (wechat-message-crypto.ts), through the HTTP access service's event to the configured function
 * (push-module.ts), and `npm run emulator -- push` (push-cli.ts).
 */
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePushArgs, runPush } from '../../src/push/push-cli';
import { encryptMessage, signedPush, wechatSignature } from '../../src/push/wechat-message-crypto';
import { createEmulator, type Emulator } from '../../src/server';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functions');
const credentials = { token: 'tok123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appid: 'wx-push-test' };

/** WeChat's documented decryption, written out here independently of the function under test. */
function decrypt(encrypt: string): { message: string; appid: string } {
  const key = Buffer.from(`${credentials.encodingAESKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const content = plain.subarray(0, plain.length - (plain[plain.length - 1] ?? 0));
  const length = content.readUInt32BE(16);
  return { message: content.subarray(20, 20 + length).toString('utf8'), appid: content.subarray(20 + length).toString('utf8') };
}

describe('WeChat’s 安全模式 encryption', () => {
  it('pads to 32-byte blocks and ends the plaintext with the AppID', () => {
    const encrypt = encryptMessage('{"a":1}', credentials);
    expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
    expect(decrypt(encrypt)).toEqual({ message: '{"a":1}', appid: 'wx-push-test' });
  });

  it('signs the URL with the Token and the body with msg_signature over Encrypt', () => {
    const signed = signedPush({ Event: 'e', OpenID: 'o-1' }, credentials, 1_800_000_000);
    const { Encrypt } = JSON.parse(signed.body) as { Encrypt: string };
    const { timestamp = '', nonce = '' } = signed.query;
    expect(signed.query).toMatchObject({
      signature: wechatSignature([credentials.token, timestamp, nonce]),
      msg_signature: wechatSignature([credentials.token, timestamp, nonce, Encrypt]),
      encrypt_type: 'aes',
      openid: 'o-1',
    });
  });
});

describe('POST /api/push', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({
      memory: true,
      functionsRoot: FIXTURES,
      onFunctionOutput: () => undefined,
      push: { functionName: 'push-probe', ...credentials },
    });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('runs the push function with an HTTP access event carrying the message encrypted and signed, and no caller', async () => {
    const response = await fetch(`${emulator.url}/api/push`, {
      method: 'POST',
      body: JSON.stringify({ Event: 'user_authorization_revoke', OpenID: 'o-1', RevokeInfo: '8' }),
    });
    expect(response.status).toBe(200);
    const delivery = (await response.json()) as { function: string; statusCode: number; body: string };
    expect(delivery).toMatchObject({ function: 'push-probe', statusCode: 200 });

    const { event, wxContext } = JSON.parse(delivery.body) as {
      event: { httpMethod: string; path: string; queryStringParameters: Record<string, string>; body: string; isBase64Encoded: boolean };
      wxContext: Record<string, unknown>;
    };
    expect(event).toMatchObject({ httpMethod: 'POST', path: '/push-probe', isBase64Encoded: false });
    const { Encrypt } = JSON.parse(event.body) as { Encrypt: string };
    const { timestamp = '', nonce = '', msg_signature } = event.queryStringParameters;
    expect(msg_signature).toBe(wechatSignature([credentials.token, timestamp, nonce, Encrypt]));
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const { message, appid } = decrypt(Encrypt);
    expect(appid).toBe('wx-push-test');
    expect(JSON.parse(message)).toEqual({
      ToUserName: expect.any(String),
      FromUserName: expect.any(String),
      MsgType: 'event',
      CreateTime: Number(timestamp),
      AppID: 'wx-push-test',
      Event: 'user_authorization_revoke',
      OpenID: 'o-1',
      RevokeInfo: '8',
    });
    expect(wxContext.OPENID).toBeUndefined();
    expect(wxContext.APPID).toBeUndefined();
  });

  it('makes WeChat’s URL check: a GET signed with the Token, answered with echostr', async () => {
    const response = await fetch(`${emulator.url}/api/push/verify`, { method: 'POST' });
    const delivery = (await response.json()) as { body: string };
    const { event } = JSON.parse(delivery.body) as { event: { httpMethod: string; queryStringParameters: Record<string, string> } };
    const { signature, timestamp = '', nonce = '', echostr } = event.queryStringParameters;
    expect(event.httpMethod).toBe('GET');
    expect(signature).toBe(wechatSignature([credentials.token, timestamp, nonce]));
    expect(echostr).toMatch(/^\d+$/);
  });

  it('serves a page that sends the common pushes, linked from the status page', async () => {
    const page = await (await fetch(`${emulator.url}/push`)).text();
    expect(page).toContain('push-probe');
    expect(page).toContain('data-push="{&#34;Event&#34;:&#34;user_authorization_revoke&#34;,&#34;RevokeInfo&#34;:&#34;8&#34;}"');
    expect(await (await fetch(`${emulator.url}/`)).text()).toContain('href="/push"');
  });

  it('npm run emulator -- push delivers to the running emulator and prints the answer', async () => {
    let stdout = '';
    let stderr = '';
    const output = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text) };
    const code = await runPush(['{"Event":"user_info_modified","OpenID":"o-cli"}', '--url', emulator.url], output);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const delivery = JSON.parse(stdout) as { function: string; statusCode: number; body: string };
    expect(delivery).toMatchObject({ function: 'push-probe', statusCode: 200 });
    expect(JSON.parse(delivery.body).event.httpMethod).toBe('POST');
  });

  it('given no push configured, says how to configure one', async () => {
    const bare = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
    try {
      const response = await fetch(`${bare.url}/api/push`, { method: 'POST', body: '{"Event":"x"}' });
      expect(response.status).toBe(409);
      expect(((await response.json()) as { message: string }).message).toContain('push');
    } finally {
      await bare.close();
    }
  });
});

describe('parsePushArgs', () => {
  it('takes the message as JSON, or a file of one message or an array', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'push-args-'));
    try {
      writeFileSync(path.join(dir, 'list.json'), JSON.stringify([{ Event: 'a' }, { Event: 'b' }]));
      expect(parsePushArgs(['{"Event":"a"}'], dir)).toMatchObject({ ok: true, args: { messages: [{ Event: 'a' }] } });
      expect(parsePushArgs(['list.json'], dir)).toMatchObject({ ok: true, args: { messages: [{ Event: 'a' }, { Event: 'b' }] } });
      expect(parsePushArgs(['--verify'], dir)).toMatchObject({ ok: true, args: { messages: null } });
      expect(parsePushArgs(['[1]'], dir).ok).toBe(false);
      expect(parsePushArgs(['missing.json'], dir).ok).toBe(false);
      expect(parsePushArgs([], dir).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
