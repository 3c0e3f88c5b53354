/**
 * Where the time of one call through the emulator goes: a returning login, one at a time and at
 * concurrency 8, split into layers.
 *
 * - runtime: the emulator's side of a call outside main — the event handed to a warm worker
 *   thread, the result back, JSON in and out (`callFunction` wall time − `runMs`);
 * - database engine: the emulator serving the function's database requests, from a request read
 *   to its reply written (the union of their intervals, so parallel requests count once);
 * - loopback: one bare keep-alive HTTP exchange with the emulator, per sequential round trip;
 * - function + SDK: what is left of main's run time — the kit's own work and wx-server-sdk's
 *   request path (signing, EJSON, parsing the reply). That part runs in production too.
 * The floor of a call is the function's own work plus one loopback exchange per round trip.
 */
import http from 'node:http';
import type { Emulator, Invocation } from '@wx-cloud-login/cloudbase-emulator';
import { mapConcurrent, median, percentile, round } from './stats';

/** Milliseconds the emulator spent serving an invocation's requests (overlapping ones counted once). */
export function databaseBusyMs(requests: Invocation['requests']): number {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
  let busy = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const { startedAt, endedAt } of sorted) {
    if (startedAt >= end) {
      busy += endedAt - startedAt;
      end = endedAt;
    } else if (endedAt > end) {
      busy += endedAt - end;
      end = endedAt;
    }
  }
  return busy;
}

