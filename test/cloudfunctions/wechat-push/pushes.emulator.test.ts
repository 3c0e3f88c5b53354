/**
 * WeChat's 授权用户信息变更 pushes reaching accounts: the BUILT wechat-push function (`npm run build`)
 * run by the emulator, the push delivered by the emulator exactly as WeChat sends it to the push URL
 * (安全模式: encrypted, signed; emulator.push / POST /api/push), beside the built login and notes
 * functions. And the other half: the same bodies sent by a client through callFunction — to any
 * function, for someone else or for themselves — change nothing.
 */
import type { ActionMap, ActionName, Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator, signedPush } from '@wx-cloud-login/cloudbase-emulator';

const APPID = 'wx-push-app';
const TOKEN = 'pushToken2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    onFunctionOutput: () => undefined,
    push: { functionName: 'wechat-push', token: TOKEN, encodingAESKey: AES_KEY, appid: APPID },
    templateVariables: { WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY, WECHAT_APPID: APPID },
  });
});

afterAll(async () => {
  await emulator?.close();
});

let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: APPID, unionid: `u-${name}-${people}` };
}

async function run(name: string, caller: Caller, data: unknown): Promise<unknown> {
  const invocation = await emulator.callFunction(name, data, caller);
  if (invocation.error) throw new Error(`${name} did not run: ${invocation.error.message}`);
  return invocation.result;
}

async function call<A extends ActionName>(caller: Caller, action: A, payload: Record<string, unknown> = {}) {
  return (await run('login', caller, { ...payload, action })) as Result<ActionMap[A]['data']>;
}

function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

function docs(collection: string): Record<string, unknown>[] {
  return emulator.database.documents(collection);
}

function doc(collection: string, id: string): Record<string, unknown> | undefined {
  return docs(collection).find((candidate) => candidate._id === id);
}

/** Every stored document of every collection, as text: where a number or an id could still be. */
function everything(): string {
  return emulator.database
    .listCollections()
    .map((name) => JSON.stringify(docs(name)))
    .join('\n');
}

async function signUp(caller: Caller): Promise<string> {
  return dataOf(await call(caller, 'login')).user.id;
}

async function bindPhone(caller: Caller, phone: string): Promise<void> {
  dataOf(await call(caller, 'bindPhone', { code: emulator.openapi.issuePhoneCode(phone) }));
}

function revoke(caller: Caller, revokeInfo: string): Record<string, unknown> {
  return { Event: 'user_authorization_revoke', OpenID: caller.openid, RevokeInfo: revokeInfo };
}

function cancellation(caller: Caller): Record<string, unknown> {
  return { Event: 'user_authorization_cancellation', OpenID: caller.openid };
}

async function push(message: Record<string, unknown>): Promise<void> {
  const delivery = await emulator.push(message);
  expect(delivery).toMatchObject({ statusCode: 200, body: 'success' });
}

describe('WeChat pushes delivered to the wechat-push function', () => {
  // First: the emulator is still empty, as a new environment is.
  it('given an environment without collections yet, answers success and creates nothing', async () => {
    await push(revoke(person('early'), '6'));
    await push(cancellation(person('early')));
    expect(emulator.database.listCollections().filter((name) => emulator.database.count(name) > 0)).toEqual([]);
  });

  it('answers WeChat’s URL check with its echostr', async () => {
    const response = await fetch(`${emulator.url}/api/push/verify`, { method: 'POST' });
    const delivery = (await response.json()) as { statusCode: number; body: string };
    expect(delivery.statusCode).toBe(200);
    expect(delivery.body).toMatch(/^\d+$/);
  });

  it('given a revoke with 8, leaves no phone bound and the number nowhere in the database', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    await bindPhone(alice, '13800138001');
    expect(everything()).toContain('13800138001');

    await push(revoke(alice, '8'));

    expect(doc('users', id)?.boundPhone).toBeUndefined();
    expect(everything()).not.toContain('13800138001');
    const next = dataOf(await call(alice, 'login'));
    expect(next.user).toMatchObject({ id, hasPhone: false, maskedPhoneNumber: '' });
    expect(next.notices).toEqual([{ kind: 'phone-unbound-by-wechat', at: expect.any(Number) }]);
    // Told once: the next launch is quiet.
    expect(dataOf(await call(alice, 'login')).notices).toBeUndefined();
  });

  it('given a revoke with 6, clears the nickname and the avatar and deletes the avatar file', async () => {
    const bob = person('bob');
    const id = await signUp(bob);
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(bob, 'updateProfile', { nickName: '小波', avatarFileID: fileID }));

    await push(revoke(bob, '6'));

    const stored = doc('users', id) ?? {};
    expect(['nickName', 'avatarUrl', 'avatarFileID'].filter((field) => field in stored)).toEqual([]);
    expect(await emulator.storage.read(fileID)).toBeNull();
    const next = dataOf(await call(bob, 'login'));
    expect(next.user).toMatchObject({ nickName: '', avatarUrl: '' });
    expect(next.notices).toEqual([{ kind: 'profile-cleared-by-wechat', at: expect.any(Number) }]);
  });

  it('given a revoke with 19 or 20, clears only the nickname or only the avatar', async () => {
    const carol = person('carol');
    const id = await signUp(carol);
    const fileID = await emulator.storage.write(`avatars/${id}/c.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(carol, 'updateProfile', { nickName: '小卡', avatarFileID: fileID }));

    await push(revoke(carol, '19'));
    expect(doc('users', id)).toMatchObject({ avatarFileID: fileID });
    expect(doc('users', id)?.nickName).toBeUndefined();

    await push(revoke(carol, '20'));
    expect(doc('users', id)?.avatarFileID).toBeUndefined();
    expect(await emulator.storage.read(fileID)).toBeNull();
  });

  it('given the same push twice (WeChat retries), changes and audits once', async () => {
    const dave = person('dave');
    const id = await signUp(dave);
    await bindPhone(dave, '13800138002');
    const message = { ...revoke(dave, '8'), CreateTime: 1_800_000_000 };

    await push(message);
    const afterFirst = everything();
    await push(message);

    expect(everything()).toBe(afterFirst);
    const entries = docs('account_audit').filter((entry) => entry.type === 'wechat-push' && entry.userId === id);
    expect(entries).toEqual([expect.objectContaining({ source: 'push', event: 'user_authorization_revoke', cleared: ['phone'] })]);
  });

  it('given a cancellation of the only way in, leaves no account and none of the person’s data', async () => {
    const erin = person('erin');
    const id = await signUp(erin);
    const fileID = await emulator.storage.write(`avatars/${id}/e.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(erin, 'updateProfile', { nickName: '小艾', avatarFileID: fileID }));
    dataOf((await run('notes', erin, { action: 'add', text: '只属于我' })) as Result<unknown>);

    await push(cancellation(erin));

    expect(doc('users', id)).toBeUndefined();
    expect(docs('identities').filter((identity) => identity.userId === id)).toEqual([]);
    expect(docs('notes').filter((note) => note.owner === id)).toEqual([]);
    expect(everything()).not.toContain(erin.openid);
    expect(everything()).not.toContain('只属于我');
    expect(await emulator.storage.read(fileID)).toBeNull();
    expect(docs('account_audit')).toContainEqual(expect.objectContaining({ type: 'wechat-push', userId: id, accountDeleted: true }));
  });

  it('given a cancellation of one of two ways in, removes that WeChat and keeps the account', async () => {
    const fay = person('fay');
    const id = await signUp(fay);
    await bindPhone(fay, '13800138003');

    await push(cancellation(fay));

    const stored = doc('users', id);
    expect(stored?.identityKeys).toEqual(['phone:+86:13800138003']);
    expect(
      docs('identities')
        .filter((identity) => identity.userId === id)
        .map((identity) => identity._id),
    ).toEqual(['phone:+86:13800138003']);
    // That WeChat now signs in to a fresh account.
    expect(dataOf(await call(fay, 'login')).isNewUser).toBe(true);
  });

  it('given an openid no account holds, answers success and changes nothing', async () => {
    const before = everything();
    await push(revoke(person('nobody'), '8'));
    await push(cancellation(person('nobody')));
    expect(everything()).toBe(before);
  });
});

