/**
 * How a wx API answers: with `success` / `fail` / `complete` callbacks when any is given, else
 * with a Promise (base library 2.10.2+). Failures are objects `{ errMsg: '<api>:fail <reason>' }`,
 * successes carry `errMsg: '<api>:ok'`.
 */

export interface WxFailure {
  errMsg: string;
  errno?: number;
  errCode?: number;
}

export interface WxCallbacks<T> {
  success?: (result: T) => void;
  fail?: (failure: WxFailure) => void;
  complete?: (result: T | WxFailure) => void;
}

/** A failure to report as `<api>:fail <reason>`, optionally with errno / errCode. */
export class WxApiError extends Error {
  constructor(
    readonly reason: string,
    readonly extra: { errno?: number; errCode?: number } = {},
  ) {
    super(reason);
    this.name = 'WxApiError';
  }
}

export function toFailure(api: string, error: unknown): WxFailure {
  if (error instanceof WxApiError) return { errMsg: `${api}:fail ${error.reason}`, ...error.extra };
  if (typeof error === 'object' && error !== null && typeof (error as WxFailure).errMsg === 'string') return error as WxFailure;
  return { errMsg: `${api}:fail ${error instanceof Error ? error.message : String(error)}` };
}

function hasCallbacks(options: object | undefined): boolean {
  if (!options) return false;
  const callbacks = options as WxCallbacks<unknown>;
  return typeof callbacks.success === 'function' || typeof callbacks.fail === 'function' || typeof callbacks.complete === 'function';
}

/**
 * Runs `work` and answers the way WeChat would. Callbacks run after the caller's current code,
 * as in WeChat, where every asynchronous API answers in a later tick.
 */
export function answer<T extends object>(
  api: string,
  options: WxCallbacks<T> | undefined,
  work: () => Promise<T>,
): Promise<T & { errMsg: string }> | undefined {
  const run = Promise.resolve()
    .then(work)
    .then(
      (result) => ({ errMsg: `${api}:ok`, ...result }),
      (error: unknown) => {
        throw toFailure(api, error);
      },
    );
  if (!hasCallbacks(options)) return run;
  run.then(
    (result) => {
      options?.success?.(result);
      options?.complete?.(result);
    },
    (failure: WxFailure) => {
      options?.fail?.(failure);
      options?.complete?.(failure);
    },
  );
  return undefined;
}