/** p50 of a bare keep-alive GET of the emulator's clock: the loopback exchange alone. */
async function loopbackMs(emulator: Emulator, samples: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get(`${emulator.url}/api/clock`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  try {
    for (let i = 0; i < 50; i++) await once();
    const timings: number[] = [];
    for (let i = 0; i < samples; i++) timings.push(await once());
    return percentile(timings, 50);
  } finally {
    agent.destroy();
  }
}

interface CallSample {
  totalMs: number;
  runMs: number;
  databaseMs: number;
  /** Sequential round trips (meaningful only with latency injected, see measureCallPath). */
  roundTrips: number;
  requests: number;
}

async function sampleCall(emulator: Emulator, caller: { openid: string; appid: string }): Promise<CallSample> {
  const started = performance.now();
  const invocation = await emulator.callFunction('login', {}, caller);
  const totalMs = performance.now() - started;
  if (invocation.error) throw new Error(`login failed: ${invocation.error.message}`);
  return {
    totalMs,
    runMs: invocation.runMs ?? totalMs,
    databaseMs: databaseBusyMs(invocation.requests),
    roundTrips: invocation.roundTrips,
    requests: invocation.requests.length,
  };
}

/**
 * CPU time of this whole process (the emulator's thread and the function instances' worker
 * threads, the bench's own driving included) from now until the returned function is called.
 * Unlike latency it barely moves when other processes load the machine.
 */
function cpuMeter(): () => number {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
}

export interface CallPathReport {
  oneAtATime: { logins: number; warmup: number; p50Ms: number; p95Ms: number; cpuPerCallMs: number };
  concurrent: { logins: number; concurrency: number; p50Ms: number; p95Ms: number; p50RatioToOneAtATime: number; cpuPerCallMs: number };
  /** Medians per call, one at a time. */
  layers: {
    runtimeMs: number;
    databaseEngineMs: number;
    loopbackMs: number;
    functionAndSdkMs: number;
    requests: number;
    roundTrips: number;
  };
}

export async function measureCallPath(emulator: Emulator, { logins = 500, warmup = 200, people = 100 } = {}): Promise<CallPathReport> {
  const callers = Array.from({ length: people }, (_, index) => ({ openid: `bench-path-${index}`, appid: 'wx-bench-path' }));
  // Every person logs in once (first logins are not what is measured), then the instance warms up.
  for (const caller of callers) await sampleCall(emulator, caller);
  for (let i = 0; i < warmup; i++) await sampleCall(emulator, callers[i % people] as (typeof callers)[number]);

  const sequential: CallSample[] = [];
  const sequentialCpu = cpuMeter();
  for (let i = 0; i < logins; i++) sequential.push(await sampleCall(emulator, callers[i % people] as (typeof callers)[number]));
  const sequentialCpuMs = sequentialCpu() / logins;
  const loopback = await loopbackMs(emulator, 300);

  const concurrency = 8;
  const concurrentCalls = Array.from({ length: logins * 2 }, (_, index) => callers[index % people] as (typeof callers)[number]);
  // One untimed pass starts and warms the instances that concurrency needs, as a busy service has them.
  await mapConcurrent(concurrentCalls.slice(0, logins), concurrency, (caller) => sampleCall(emulator, caller));
  const concurrentCpu = cpuMeter();
  const concurrent = await mapConcurrent(concurrentCalls, concurrency, (caller) => sampleCall(emulator, caller));
  const concurrentCpuMs = concurrentCpu() / concurrentCalls.length;

  const p50 = percentile(
    sequential.map((s) => s.totalMs),
    50,
  );
  const concurrentP50 = percentile(
    concurrent.map((s) => s.totalMs),
    50,
  );
  const medianOf = (pick: (sample: CallSample) => number) => median(sequential.map(pick));
  // Round trips are only told apart when parallel requests overlap in time: counted on one call
  // with 10 ms of latency on every database request.
  const latency = emulator.faults.add({ action: /^database\./, latencyMs: 10, times: 'always' });
  const { roundTrips } = await sampleCall(emulator, callers[0] as (typeof callers)[number]).finally(() => latency.remove());
  return {
    oneAtATime: {
      logins,
      warmup,
      p50Ms: round(p50),
      p95Ms: round(
        percentile(
          sequential.map((s) => s.totalMs),
          95,
        ),
      ),
      cpuPerCallMs: round(sequentialCpuMs),
    },
    concurrent: {
      logins: concurrent.length,
      concurrency,
      p50Ms: round(concurrentP50),
      p95Ms: round(
        percentile(
          concurrent.map((s) => s.totalMs),
          95,
        ),
      ),
      p50RatioToOneAtATime: round(concurrentP50 / p50),
      cpuPerCallMs: round(concurrentCpuMs),
    },
    layers: {
      runtimeMs: round(medianOf((s) => s.totalMs - s.runMs)),
      databaseEngineMs: round(medianOf((s) => s.databaseMs)),
      loopbackMs: round(loopback * roundTrips),
      functionAndSdkMs: round(Math.max(0, medianOf((s) => s.runMs - s.databaseMs) - loopback * roundTrips)),
      requests: medianOf((s) => s.requests),
      roundTrips,
    },
  };
}

/** The lines `npm run bench` prints for this section. */
export function describeCallPath(report: CallPathReport): string[] {
  const { oneAtATime, concurrent, layers } = report;
  return [
    `returning login through the emulator, one at a time (${oneAtATime.logins} after ${oneAtATime.warmup} warm-up): p50 ${oneAtATime.p50Ms} ms, p95 ${oneAtATime.p95Ms} ms (target p50 ≤ 4 ms)`,
    `  per layer (medians; ${layers.requests} database requests in ${layers.roundTrips} round trip(s)): runtime ${layers.runtimeMs} ms · database engine ${layers.databaseEngineMs} ms · loopback ${layers.loopbackMs} ms · function + wx-server-sdk ${layers.functionAndSdkMs} ms`,
    `  at concurrency ${concurrent.concurrency} (${concurrent.logins} logins): p50 ${concurrent.p50Ms} ms, p95 ${concurrent.p95Ms} ms (${concurrent.p50RatioToOneAtATime}× one at a time; goal ≤ 2×)`,
    `  CPU per call, every thread of the process: ${oneAtATime.cpuPerCallMs} ms one at a time, ${concurrent.cpuPerCallMs} ms at concurrency ${concurrent.concurrency}`,
  ];
}
