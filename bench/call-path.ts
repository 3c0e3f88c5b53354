/**
 * Where the time of one call through the emulator goes: a returning login, one at a time and at
 * concurrency 8, split into layers; each measured twice, after a short warm-up and once V8 has
 * finished optimizing the request path (thousands of calls later, as on a busy service).
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
import os from 'node:os';
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

/** `count` calls, the callers taking turns. */
function inTurn<T>(callers: readonly T[], count: number): T[] {
  return Array.from({ length: count }, (_, index) => callers[index % callers.length] as T);
}

/** Latency and CPU of one measured stretch of calls. */
interface Stretch {
  logins: number;
  /** Calls served before this stretch: one at a time, by the one instance; at concurrency, at that concurrency. */
  after: number;
  p50Ms: number;
  p95Ms: number;
  cpuPerCallMs: number;
}

async function measureStretch(
  emulator: Emulator,
  callers: readonly { openid: string; appid: string }[],
  count: number,
  concurrency: number,
  after: number,
): Promise<{ stretch: Stretch; samples: CallSample[] }> {
  const cpu = cpuMeter();
  const samples = await mapConcurrent(inTurn(callers, count), concurrency, (caller) => sampleCall(emulator, caller));
  const cpuPerCallMs = cpu() / count;
  const totals = samples.map((s) => s.totalMs);
  return {
    stretch: {
      logins: count,
      after,
      p50Ms: round(percentile(totals, 50)),
      p95Ms: round(percentile(totals, 95)),
      cpuPerCallMs: round(cpuPerCallMs),
    },
    samples,
  };
}

/** Untimed calls: instances started (at concurrency) and warmed. */
async function warm(emulator: Emulator, callers: readonly { openid: string; appid: string }[], count: number, concurrency: number) {
  await mapConcurrent(inTurn(callers, count), concurrency, (caller) => sampleCall(emulator, caller));
}

export interface CallPathReport {
  /** After a short warm-up: V8 is still optimizing the request path (see `settled`). */
  oneAtATime: Stretch & { warmup: number };
  /**
   * The same instance once V8's optimizing compiler is done with the request path. After 300
   * calls it was not: the next 500 calls still ran ~190 TurboFan compilations (~1.2 ms of
   * background CPU per call, `node --trace-opt`); after ~3,000 calls it ran a handful.
   */
  settled: Stretch;
  concurrent: Stretch & { concurrency: number; p50RatioToOneAtATime: number };
  /** The same 8 instances after ~2,000 calls each. */
  concurrentSettled: Stretch & {
    concurrency: number;
    /**
     * The lowest p50 that this CPU per call allows on this machine's cores: `concurrency` calls in
     * flight share `cores`, so each waits for about concurrency × CPU ÷ cores.
     */
    cpuBoundMs: number;
    cores: number;
    p50RatioToSettled: number;
  };
  /** Medians per call, one at a time (the short warm-up's stretch). */
  layers: {
    runtimeMs: number;
    databaseEngineMs: number;
    loopbackMs: number;
    functionAndSdkMs: number;
    requests: number;
    roundTrips: number;
  };
}

