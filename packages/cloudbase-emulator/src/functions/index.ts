/**
 * Cloud functions in the emulator: calling a function (as the mini-program's wx.cloud.callFunction
 * would), the `functions.invokeFunction` admin action (cloud.callFunction from inside a function),
 * and the HTTP endpoint the browser preview and tests use, `POST /callFunction/<name>`.
 *
 * Identity: a call from the mini-program carries the caller's openid/appid/unionid. A function
 * calling another function of the same mini-program passes its own caller on, as CloudBase does,
 * with the source chained ('wx_client,scf').
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyRefusedError, BodyTooLargeError, header, readBody, sendJson } from '../http';
import { ServiceError, type AdminRequest, type AdminReply, type EmulatorModule } from '../core/module';
import { jsonDeeperThan, tooDeepMessage } from '../json-depth';
import type { Caller, RequestLog, RequestRecord } from '../request-log';
import { chainedSource, DEFAULT_SOURCE } from './context';
import type { InvocationErrorKind, FunctionRuntime } from './runtime';

export const CALL_FUNCTION_PREFIX = '/callFunction/';
/** CloudBase caps a call's payload at 6 MB. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

export interface Invocation {
  /** What main() returned, JSON round-tripped; null when it failed. */
  result: unknown;
  /** Set when the function did not produce a result. */
  error?: { message: string; kind: InvocationErrorKind };
  invocationId: string;
  /** Admin requests this invocation made, in order. */
  requests: RequestRecord[];
  /** Sequential round trips: times the in-flight request count went 0 -> 1. */
  roundTrips: number;
  /**
   * The function instance that ran it (an id unique in this process), null when none did (no such
   * function, loading failed): tests see which calls shared an instance.
   */
  instance: number | null;
  /** How long main ran inside the instance (absent when it never ran): the rest of a call's time is the runtime's. */
  runMs?: number;
}

export interface FunctionService {
  callFunction(name: string, data: unknown, caller?: Caller): Promise<Invocation>;
  module: EmulatorModule;
}

/**
 * The error wx.cloud.callFunction reports in the mini-program for each way a call can fail
 * (errCode values as the client SDK reports them; -501000 is CloudBase's "resource not found").
 */
const CLIENT_ERRORS: Record<InvocationErrorKind, { errCode: number; label: string }> = {
  'not-found': { errCode: -501000, label: '' },
  load: { errCode: -504002, label: 'functions execute fail' },
  throw: { errCode: -504002, label: 'functions execute fail' },
  crash: { errCode: -504002, label: 'functions execute fail' },
  timeout: { errCode: -504003, label: 'functions time limit exceeded' },
};

/** The `{ errCode, errMsg }` a failed wx.cloud.callFunction rejects with. */
export function clientError(error: { message: string; kind: InvocationErrorKind }): { errCode: number; errMsg: string } {
  const { errCode, label } = CLIENT_ERRORS[error.kind];
  return { errCode, errMsg: `cloud.callFunction:fail Error: errCode: ${errCode} ${label} | errMsg: ${error.message}` };
}

/**
 * wx.cloud.callFunction adds the caller to the event as `userInfo` ({ appId, openId }); production
 * functions receive it, so local ones do too.
 */
export function eventFor(data: unknown, caller: Caller): unknown {
  let event: unknown = {};
  if (data !== undefined) {
    const text = JSON.stringify(data);
    if (jsonDeeperThan(text)) throw new ServiceError('INVALID_PARAM', tooDeepMessage('the event'));
    event = JSON.parse(text);
  }
  const fromClient = (caller.source ?? DEFAULT_SOURCE) === DEFAULT_SOURCE;
  if (fromClient && caller.openid && typeof event === 'object' && event !== null && !Array.isArray(event)) {
    return { ...event, userInfo: { appId: caller.appid ?? '', openId: caller.openid } };
  }
  return event;
}

/** One finished call, for the status page's live log. */
export interface CallRecord {
  name: string;
  caller: Caller;
  /** The event as the function received it. */
  event: unknown;
  invocation: Invocation;
  startedAt: number;
  endedAt: number;
}

export interface FunctionServiceOptions {
  runtime: FunctionRuntime;
  log: RequestLog;
  env: string;
  /** Sees every finished call (the status page's live log). */
  onCall?: (record: CallRecord) => void;
}

