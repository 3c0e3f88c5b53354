import type { CloudFunctionCaller } from '../../../miniprogram/ports';

export interface CloudCall {
  name: string;
  data: Record<string, unknown>;
}

/** The function as a test scripts it: answer by action; return a value, a promise, or throw. */
export type CloudHandler = (call: CloudCall) => unknown;

export interface FakeCloud extends CloudFunctionCaller {
  readonly calls: CloudCall[];
  /** The actions called, in order: ['login', 'ping', ...]. */
  actions(): unknown[];
  answer(handler: CloudHandler): void;
}

/** More calls than any test needs: past it, the service is looping, and the test should fail, not hang. */
const RUNAWAY_CALLS = 50;

export function createFakeCloud(handler: CloudHandler = () => undefined): FakeCloud {
  let current = handler;
  const calls: CloudCall[] = [];
  return {
    calls,
    actions: () => calls.map((call) => call.data.action),
    answer(next) {
      current = next;
    },
    async call(name, data) {
      const call = { name, data };
      calls.push(call);
      if (calls.length > RUNAWAY_CALLS) throw new Error(`runaway: more than ${RUNAWAY_CALLS} cloud calls`);
      return current(call);
    },
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise the test settles when it chooses: holds a call "in flight". */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
