import http from 'node:http';
import type { Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { createClientDatabase, createEmulator } from '@wx-cloud-login/cloudbase-emulator';
import { createEmulatorTransport, type TransportFetch } from '@wx-cloud-login/miniprogram-preview/shared/emulator-transport';
import type { ActionName } from '../../../typings/contract';
import type { FakeWx } from './fake-wx';
import { FAKE_APP_ID } from './fake-wx';

/**
 * Pages against the REAL login function: the fake `wx` answers wx.cloud.callFunction,
 * wx.cloud.uploadFile, wx.cloud.downloadFile and wx.cloud.database() by posting to a local emulator (createEmulator({ memory: true })) over HTTP
 * through the browser preview's own transport (miniprogram-preview/shared/emulator-transport.ts) —
 * `POST /callFunction/<name>` with the caller's WeChat identity in x-wx-* headers,
 * `POST /storage/upload?cloudPath=` as that person (the emulator lets a user overwrite only their own files). The function is the built
 * cloudfunctions/login/index.js (npm test builds it first), run through the unmodified wx-server-sdk.
 *
 * jsdom has no fetch: node:http, adapted to the transport's `fetch`. Test files using this need,
 * in their first docblock,
 *   @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 * so that the emulator's dependencies (bson) resolve to their Node builds, not the browser ones.
 */

/** A WeChat user of the test mini-program: what CloudBase attaches to each of their calls. */
export interface WeChatPerson {
  openid: string;
  appid: string;
  unionid: string;
}

export interface EmulatorBackend {
  readonly emulator: Emulator;
  /** A new WeChat user (unique per backend). */
  newPerson(name: string): WeChatPerson;
  /** From now on, the fake wx's cloud calls and uploads reach the emulator as `person`. */
  connect(fake: FakeWx, person: WeChatPerson): void;
  /** Calls the login function directly as `person`: another device, or arranging state. */
  call(person: WeChatPerson, action: ActionName, payload?: Record<string, unknown>): Promise<unknown>;
  /** A getPhoneNumber code for `phone`, single use: what the button hands the page. */
  phoneCode(phone: string): string;
  /**
   * Delivers one of WeChat's 授权用户信息变更 messages for `person` to the built wechat-push function,
   * encrypted and signed as WeChat sends it to the push URL (emulator.push); rejects unless it answered success.
   */
  push(person: WeChatPerson, message: Record<string, unknown>): Promise<void>;
  /** Bans the user as an admin would in the console (status: 'banned' on the users document). */
  ban(userId: string): Promise<void>;
  /** The text of a file the page fetched with wx.cloud.downloadFile, by the temporary path it was given. */
  downloaded(tempFilePath: string): string | undefined;
  /** GETs a URL the function answered (an avatar) and resolves with the body. */
  download(url: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

interface HttpAnswer {
  status: number;
  body: Buffer;
}

function request(
  url: string,
  method: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, ...(signal && { signal }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The transport's `fetch` over node:http. (jsdom's Uint8Array is another realm's: no instanceof.) */
const nodeFetch: TransportFetch = async (url, init) => {
  const { body = '' } = init;
  const bytes = typeof body === 'string' ? body : 'arrayBuffer' in body ? Buffer.from(await body.arrayBuffer()) : Buffer.from(body);
  const answer = await request(url, init.method, bytes, init.headers, init.signal);
  return {
    ok: answer.status >= 200 && answer.status < 300,
    status: answer.status,
    json: async () => JSON.parse(answer.body.toString('utf8')) as unknown,
    arrayBuffer: async () =>
      answer.body.buffer.slice(answer.body.byteOffset, answer.body.byteOffset + answer.body.byteLength) as ArrayBuffer,
  };
};

/** The 消息推送配置 of the test mini-program: development values, meaningful only here. */
const PUSH_TOKEN = 'pageTestPushToken';
const PUSH_AES_KEY = 'PageTestPushKey0000000000000000000000000000';

export async function startEmulatorBackend(): Promise<EmulatorBackend> {
  const emulator = await createEmulator({
    memory: true,
    push: { functionName: 'wechat-push', token: PUSH_TOKEN, encodingAESKey: PUSH_AES_KEY, appid: FAKE_APP_ID },
    templateVariables: { WECHAT_PUSH_TOKEN: PUSH_TOKEN, WECHAT_PUSH_AES_KEY: PUSH_AES_KEY, WECHAT_APPID: FAKE_APP_ID },
  });
  let people = 0;

  const transport = createEmulatorTransport({ fetch: nodeFetch, baseUrl: emulator.url });
  const downloads = new Map<string, string>();

  /** What wx.cloud.downloadFile's tempFilePath is; the bytes are kept for downloaded(). */
  async function download(fileID: string): Promise<string> {
    const { bytes } = await transport.downloadFile(fileID);
    const path = `http://tmp/download-${downloads.size + 1}.json`;
    downloads.set(path, Buffer.from(bytes).toString('utf8'));
    return path;
  }

  /** What wx.cloud.callFunction resolves with (its `result`), or the wx failure it rejects with. */
  const callFunction = (person: WeChatPerson, name: string, data: Record<string, unknown>): Promise<unknown> =>
    transport.callFunction(name, data, person);

  /** What wx.cloud.uploadFile's fileID is; the bytes stand for the chosen image. */
  async function upload(person: WeChatPerson, cloudPath: string, filePath: string): Promise<unknown> {
    return (await transport.uploadFile(cloudPath, Buffer.from(`image bytes of ${filePath}`), person)).fileID;
  }

  return {
    emulator,
    newPerson(name) {
      people += 1;
      return { openid: `o-${name}-${people}`, appid: FAKE_APP_ID, unionid: `u-${name}-${people}` };
    },
    connect(fake, person) {
      fake.answerCloud((call) => callFunction(person, call.name, call.data));
      fake.answerUpload((file) => upload(person, file.cloudPath, file.filePath));
      fake.answerDownload(download);
      // wx.cloud.database() as this person, under the permissions cloudbaserc.json declares.
      fake.answerDatabase(() =>
        createClientDatabase({ send: (action, params, signal) => transport.clientDatabase(action, params, person, signal) }),
      );
    },
    downloaded: (tempFilePath) => downloads.get(tempFilePath),
    call: (person, action, payload = {}) => callFunction(person, 'login', { ...payload, action }),
    phoneCode: (phone) => emulator.openapi.issuePhoneCode(phone),
    async push(person, message) {
      const delivery = await emulator.push({ ...message, OpenID: person.openid });
      if (delivery.statusCode !== 200 || delivery.body !== 'success')
        throw new Error(`the push was not taken: ${JSON.stringify(delivery)}`);
    },
    async ban(userId) {
      // Canonical EJSON lines out and back in: the document's other fields (Dates) keep their types.
      const line = emulator.database
        .exportCollection('users')
        .split('\n')
        .find((candidate) => candidate !== '' && (JSON.parse(candidate) as { _id?: unknown })._id === userId);
      if (!line) throw new Error(`no user ${userId} to ban`);
      await emulator.database.importCollection('users', JSON.stringify({ ...(JSON.parse(line) as object), status: 'banned' }));
    },
    async download(url) {
      const answer = await request(url, 'GET', '');
      return { status: answer.status, body: answer.body.toString('utf8') };
    },
    close: () => emulator.close(),
  };
}

/**
 * The lifecycle every page-against-the-emulator test file shares: one backend for the file, a
 * clean fake `wx` and a "relaunched" mini-program (no auth service in memory) before each test.
 * The returned object forwards to the backend started in beforeAll.
 */
export function useEmulatorBackend(fake: FakeWx, resetApp: () => void): EmulatorBackend {
  let started: EmulatorBackend | undefined;
  beforeAll(async () => {
    started = await startEmulatorBackend();
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => {
    fake.reset();
    resetApp();
  });
  return new Proxy({} as EmulatorBackend, {
    get(_target, key) {
      if (!started) throw new Error('the emulator backend is used before beforeAll started it');
      return Reflect.get(started, key);
    },
  });
}
