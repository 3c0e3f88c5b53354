/**
 * WeChat's message pushes, delivered the way they reach a CloudBase project: WeChat POSTs the
 * message, encrypted and signed in 安全模式 (wechat-message-crypto.ts), to the push URL the developer
 * configured, and CloudBase's HTTP access service runs the function behind that path with an
 * integration request event (`httpMethod`, `path`, `headers`, `queryStringParameters`, `body`,
 * `isBase64Encoded`). The function's answer (`{ statusCode, body }`) is what WeChat reads: `success`.
 *
 *   POST /api/push   body: the message as WeChat documents it (JSON), e.g.
 *                    { "Event": "user_authorization_revoke", "OpenID": "o…", "RevokeInfo": "8" };
 *                    MsgType, CreateTime (the emulator clock), AppID, ToUserName and FromUserName
 *                    are filled in when absent. Answers { function, statusCode, body, invocationId }.
 *   POST /api/push/verify   WeChat's URL check (GET with echostr), answered the same way.
 *   GET  /push       a page that sends the common ones (push-page.ts), linked from the status page.
 *
 * An HTTP access invocation carries no caller: no OPENID, no APPID (production sets none for it; its
 * TCB_SOURCE is not documented, and a push function must not rely on it — only on the signature).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorModule, HttpRoute } from '../core/module';
import type { FunctionService } from '../functions';
import { BodyRefusedError, BodyTooLargeError, readBody, send, sendJson } from '../http';
import { jsonDeeperThan } from '../json-depth';
import { renderPushPage } from './push-page';
import { type PushCredentials, signedPush, wechatSignature } from './wechat-message-crypto';

export const PUSH_PATH = '/api/push';
export const PUSH_PAGE = '/push';
const MAX_BODY_BYTES = 64 * 1024;
/** The TCB_SOURCE of an HTTP access invocation in the emulator (a placeholder: see above). */
export const HTTP_ACCESS_SOURCE = 'http_access';

/** Where WeChat's pushes go and with which secrets: WeChat's 消息推送配置 for this mini-program. */
export interface PushTarget extends PushCredentials {
  /** The function behind the push URL. */
  functionName: string;
  /** Its HTTP access path. Default `/<functionName>`. */
  path?: string;
}

export interface PushDelivery {
  function: string;
  /** The function's HTTP status (200 with body `success` when it took the message). */
  statusCode: number;
  body: string;
  invocationId: string;
  /** Set when the function did not run to an answer (not built, threw, timed out). */
  error?: string;
}

export interface PushService {
  /** Delivers one message as WeChat would. */
  deliver(message: Record<string, unknown>): Promise<PushDelivery>;
  /** WeChat's URL check (made when the configuration is saved). */
  verify(): Promise<PushDelivery>;
  module: EmulatorModule;
}

class PushRequestError extends Error {}

export interface PushServiceOptions {
  functions: FunctionService;
  /** null: no push configured (the route answers 409 and says how to configure one). */
  target: PushTarget | null;
  now: () => number;
  /** The environment id (the integration request's requestContext.envId). */
  env: string;
}

/** The message with WeChat's envelope fields filled in. */
export function completeMessage(message: Record<string, unknown>, target: PushCredentials, nowMs: number): Record<string, unknown> {
  return {
    ToUserName: 'gh_local_emulator',
    FromUserName: 'wechat_push_service',
    MsgType: 'event',
    CreateTime: Math.floor(nowMs / 1000),
    AppID: target.appid,
    ...message,
  };
}

export function createPushService({ functions, target, now, env }: PushServiceOptions): PushService {
  async function invoke(
    configured: PushTarget,
    method: 'GET' | 'POST',
    query: Record<string, string>,
    body: string,
  ): Promise<PushDelivery> {
    const event = {
      httpMethod: method,
      path: configured.path ?? `/${configured.functionName}`,
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/4.0' },
      queryStringParameters: query,
      body,
      isBase64Encoded: false,
      requestContext: { requestId: randomBytes(16).toString('hex'), envId: env },
    };
    const invocation = await functions.callFunction(configured.functionName, event, { source: HTTP_ACCESS_SOURCE });
    const result = invocation.result as { statusCode?: unknown; body?: unknown } | null;
    const delivery: PushDelivery = {
      function: configured.functionName,
      statusCode: typeof result?.statusCode === 'number' ? result.statusCode : invocation.error ? 502 : 200,
      body: typeof result?.body === 'string' ? result.body : typeof result === 'string' ? result : '',
      invocationId: invocation.invocationId,
    };
    if (invocation.error) delivery.error = invocation.error.message;
    return delivery;
  }

  function configured(): PushTarget {
    if (!target)
      throw new PushRequestError('没有配置消息推送 / no push target configured (EmulatorOptions.push, or WECHAT_PUSH_* variables)');
    return target;
  }

  async function deliver(message: Record<string, unknown>): Promise<PushDelivery> {
    const push = configured();
    const nowMs = now();
    const signed = signedPush(completeMessage(message, push, nowMs), push, Math.floor(nowMs / 1000));
    return invoke(push, 'POST', signed.query, signed.body);
  }

  async function verify(): Promise<PushDelivery> {
    const push = configured();
    const timestamp = String(Math.floor(now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE(0));
    const echostr = String(randomBytes(8).readBigUInt64BE(0));
    return invoke(push, 'GET', { signature: wechatSignature([push.token, timestamp, nonce]), timestamp, nonce, echostr }, '');
  }

  const route: HttpRoute['handle'] = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const sub = url.pathname.slice(PUSH_PATH.length);
    if (sub !== '' && sub !== '/' && sub !== '/verify') return false;
    try {
      if (sub === '/verify') {
        sendJson(response, 200, await verify());
        return;
      }
      const text = (await readBody(request, MAX_BODY_BYTES)).toString('utf8').trim();
      if (jsonDeeperThan(text)) throw new PushRequestError('消息嵌套过深 / the message is nested too deeply');
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        throw new PushRequestError('消息不是合法的 JSON / the message is not valid JSON');
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message))
        throw new PushRequestError('消息需要是 JSON 对象 / the message must be a JSON object');
      sendJson(response, 200, await deliver(message as Record<string, unknown>));
    } catch (error) {
      if (error instanceof BodyRefusedError) throw error;
      if (!(error instanceof PushRequestError) && !(error instanceof BodyTooLargeError)) throw error;
      sendJson(response, error instanceof BodyTooLargeError ? 413 : target ? 400 : 409, { code: 'INVALID_PARAM', message: error.message });
    }
  };

  return {
    deliver,
    verify,
    module: {
      name: 'push',
      statusLink: { href: PUSH_PAGE, label: '微信消息推送 WeChat pushes' },
      routes: [
        {
          method: 'GET',
          path: PUSH_PAGE,
          handle: async (_request, response) => send(response, 200, 'text/html; charset=utf-8', renderPushPage(target)),
        },
        { method: 'POST', path: PUSH_PATH, handle: route },
        { method: 'POST', path: `${PUSH_PATH}/`, handle: route },
      ],
    },
  };
}
