/**
 * Which admin requests each function invocation made, and how many sequential round trips they
 * cost. The runtime gives every invocation a fresh WX_API_TOKEN; @cloudbase/node-sdk reads it on
 * every request (utils/wxCloudToken.ts -> getCloudbaseContext, through WX_CONTEXT_KEYS) and sends it
 * as `wxCloudApiToken`, so the server can tell concurrent invocations apart.
 *
 * A round trip is counted each time the invocation's in-flight request count goes 0 -> 1: three
 * requests issued together with Promise.all cost one, three awaited one after another cost three.
 */

export interface Caller {
  openid?: string;
  appid?: string;
  unionid?: string;
  /** TCB_SOURCE: 'wx_client' (a mini-program) unless told otherwise. */
  source?: string;
  clientIp?: string;
}

export interface RequestRecord {
  action: string;
  collection?: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt: number;
  /** The error NAME the request was answered with, if any. */
  errorCode?: string;
}

export interface InvocationLog {
  requests: RequestRecord[];
  roundTrips: number;
}

export interface RequestLog {
  /** Starts recording for an invocation; `caller` is what functions.invokeFunction passes on. */
  open(invocationId: string, caller: Caller): void;
  /** Stops recording and returns what was recorded. Later requests of that invocation are not recorded. */
  close(invocationId: string): InvocationLog;
  /** The identity an open invocation runs with, or undefined when the id is unknown. */
  callerOf(invocationId: string): Caller | undefined;
  /** Notes a request starting; call the returned function when its reply is written. */
  begin(invocationId: string, request: { action: string; collection?: string }): (errorCode?: string) => void;
}

interface OpenInvocation {
  caller: Caller;
  requests: RequestRecord[];
  inFlight: number;
  roundTrips: number;
}

export function createRequestLog(now: () => number = Date.now): RequestLog {
  const open = new Map<string, OpenInvocation>();

  return {
    open(invocationId, caller) {
      open.set(invocationId, { caller, requests: [], inFlight: 0, roundTrips: 0 });
    },
    close(invocationId) {
      const entry = open.get(invocationId);
      open.delete(invocationId);
      return { requests: entry?.requests ?? [], roundTrips: entry?.roundTrips ?? 0 };
    },
    callerOf(invocationId) {
      return open.get(invocationId)?.caller;
    },
    begin(invocationId, request) {
      const entry = invocationId ? open.get(invocationId) : undefined;
      if (!entry) return () => undefined;
      const record: RequestRecord = { action: request.action, startedAt: now(), endedAt: 0 };
      if (request.collection !== undefined) record.collection = request.collection;
      entry.requests.push(record);
      if (entry.inFlight === 0) entry.roundTrips += 1;
      entry.inFlight += 1;
      let ended = false;
      return (errorCode) => {
        if (ended) return;
        ended = true;
        record.endedAt = now();
        if (errorCode !== undefined) record.errorCode = errorCode;
        entry.inFlight -= 1;
      };
    },
  };
}
