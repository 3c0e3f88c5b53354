/**
 * What a function sees of one invocation: the environment variables SCF sets for a WeChat call, and
 * the `context` argument of `main(event, context)`.
 *
 * Platform facts: wx-server-sdk's getWXContext() reads the variables named in WX_CONTEXT_KEYS,
 * strips `WX_`, drops API_TOKEN, and adds ENV (TCB_ENV or SCF_NAMESPACE) and SOURCE (TCB_SOURCE).
 * @cloudbase/node-sdk finds WX_API_TOKEN through the same WX_CONTEXT_KEYS list, on every request.
 * Variables of a caller that has no value (a call without unionid) are left out, as in production.
 */
import type { Caller } from '../request-log';

/** TCB_SOURCE of a call from a mini-program. */
export const DEFAULT_SOURCE = 'wx_client';
/** CloudBase's default function timeout. */
export const DEFAULT_TIMEOUT_MS = 3000;
/** CloudBase's default function memory. */
export const DEFAULT_MEMORY_MB = 256;

export interface InvocationIdentity {
  invocationId: string;
  caller: Caller;
  env: string;
}

export function invocationEnvironment({ invocationId, caller, env }: InvocationIdentity): Record<string, string> {
  const wx: Record<string, string | undefined> = {
    WX_CLIENTIP: caller.clientIp ?? '127.0.0.1',
    WX_CLIENTIPV6: '',
    WX_APPID: caller.appid,
    WX_OPENID: caller.openid,
    WX_UNIONID: caller.unionid,
    WX_API_TOKEN: invocationId,
  };
  const present = Object.entries(wx).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  return {
    ...Object.fromEntries(present),
    WX_CONTEXT_KEYS: present.map(([key]) => key).join(','),
    TCB_SOURCE: caller.source ?? DEFAULT_SOURCE,
    TCB_ENV: env,
    SCF_NAMESPACE: env,
  };
}

/** The source a function called by another function sees: the chain, as CloudBase reports it. */
export function chainedSource(callerSource: string | undefined): string {
  return callerSource ? `${callerSource},scf` : 'scf';
}

export interface ScfContextInput {
  invocationId: string;
  functionName: string;
  env: string;
  memoryMb: number;
  timeoutMs: number;
  environment: Record<string, string>;
}

/**
 * The `context` argument SCF passes to `main`. `environment` (JSON of the instance's variables) is
 * what `tcb.init({ context })` / getCloudbaseContext(context) read.
 */
export function scfContext(input: ScfContextInput): Record<string, unknown> {
  return {
    callbackWaitsForEmptyEventLoop: false,
    memory_limit_in_mb: input.memoryMb,
    time_limit_in_ms: input.timeoutMs,
    request_id: input.invocationId,
    environment: JSON.stringify(input.environment),
    function_version: '$LATEST',
    function_name: input.functionName,
    namespace: input.env,
    tencentcloud_region: 'ap-shanghai',
    tencentcloud_appid: '',
    tencentcloud_uin: '',
  };
}
