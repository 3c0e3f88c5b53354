/**
 * The parent side of one function instance (a worker thread running instance-host.js).
 *
 * An instance runs one invocation at a time. It reports every way an invocation can end without a
 * result as an InvocationError instead of throwing: main threw, the instance crashed (uncaught
 * exception, process.exit, out of memory), or the invocation outlived its time limit, in which case
 * the instance is terminated the way SCF kills a timed-out instance.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LimitTimer, PausableClock } from './clock';

export type InvocationErrorKind =
  /** No built `<name>/index.js`. */
  | 'not-found'
  /** Loading the function failed (syntax error, throwing at import, no `main`). */
  | 'load'
  /** main threw or rejected. */
  | 'throw'
  /** The instance died while running. */
  | 'crash'
  /** The invocation outlived its time limit. */
  | 'timeout';

export interface InvocationError {
  kind: InvocationErrorKind;
  message: string;
  stack?: string;
}

/** `runMs`: how long main ran inside the instance, when it ran at all. */
export type InvocationOutcome = ({ ok: true; json: string } | { ok: false; error: InvocationError }) & { runMs?: number };

export interface InvokeRequest {
  id: string;
  event: unknown;
  context: Record<string, unknown>;
  env: Record<string, string>;
  /** The emulator clock's offset (emulator-clock.ts) for this invocation: the function's Date answers real time + this. */
  clockOffset: number;
}

export interface FunctionInstance {
  readonly id: number;
  /** The function file's modification time when this instance loaded it. */
  readonly version: number;
  /** False once the instance died or was terminated. */
  readonly alive: boolean;
  run(request: InvokeRequest, timeoutMs: number): Promise<InvocationOutcome>;
  terminate(): Promise<void>;
}

export interface StartInstanceOptions {
  file: string;
  version: number;
  /** A node_modules folder outside the function's, searched after its own (installed dependencies). */
  dependencyPath?: string | null;
  /** The instance's whole environment (its process.env). */
  env: Record<string, string>;
  /** Loading longer than this fails the start. */
  initTimeoutMs: number;
  /** Runs invocation time limits (paused while other instances load). */
  clock: PausableClock;
  /** The emulator clock's offset while the function loads (its module scope may read the time). */
  clockOffset: number;
  /** V8 code cache of the file from an earlier instance, if any. */
  codeCache: Uint8Array | null;
  /** Ask the instance for the code cache of the file once loaded (see instance-host.js). */
  produceCodeCache: boolean;
  /** `digest`: SHA-256 (hex) of the file the cache was made from. */
  onCodeCache(data: Uint8Array, digest: string): void;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

const HOST = path.join(__dirname, 'instance-host.js');

type HostMessage =
  | { type: 'code-cache'; data: Uint8Array; digest: string }
  | { type: 'ready' }
  | { type: 'load-error'; error: { message: string; stack?: string } }
  | { type: 'started'; id: string }
  | { type: 'result'; id: string; json?: string; error?: { message: string; stack?: string }; runMs?: number };

let nextInstanceId = 1;

/** Starts an instance and resolves once the function is loaded; rejects with an InvocationError. */
export function startInstance(options: StartInstanceOptions): Promise<FunctionInstance> {
  const worker = new Worker(HOST, {
    workerData: {
      file: options.file,
      handler: 'main',
      codeCache: options.codeCache,
      produceCodeCache: options.produceCodeCache,
      dependencyPath: options.dependencyPath ?? null,
      clockOffset: options.clockOffset,
    },
    env: options.env,
    // A parent under tsx/jest must not hand its loaders to the instance: cold starts are measured.
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  worker.stdout.on('data', (chunk: Buffer) => options.onOutput('stdout', chunk));
  worker.stderr.on('data', (chunk: Buffer) => options.onOutput('stderr', chunk));

  let alive = true;
  let lastError: { name: string; message: string; stack?: string } | null = null;
  let settleStart: ((error: InvocationError | null) => void) | null = null;
  let current: { id: string; timeoutMs: number; timer: LimitTimer | null; finish: (outcome: InvocationOutcome) => void } | null = null;

  const instance: FunctionInstance = {
    id: nextInstanceId++,
    version: options.version,
    get alive() {
      return alive;
    },
    run(request, timeoutMs) {
      if (!alive) return Promise.resolve(failed('crash', 'the instance is no longer running'));
      if (current) return Promise.resolve(failed('crash', 'the instance is busy'));
      return new Promise((resolve) => {
        const active = {
          id: request.id,
          timeoutMs,
          timer: null as LimitTimer | null,
          finish: (outcome: InvocationOutcome) => {
            active.timer?.cancel();
            if (current === active) current = null;
            resolve(outcome);
          },
        };
        current = active;
        // Armed now in case the instance never answers; re-armed when main actually starts.
        armTimeout(active);
        worker.postMessage({ type: 'invoke', ...request });
      });
    },
    async terminate() {
      alive = false;
      await worker.terminate();
    },
  };

  function armTimeout(active: NonNullable<typeof current>): void {
    active.timer?.cancel();
    active.timer = options.clock.timer(active.timeoutMs, () => {
      alive = false;
      active.finish(failed('timeout', `Invoking task timed out after ${formatSeconds(active.timeoutMs)} seconds`));
      void worker.terminate();
    });
  }

  worker.on('message', (message: HostMessage) => {
    switch (message.type) {
      case 'code-cache':
        options.onCodeCache(message.data, message.digest);
        return;
      case 'ready':
        settleStart?.(null);
        return;
      case 'load-error':
        settleStart?.(withStack('load', message.error));
        return;
      case 'started':
        if (current?.id === message.id) armTimeout(current);
        return;
      case 'result':
        if (current?.id !== message.id) return;
        current.finish({
          ...(message.error ? { ok: false, error: withStack('throw', message.error) } : { ok: true, json: message.json ?? 'null' }),
          ...(message.runMs === undefined ? {} : { runMs: message.runMs }),
        });
        return;
    }
  });
  // Not `instanceof Error`: the error is built in another realm when the parent runs under jest.
  worker.on('error', (error: unknown) => {
    const { name, message, stack } = (typeof error === 'object' && error !== null ? error : {}) as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
    };
    lastError = { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(error) };
    if (typeof stack === 'string') lastError.stack = stack;
  });
  worker.on('exit', (code) => {
    alive = false;
    const reason = lastError ? `${lastError.name}: ${lastError.message}` : `the instance exited with code ${code}`;
    const stack = lastError?.stack;
    settleStart?.(stack ? { kind: 'load', message: reason, stack } : { kind: 'load', message: reason });
    current?.finish({ ok: false, error: stack ? { kind: 'crash', message: reason, stack } : { kind: 'crash', message: reason } });
  });

  return new Promise((resolve, reject) => {
    const initTimer = setTimeout(() => {
      settleStart?.({ kind: 'load', message: `loading the function took longer than ${formatSeconds(options.initTimeoutMs)} seconds` });
    }, options.initTimeoutMs);
    settleStart = (error) => {
      settleStart = null;
      clearTimeout(initTimer);
      if (error) {
        alive = false;
        void worker.terminate();
        reject(error);
      } else {
        resolve(instance);
      }
    };
  });
}

function failed(kind: InvocationErrorKind, message: string): InvocationOutcome {
  return { ok: false, error: { kind, message } };
}

function withStack(kind: InvocationErrorKind, error: { message: string; stack?: string }): InvocationError {
  return error.stack ? { kind, message: error.message, stack: error.stack } : { kind, message: error.message };
}

function formatSeconds(ms: number): string {
  return Number.isInteger(ms / 1000) ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
}
