/**
 * Calling functions: the HTTP endpoint the browser preview uses (POST /callFunction/<name>), and
 * cloud.callFunction from inside a function (functions.invokeFunction), which keeps the caller.
 */
import path from 'node:path';
import { clientError, eventFor } from '../../src/functions';
import { createEmulator, type Emulator } from '../../src/server';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functions');

describe('eventFor', () => {
  it('given a mini-program caller, adds userInfo as wx.cloud.callFunction does', () => {
    expect(eventFor({ a: 1 }, { openid: 'o1', appid: 'wx1' })).toEqual({ a: 1, userInfo: { appId: 'wx1', openId: 'o1' } });
  });

  it('given no openid, another source, or no data, passes the data JSON round-tripped', () => {
    expect(eventFor({ at: new Date(0) }, {})).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(eventFor({ a: 1 }, { openid: 'o1', source: 'wx_client,scf' })).toEqual({ a: 1 });
    expect(eventFor(undefined, {})).toEqual({});
  });
});

describe('clientError', () => {
  it('given each failure kind, answers the errCode wx.cloud.callFunction reports', () => {
    expect(clientError({ kind: 'throw', message: 'Error: boom' })).toEqual({
      errCode: -504002,
      errMsg: 'cloud.callFunction:fail Error: errCode: -504002 functions execute fail | errMsg: Error: boom',
    });
    expect(clientError({ kind: 'timeout', message: 'Invoking task timed out after 3 seconds' }).errCode).toBe(-504003);
    expect(clientError({ kind: 'not-found', message: 'x' }).errCode).toBe(-501000);
  });
});

describe('calling functions over HTTP and from functions', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  function post(name: string, body: string, headers: Record<string, string> = {}) {
    return fetch(`${emulator.url}/callFunction/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it('given caller headers, runs the function as that mini-program user and answers { result }', async () => {
    const response = await post('echo', JSON.stringify({ hello: '世界' }), {
      'x-wx-openid': 'o-http',
      'x-wx-appid': 'wx-http',
      'x-wx-unionid': 'u-http',
    });
    const body = (await response.json()) as { result: { wxContext: Record<string, unknown>; event: Record<string, unknown> } };

    expect(response.status).toBe(200);
    expect(body.result.wxContext).toMatchObject({ OPENID: 'o-http', APPID: 'wx-http', UNIONID: 'u-http', SOURCE: 'wx_client' });
    expect(body.result.event['hello']).toBe('世界');
  });

  it('given a function that throws or does not exist, answers wx.cloud.callFunction failures', async () => {
    const thrown = (await (await post('faulty', '{"mode":"throw"}')).json()) as { errCode: number; errMsg: string };
    const missing = (await (await post('nope', '{}')).json()) as { errCode: number; errMsg: string };

    expect(thrown.errCode).toBe(-504002);
    expect(thrown.errMsg).toContain('Error: boom');
    expect(missing.errCode).toBe(-501000);
  });

  it('given a body that is not JSON, answers 400 without running anything', async () => {
    const response = await post('echo', '{ nope');

    expect(response.status).toBe(400);
    expect(((await response.json()) as { errCode: number }).errCode).toBe(-501007);
  });

  it('given an empty body, runs the function with an empty event', async () => {
    const body = (await (await post('faulty', '')).json()) as { result: unknown };

    expect(body.result).toEqual({ ok: true, mode: null });
  });

  it('given a page on localhost, allows the cross-origin call (preflight and response)', async () => {
    const preflight = await fetch(`${emulator.url}/callFunction/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-wx-openid',
      },
    });
    const call = await post('faulty', '{}', { origin: 'http://localhost:5173' });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-wx-openid');
    expect(call.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('given a page from another site, refuses the call', async () => {
    const response = await post('faulty', '{}', { origin: 'https://example.com' });

    expect(response.status).toBe(403);
  });

  it('given cloud.callFunction inside a function, the callee runs with the same caller and a chained source', async () => {
    const invocation = await emulator.callFunction(
      'call-other',
      { target: 'echo', data: { x: 1 } },
      { openid: 'o-chain', appid: 'wx-chain', unionid: 'u-chain' },
    );
    const result = invocation.result as { ok: boolean; result: { wxContext: Record<string, unknown>; event: Record<string, unknown> } };

    expect(result.ok).toBe(true);
    expect(result.result.wxContext).toMatchObject({ OPENID: 'o-chain', APPID: 'wx-chain', UNIONID: 'u-chain', SOURCE: 'wx_client,scf' });
    expect(result.result.event).toEqual({ x: 1 });
    expect(invocation.requests.map((request) => request.action)).toEqual(['functions.invokeFunction']);
  });

  it('given a callee that throws, the caller sees the SDK error with the callee message', async () => {
    const invocation = await emulator.callFunction('call-other', { target: 'faulty', data: { mode: 'throw' } }, { openid: 'o-chain' });
    const result = invocation.result as { ok: boolean; errCode: number; errMsg: string };

    expect(result.ok).toBe(false);
    expect(result.errMsg).toContain('Error: boom');
    expect(invocation.requests[0]?.errorCode).toBe('FUNCTIONS_EXECUTE_FAIL');
  });
});
