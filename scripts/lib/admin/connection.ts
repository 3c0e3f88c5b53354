/**
 * Where `npm run admin` works: the running `npm start` of this project by default (found through
 * the record it keeps in its data folder, as `npm run invoke` finds it), a given emulator URL, or a
 * real environment with `--env`. All three go through the unmodified wx-server-sdk: against the
 * emulator it is pointed there by the SDK's own environment variables; against CloudBase it signs
 * with the credentials of the standard variables the tcb CLI and node-sdk read (none is stored here).
 */
import { createRunningRegistry, readRunningRecord, sdkEnvFor } from '@wx-cloud-login/cloudbase-emulator';
import type { AdminOptions } from './args';

export type Target = { kind: 'emulator'; url: string; env: string } | { kind: 'cloud'; env: string };

/** What the target needs from the process environment, or why it cannot be used. */
export type Resolved = { ok: true; target: Target; sdkEnv: Record<string, string> } | { ok: false; message: string };

async function health(url: string): Promise<{ env: string } | null> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return null;
    const body = (await response.json()) as { env?: unknown };
    return { env: typeof body.env === 'string' ? body.env : '' };
  } catch {
    return null;
  }
}

export async function resolveTarget(options: AdminOptions, environment: Record<string, string | undefined>): Promise<Resolved> {
  if (options.env !== null) {
    const secretId = environment.TENCENTCLOUD_SECRETID;
    const secretKey = environment.TENCENTCLOUD_SECRETKEY;
    if (!secretId || !secretKey)
      return {
        ok: false,
        message:
          '缺少腾讯云凭据：请设置环境变量 TENCENTCLOUD_SECRETID 和 TENCENTCLOUD_SECRETKEY（临时密钥另加 TENCENTCLOUD_SESSIONTOKEN），' +
          '在腾讯云控制台「访问管理 › API 密钥管理」获取。\n' +
          'Missing credentials: set TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (and TENCENTCLOUD_SESSIONTOKEN for temporary keys).',
      };
    return { ok: true, target: { kind: 'cloud', env: options.env }, sdkEnv: { TCB_ENV: options.env } };
  }
  let url: string | null = null;
  let alive: { env: string } | null = null;
  const candidates =
    options.url !== null
      ? [options.url]
      : options.dataDir !== null
        ? [readRunningRecord(options.dataDir)?.url].filter((found): found is string => !!found)
        : createRunningRegistry()
            .list(options.functionsRoot)
            .map((record) => record.url);
  for (const candidate of candidates) {
    alive = await health(candidate);
    url = candidate;
    if (alive) break;
  }
  if (!url || !alive)
    return {
      ok: false,
      message:
        `没有找到运行中的模拟器${url ? `（${url} 没有响应）` : options.dataDir ? `（${options.dataDir} 中没有运行记录）` : ''}：先在另一个终端运行 npm start，` +
        '或用 --url 指定模拟器、--env 指定真实环境。\n' +
        'No running emulator found: start `npm start` first, or pass --url, or --env for a real environment.',
    };
  return { ok: true, target: { kind: 'emulator', url, env: alive.env }, sdkEnv: sdkEnvFor(url, alive.env) };
}