describe('the same bodies sent by a client through callFunction', () => {
  /** What a client can send: the plain message, the HTTP shape with a made-up or a replayed-for-another signature. */
  function forgeries(target: Caller): unknown[] {
    const messages = [revoke(target, '8'), revoke(target, '6'), cancellation(target)].map((message) => ({
      MsgType: 'event',
      AppID: APPID,
      CreateTime: Math.floor(Date.now() / 1000),
      ...message,
    }));
    const wrongKey = { token: TOKEN, encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', appid: APPID };
    const wrongToken = { token: 'guessedToken', encodingAESKey: AES_KEY, appid: APPID };
    const now = Math.floor(Date.now() / 1000);
    return messages.flatMap((message) => {
      const http = (query: Record<string, string>, body: string) => ({
        httpMethod: 'POST',
        path: '/wechat-push',
        headers: {},
        queryStringParameters: query,
        body,
        isBase64Encoded: false,
      });
      const withWrongKey = signedPush(message, wrongKey, now);
      const withWrongToken = signedPush(message, wrongToken, now);
      const plaintext = signedPush(message, { token: TOKEN, encodingAESKey: AES_KEY, appid: APPID }, now);
      return [
        message,
        { ...message, action: 'login' },
        { action: 'list', ...message },
        http({ signature: 'x', timestamp: String(now), nonce: '1' }, JSON.stringify(message)),
        http(withWrongKey.query, withWrongKey.body),
        http(withWrongToken.query, withWrongToken.body),
        // 明文模式 shape: a signature over Token/timestamp/nonce does not cover the body.
        http(
          { signature: plaintext.query.signature ?? '', timestamp: String(now), nonce: plaintext.query.nonce ?? '' },
          JSON.stringify(message),
        ),
      ];
    });
  }

  it('changes nothing, for someone else or for themselves, whichever function they call', async () => {
    const victim = person('victim');
    const victimId = await signUp(victim);
    const fileID = await emulator.storage.write(`avatars/${victimId}/v.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(victim, 'updateProfile', { nickName: '受害者', avatarFileID: fileID }));
    await bindPhone(victim, '13800138004');
    dataOf((await run('notes', victim, { action: 'add', text: '受害者的笔记' })) as Result<unknown>);
    const attacker = person('attacker');
    await signUp(attacker);
    await bindPhone(attacker, '13800138005');

    const before = everything();
    for (const target of [victim, attacker]) {
      for (const body of forgeries(target)) {
        for (const name of ['wechat-push', 'login', 'notes']) {
          const result = await run(name, attacker, body);
          if (name === 'wechat-push') expect(result).toMatchObject({ statusCode: 403 });
        }
      }
    }
    // The attacker's own login stamps its user; nothing else may differ.
    const stable = (text: string) => text.replace(/"(lastLoginAt|lastLoginId|loginCount)":[^,}]*/g, '');
    expect(stable(everything())).toBe(stable(before));
    expect(await emulator.storage.read(fileID)).not.toBeNull();
  });
});