export function createFunctionService({ runtime, log, env, onCall }: FunctionServiceOptions): FunctionService {
  async function callFunction(name: string, data: unknown, caller: Caller = {}): Promise<Invocation> {
    const invocationId = randomUUID();
    log.open(invocationId, caller);
    let event: unknown;
    try {
      event = eventFor(data, caller);
    } catch (error) {
      log.close(invocationId);
      if (error instanceof ServiceError) throw error;
      throw new ServiceError('INVALID_PARAM', `the event is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const startedAt = Date.now();
    const outcome = await runtime.invoke(name, event, { invocationId, caller, env });
    const { requests, roundTrips } = log.close(invocationId);
    const { instance } = outcome;
    const ran = outcome.runMs === undefined ? {} : { runMs: outcome.runMs };
    const invocation: Invocation = outcome.ok
      ? { result: JSON.parse(outcome.json), invocationId, requests, roundTrips, instance, ...ran }
      : {
          result: null,
          error: { message: outcome.error.message, kind: outcome.error.kind },
          invocationId,
          requests,
          roundTrips,
          instance,
          ...ran,
        };
    onCall?.({ name, caller, event, invocation, startedAt, endedAt: Date.now() });
    return invocation;
  }

  /** cloud.callFunction inside a function: runs with the calling invocation's identity. */
  async function invokeFunction(request: AdminRequest): Promise<AdminReply> {
    const name = request.body['function_name'];
    if (typeof name !== 'string' || name === '') throw new ServiceError('INVALID_PARAM', 'function_name is required');
    const raw = request.body['request_data'];
    let data: unknown = {};
    if (typeof raw === 'string' && raw !== '') {
      try {
        data = JSON.parse(raw);
      } catch {
        throw new ServiceError('INVALID_PARAM', 'request_data must be a JSON string');
      }
    }
    const parent = log.callerOf(request.invocationId);
    const caller: Caller = { ...parent, source: chainedSource(parent ? (parent.source ?? DEFAULT_SOURCE) : undefined) };
    const invocation = await callFunction(name, data, caller);
    if (invocation.error) {
      // One error NAME for every cause (the real service's per-cause names were not captured);
      // wx-server-sdk 4.0.2 surfaces it to the calling function as errCode -1 with this message.
      throw new ServiceError(
        'FUNCTIONS_EXECUTE_FAIL',
        clientError(invocation.error).errMsg.replace(/^cloud\.callFunction:fail Error: /, ''),
      );
    }
    return { kind: 'json', data: { response_data: JSON.stringify(invocation.result) } };
  }

  async function callFunctionRoute(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    let name = '';
    try {
      name = decodeURIComponent(url.pathname.slice(CALL_FUNCTION_PREFIX.length));
    } catch {
      // A malformed escape names no function: answered as not found below.
    }
    let data: unknown;
    try {
      const text = (await readBody(request, MAX_EVENT_BYTES)).toString('utf8').trim();
      if (jsonDeeperThan(text)) throw new ServiceError('INVALID_PARAM', tooDeepMessage('the event'));
      data = text === '' ? {} : JSON.parse(text);
    } catch (error) {
      if (error instanceof BodyRefusedError) throw error;
      const reason =
        error instanceof BodyTooLargeError
          ? 'the event is larger than 6 MB'
          : error instanceof ServiceError
            ? error.message
            : 'the request body must be JSON';
      sendJson(response, error instanceof BodyTooLargeError ? 413 : 400, { errCode: -501007, errMsg: `cloud.callFunction:fail ${reason}` });
      return;
    }
    const caller: Caller = { source: header(request, 'x-wx-source') || DEFAULT_SOURCE };
    const openid = header(request, 'x-wx-openid');
    const appid = header(request, 'x-wx-appid');
    const unionid = header(request, 'x-wx-unionid');
    const clientIp = header(request, 'x-wx-clientip');
    if (openid) caller.openid = openid;
    if (appid) caller.appid = appid;
    if (unionid) caller.unionid = unionid;
    if (clientIp) caller.clientIp = clientIp;
    let invocation: Invocation;
    try {
      invocation = await callFunction(name, data, caller);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      sendJson(response, 400, { errCode: -501007, errMsg: `cloud.callFunction:fail ${error.message}` });
      return;
    }
    sendJson(response, 200, invocation.error ? clientError(invocation.error) : { result: invocation.result });
  }

  return {
    callFunction,
    module: {
      name: 'functions',
      actions: { 'functions.invokeFunction': invokeFunction },
      routes: [{ method: 'POST', path: CALL_FUNCTION_PREFIX, handle: callFunctionRoute }],
      close: () => runtime.close(),
    },
  };
}