export async function measureCallPath(
  emulator: Emulator,
  { logins = 500, warmup = 200, people = 100, settledAfter = 3000, concurrentSettledAfter = 16_000 } = {},
): Promise<CallPathReport> {
  const callers = Array.from({ length: people }, (_, index) => ({ openid: `bench-path-${index}`, appid: 'wx-bench-path' }));
  // Every person logs in once (first logins are not what is measured), then the instance warms up.
  await warm(emulator, callers, people, 1);
  await warm(emulator, callers, warmup, 1);
  const { stretch: oneAtATime, samples: sequential } = await measureStretch(emulator, callers, logins, 1, people + warmup);
  const loopback = await loopbackMs(emulator, 300);
  const servedOne = people + warmup + logins;
  await warm(emulator, callers, Math.max(0, settledAfter - servedOne), 1);
  const { stretch: settled } = await measureStretch(emulator, callers, logins, 1, Math.max(servedOne, settledAfter));

  const concurrency = 8;
  // One untimed pass starts and warms the instances that concurrency needs, as a busy service has them.
  await warm(emulator, callers, logins, concurrency);
  const { stretch: concurrent } = await measureStretch(emulator, callers, logins * 2, concurrency, logins);
  await warm(emulator, callers, Math.max(0, concurrentSettledAfter - logins * 3), concurrency);
  const { stretch: concurrentSettled } = await measureStretch(
    emulator,
    callers,
    logins * 2,
    concurrency,
    Math.max(logins * 3, concurrentSettledAfter),
  );
  const cores = os.availableParallelism();

  const medianOf = (pick: (sample: CallSample) => number) => median(sequential.map(pick));
  // Round trips are only told apart when parallel requests overlap in time: counted on one call
  // with 10 ms of latency on every database request.
  const latency = emulator.faults.add({ action: /^database\./, latencyMs: 10, times: 'always' });
  const { roundTrips } = await sampleCall(emulator, callers[0] as (typeof callers)[number]).finally(() => latency.remove());
  return {
    oneAtATime: { ...oneAtATime, warmup },
    settled,
    concurrent: { ...concurrent, concurrency, p50RatioToOneAtATime: round(concurrent.p50Ms / oneAtATime.p50Ms) },
    concurrentSettled: {
      ...concurrentSettled,
      concurrency,
      cores,
      cpuBoundMs: round((concurrency * concurrentSettled.cpuPerCallMs) / cores),
      p50RatioToSettled: round(concurrentSettled.p50Ms / settled.p50Ms),
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
  const { oneAtATime, settled, concurrent, concurrentSettled: busy, layers } = report;
  const calls = (count: number) => count.toLocaleString('en-US');
  return [
    `returning login through the emulator, one at a time (${oneAtATime.logins} after ${calls(oneAtATime.after)} calls): p50 ${oneAtATime.p50Ms} ms, p95 ${oneAtATime.p95Ms} ms (target p50 ≤ 4 ms); CPU per call ${oneAtATime.cpuPerCallMs} ms`,
    `  per layer (medians; ${layers.requests} database requests in ${layers.roundTrips} round trip(s)): runtime ${layers.runtimeMs} ms · database engine ${layers.databaseEngineMs} ms · loopback ${layers.loopbackMs} ms · function + wx-server-sdk ${layers.functionAndSdkMs} ms`,
    `  settled (${settled.logins} after ${calls(settled.after)} calls, V8 done optimizing): p50 ${settled.p50Ms} ms, p95 ${settled.p95Ms} ms; CPU per call ${settled.cpuPerCallMs} ms`,
    `  at concurrency ${concurrent.concurrency} (${calls(concurrent.logins)} after ${calls(concurrent.after)} at concurrency ${concurrent.concurrency} that start the instances): p50 ${concurrent.p50Ms} ms, p95 ${concurrent.p95Ms} ms (${concurrent.p50RatioToOneAtATime}× one at a time; goal ≤ 2×); CPU per call ${concurrent.cpuPerCallMs} ms`,
    `  at concurrency ${busy.concurrency}, settled (${calls(busy.logins)} after ${calls(busy.after)} at concurrency ${busy.concurrency}, ~${calls(Math.round(busy.after / busy.concurrency))} per instance): p50 ${busy.p50Ms} ms, p95 ${busy.p95Ms} ms (${busy.p50RatioToSettled}× settled one at a time); CPU per call ${busy.cpuPerCallMs} ms, so no p50 below ${busy.concurrency} × ${busy.cpuPerCallMs} ÷ ${busy.cores} cores = ${busy.cpuBoundMs} ms`,
    `  CPU per call counts every thread of the process: the emulator's, the function instances', V8's compiler and GC helpers`,
  ];
}
