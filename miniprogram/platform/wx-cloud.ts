import type { CloudFunctionCaller } from '../ports';
import { ServiceError } from '../services/service-error';
import { classifyWxFailure } from './wx-failure';

type CallFunction = Pick<WxCloud, 'callFunction'>;

/**
 * Must run once, in App.onLaunch, before any cloud call.
 * `envId` '' means `wx.cloud.DYNAMIC_CURRENT_ENV`: the env DevTools has selected, and in a
 * released build the mini-program's default env. miniprogram-api-typings does not declare that
 * constant, and types `env` as a string although the base library accepts the marker: hence the
 * narrow view of wx.cloud below.
 */
export function initCloud(envId: string): void {
  if (!wx.cloud) throw new Error('wx.cloud is missing: enable 云开发 and use base library 2.2.3 or later');
  const cloud = wx.cloud as unknown as {
    init(config: { env?: unknown; traceUser?: boolean }): void;
    DYNAMIC_CURRENT_ENV?: unknown;
  };
  cloud.init({ env: envId || cloud.DYNAMIC_CURRENT_ENV, traceUser: true });
}

export interface WxCloudCallerOptions {
  /**
   * The client's own limit, on top of CloudBase's function timeout: a call stuck on a bad
   * network would otherwise leave the page in its loading state forever.
   */
  timeoutMs: number;
  /** Defaults to the global wx.cloud, read when called. */
  cloud?: CallFunction;
  /** A function deployed under another name than the contract's (config.ts FUNCTION_NAMES): contract name → deployed name. */
  names?: Readonly<Record<string, string>>;
}

export function createWxCloudCaller(options: WxCloudCallerOptions): CloudFunctionCaller {
  return {
    call(contractName, data) {
      const name = options.names?.[contractName] ?? contractName;
      const cloud = options.cloud ?? wx.cloud;
      if (!cloud) return Promise.reject(new ServiceError('CLOUD_CALL_FAILED', 'wx.cloud is missing'));
      return new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new ServiceError('TIMEOUT', `${name}: no answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
        cloud.callFunction({ name, data }).then(
          (response) => {
            clearTimeout(timer);
            resolve(response.result);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(classifyWxFailure(error, 'CLOUD_CALL_FAILED'));
          },
        );
      });
    },
  };
}
