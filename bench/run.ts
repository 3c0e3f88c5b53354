/**
 * `npm run bench` (`-- --json` for one machine-readable object on stdout; `-- --out [FILE]` to save
 * the results, by default as bench/results/<date>-<host>.json): the login function against the
 * local emulator, beside a tutorial-style baseline (bench/functions/naive-login) in the same run.
 *
 * - database requests and sequential round trips of a first and a returning login (10 ms of latency
 *   is injected on every database request so that parallel requests visibly overlap), of the
 *   mini-program's per-launch revalidation (login { existingOnly: true }: an account there, and one
 *   deleted) beside the other calls that could answer "who is this device's user now", and of a
 *   protected call of the notes function (resolving the caller: cold instance, warm instance);
 * - returning logins through the emulator, one at a time and at concurrency 8, with where the time
 *   of one call goes, layer by layer (bench/call-path.ts);
 * - cold start: fresh process -> first response, ours (built, bundled) vs the baseline (unbundled,
 *   wx-server-sdk from node_modules), alternating, as a ratio of medians; memory (RSS) likewise;
 * - duplicate users created by 100 simultaneous first logins of one person, baseline vs ours;
 * - returning-login latency at 1 user and at 100,000 users side by side (bench/scale.ts).
 * Nothing is written unless --out is given; the saved file notes the machine.
 */
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { buildFunctions, esbuildOptions, projectRoot } from '../scripts/build';
import { USER_CACHE_TTL_MS } from '@wx-cloud-login/server-auth/src/user-cache';
import { describeCallPath, measureCallPath } from './call-path';
import { measureScale } from './scale';
import { median, round } from './stats';

const benchRoot = __dirname;
const ourFunction = path.join(projectRoot, 'cloudfunctions', 'login', 'index.js');
const baselineFunction = path.join(benchRoot, 'functions', 'naive-login', 'index.js');
const json = process.argv.includes('--json');
/** `--out FILE`, `--out=FILE`, or `--out` alone for the default file; null: save nothing. */
function outFile(argv: string[], date: string): string | null {
  const index = argv.findIndex((argument) => argument === '--out' || argument.startsWith('--out='));
  if (index < 0) return null;
  const argument = argv[index] as string;
  const given = argument.startsWith('--out=') ? argument.slice('--out='.length) : argv[index + 1];
  if (given && !given.startsWith('--')) return path.resolve(given);
  return path.join(benchRoot, 'results', `${date.slice(0, 10)}-${os.hostname()}.json`);
}
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
const log = (line: string) => {
  if (!json) console.log(line);
};

interface TripCount {
  requests: number;
  roundTrips: number;
}

async function tripsOf(emulator: Emulator, name: string, caller: Caller, data: object = {}): Promise<TripCount> {
  const invocation = await emulator.callFunction(name, data, caller);
  if (invocation.error) throw new Error(`${name} failed: ${invocation.error.message}`);
  return { requests: invocation.requests.length, roundTrips: invocation.roundTrips };
}

async function measureTrips(emulator: Emulator) {
  const latency = emulator.faults.add({ action: /^database\./, latencyMs: 10, times: 'always' });
  try {
    // The very first login of a deployment also creates the collections; measured on its own.
    const emptyDatabase = await tripsOf(emulator, 'login', { openid: 'bench-trips-0', appid: 'wx-bench' });
    const caller = { openid: 'bench-trips', appid: 'wx-bench' };
    const first = await tripsOf(emulator, 'login', caller);
    const returning = await tripsOf(emulator, 'login', caller);
    const unionCaller = { openid: 'bench-trips-u', appid: 'wx-bench', unionid: 'bench-union' };
    const firstWithUnionid = await tripsOf(emulator, 'login', unionCaller);
    const otherApp = await tripsOf(emulator, 'login', { ...unionCaller, openid: 'bench-trips-u2', appid: 'wx-bench-2' });
    // 下载我的信息 of a returning person (inline: resolve + count, then everything in parallel). The
    // first export of a deployment also creates the rate_limits collection: measured on another person.
    await tripsOf(emulator, 'login', caller, { action: 'exportMyData' });
    const exportMyData = await tripsOf(emulator, 'login', unionCaller, { action: 'exportMyData' });
    const revalidation = await measureRevalidation(emulator, caller);
    // The avatar path listed on the account before the page uploads (resolve + count, then the record).
    const prepareAvatarUpload = await tripsOf(emulator, 'login', unionCaller, { action: 'prepareAvatarUpload', extension: 'png' });
    return {
      first,
      returning,
      firstWithUnionid,
      firstInSecondApp: otherApp,
      firstOnEmptyDatabase: emptyDatabase,
      exportMyData,
      revalidation,
      prepareAvatarUpload,
    };
  } finally {
    latency.remove();
  }
}

/**
 * What the mini-program pays once per launch, after the first frame, to learn who its cached user is
 * now (miniprogram/services/auth revalidate()): `existing` — login { existingOnly: true } of a
 * returning person (the user and the account's notices, one answer); `gone` — the same for a WeChat
 * whose account was deleted (USER_NOT_FOUND, nothing created). Beside them the calls that could
 * have been used instead: `listIdentities` (a protected read of the login function, no user in its
 * answer, no notices) and a protected read of another function (`notes list`, cold instance: a warm
 * one answers from a cache up to 60 s old, which is not the truth this is for).
 */
async function measureRevalidation(emulator: Emulator, caller: Caller) {
  const gone = { openid: 'bench-trips-gone', appid: 'wx-bench' };
  return {
    existing: await tripsOf(emulator, 'login', caller, { action: 'login', existingOnly: true }),
    gone: await tripsOfRefusal(emulator, 'login', gone, { action: 'login', existingOnly: true }),
    listIdentities: await tripsOf(emulator, 'login', caller, { action: 'listIdentities' }),
    notesListCold: await tripsOf(emulator, 'notes', caller, { action: 'list', accountHint: 'bench-revalidation' }),
  };
}

/** tripsOf for a call whose answer is a refusal ({ ok: false }), which is what is measured. */
async function tripsOfRefusal(emulator: Emulator, name: string, caller: Caller, data: object): Promise<TripCount> {
  const invocation = await emulator.callFunction(name, data, caller);
  if (invocation.error) throw new Error(`${name} failed: ${invocation.error.message}`);
  const answer = invocation.result as { ok?: boolean } | undefined;
  if (answer?.ok !== false) throw new Error(`${name} was expected to refuse, answered ${JSON.stringify(answer)}`);
  return { requests: invocation.requests.length, roundTrips: invocation.roundTrips };
}

/**
 * A protected call of another function (notes) on top of login's figures. `resolve*`: what
 * requireUser alone costs for a read — a `list` with `limit: 0` is refused (INVALID_ARGUMENT) only
 * after the caller was resolved, so its database requests are exactly the resolution's. `list*`: a
 * whole protected read (resolution + the page query). Cold: the first call of a new instance; warm:
 * the same caller again (the in-instance cache answers); warmNewCaller: a warm instance, another
 * person. Writes (every action not declared a read) never use the cache and are checked after
 * they ran (server-auth late-write.ts): `writeOverhead` is an `add` refused (NOTE_EMPTY) after its
 * resolution — the fresh resolution plus the after-write check, what any write now pays on top of
 * its own requests; `addWarm` is a whole note added on a warm instance. `firstAfterChange`: a read
 * naming a new account hint (what the device that just linked, unlinked or deleted sends), then
 * the same hint again (`afterChangeThenWarm`: warm again).
 */
async function measureProtectedCall(emulator: Emulator) {
  const caller = { openid: 'bench-protected', appid: 'wx-bench', unionid: 'bench-protected-u' };
  const other = { openid: 'bench-protected-2', appid: 'wx-bench' };
  await tripsOf(emulator, 'login', caller);
  await tripsOf(emulator, 'login', other);
  const latency = emulator.faults.add({ action: /^database\./, latencyMs: 10, times: 'always' });
  try {
    const refusedRead = { action: 'list', limit: 0 };
    const resolveCold = await tripsOf(emulator, 'notes', caller, refusedRead);
    const resolveWarm = await tripsOf(emulator, 'notes', caller, refusedRead);
    const resolveWarmNewCaller = await tripsOf(emulator, 'notes', other, refusedRead);
    const listWarm = await tripsOf(emulator, 'notes', caller, { action: 'list' });
    const writeOverhead = await tripsOf(emulator, 'notes', caller, { action: 'add', text: ' ' });
    // The environment's first note creates the collection (once): measured on the second.
    await tripsOf(emulator, 'notes', caller, { action: 'add', text: 'bench' });
    const addWarm = await tripsOf(emulator, 'notes', caller, { action: 'add', text: 'bench' });
    const firstAfterChange = await tripsOf(emulator, 'notes', caller, { action: 'list', accountHint: 'bench-new-account' });
    const afterChangeThenWarm = await tripsOf(emulator, 'notes', caller, { action: 'list', accountHint: 'bench-new-account' });
    return {
      resolveCold,
      resolveWarm,
      resolveWarmNewCaller,
      listWarm,
      writeOverhead,
      addWarm,
      firstAfterChange,
      afterChangeThenWarm,
      cacheTtlMs: USER_CACHE_TTL_MS,
    };
  } finally {
    latency.remove();
  }
}

interface ColdStart {
  totalMs: number;
  loadedMs: number;
  /** CPU time (user + system) of the process from its start to the first response. */
  cpuMs: number;
  wallMs: number;
  rss: number;
}

function coldStart(emulator: Emulator, file: string, openid: string): Promise<ColdStart> {
  const env = {
    ...process.env,
    ...emulator.sdkEnv(),
    WX_OPENID: openid,
    WX_APPID: 'wx-bench-cold',
    WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID',
    TCB_SOURCE: 'wx_client',
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(benchRoot, 'cold-start-child.js'), file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.once('data', () => {
      const wallMs = performance.now() - started;
      child.once('exit', () => {
        try {
          const parsed = JSON.parse(out) as { totalMs: number; loadedMs: number; cpuMs: number; rss: number };
          resolve({ ...parsed, wallMs });
        } catch {
          reject(new Error(`cold start of ${file} printed no result: ${err || out}`));
        }
      });
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`cold start of ${file} exited ${code}: ${err}`));
    });
  });
}

/** Our login built with wx-server-sdk left external, as it would be with CloudBase installing it. */
async function buildExternalVariant(): Promise<string> {
  const outfile = path.join(projectRoot, '.build', 'bench', 'login-sdk-external', 'index.js');
  await build(esbuildOptions(path.join(projectRoot, 'cloudfunctions', 'login'), { outfile, external: ['wx-server-sdk'] }));
  return outfile;
}

async function measureColdStart(ours: Emulator, baseline: Emulator, external: string, runs = 15) {
  const variants = [
    { name: 'ours', emulator: ours, file: ourFunction },
    { name: 'oursSdkExternal', emulator: ours, file: external },
    { name: 'baseline', emulator: baseline, file: baselineFunction },
  ] as const;
  // Each variant logs in a known user once first, so every measured start is a returning login.
  for (const variant of variants) await coldStart(variant.emulator, variant.file, 'bench-cold');
  const samples: Record<string, ColdStart[]> = {};
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      const sample = await coldStart(variant.emulator, variant.file, 'bench-cold');
      samples[variant.name] = [...(samples[variant.name] ?? []), sample];
    }
  }
  const summary = (list: ColdStart[] = []) => ({
    wallMedianMs: round(median(list.map((r) => r.wallMs))),
    loadMedianMs: round(median(list.map((r) => r.loadedMs))),
    cpuMedianMs: round(median(list.map((r) => r.cpuMs))),
    rssMedianMiB: round(median(list.map((r) => r.rss)) / 2 ** 20, 1),
  });
  const o = summary(samples.ours);
  const e = summary(samples.oursSdkExternal);
  const b = summary(samples.baseline);
  return {
    runs,
    ours: o,
    oursSdkExternal: e,
    baseline: b,
    ratio: round(o.wallMedianMs / b.wallMedianMs),
    externalRatio: round(e.wallMedianMs / b.wallMedianMs),
    cpuRatio: round(o.cpuMedianMs / b.cpuMedianMs),
    rssRatio: round(o.rssMedianMiB / b.rssMedianMiB),
  };
}

/** Simultaneous first logins of one person (the target: 100 make 1 user), each in a warm instance. */
const RACERS = 100;

async function duplicatesUnderRace(emulator: Emulator, name: string, concurrent = RACERS): Promise<number> {
  // Warm instances first, as a busy production function has them: cold ones start one after
  // another on a small machine and would serialise the race away.
  await Promise.all(
    Array.from({ length: concurrent }, (_, i) => emulator.callFunction(name, {}, { openid: `bench-warm-${i}`, appid: 'wx-bench-race' })),
  );
  const caller = { openid: `bench-race-${name}`, appid: 'wx-bench-race', unionid: `bench-race-union-${name}` };
  const invocations = await Promise.all(Array.from({ length: concurrent }, () => emulator.callFunction(name, {}, caller)));
  const failed = invocations.filter((invocation) => invocation.error);
  if (failed.length > 0) throw new Error(`${failed.length} racing ${name} logins failed: ${failed[0]?.error?.message}`);
  const users = emulator.database.documents('users');
  const holding = users.filter(
    (user) =>
      user._openid === caller.openid || (Array.isArray(user.identityKeys) && user.identityKeys.includes(`wx-unionid:${caller.unionid}`)),
  );
  return holding.length - 1;
}

/** Bytes of every file below `dir`. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** wx-server-sdk and everything it pulls in, as CloudBase would install it next to an external build. */
function sdkInstallBytes(): { bytes: number; packages: number } {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    let manifestPath: string;
    try {
      manifestPath = require.resolve(`${name}/package.json`, { paths: [from] });
    } catch {
      return; // optional dependency not installed on this platform
    }
    const dir = path.dirname(manifestPath);
    if (seen.has(dir)) return;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir);
  };
  visit('wx-server-sdk', projectRoot);
  let bytes = 0;
  for (const dir of seen) bytes += treeBytes(dir);
  return { bytes, packages: seen.size };
}

function uploadSizes(external: string) {
  const sdk = sdkInstallBytes();
  return {
    bundledBytes: statSync(ourFunction).size,
    sdkExternalBytes: statSync(external).size,
    sdkExternalInstalledBytes: statSync(external).size + sdk.bytes,
    sdkPackages: sdk.packages,
  };
}

function logProtectedCall(protectedCall: Awaited<ReturnType<typeof measureProtectedCall>>): void {
  const trips = (count: TripCount) => `${count.requests} request(s) / ${count.roundTrips} round trip(s)`;
  log(
    `protected read (notes), resolving the caller: cold instance ${trips(protectedCall.resolveCold)}, warm ${trips(protectedCall.resolveWarm)}, warm instance + new caller ${trips(protectedCall.resolveWarmNewCaller)}`,
  );
  log(`  notes list on a warm instance, in all: ${trips(protectedCall.listWarm)}`);
  log(
    `protected write: fresh resolution + after-write check ${trips(protectedCall.writeOverhead)}; notes add on a warm instance, in all: ${trips(protectedCall.addWarm)}`,
  );
  log(
    `first read after a change on this device (new account hint): ${trips(protectedCall.firstAfterChange)}; the next one: ${trips(protectedCall.afterChangeThenWarm)}`,
  );
}

function logRevalidation(revalidation: Awaited<ReturnType<typeof measureRevalidation>>): void {
  const trips = (count: TripCount) => `${count.requests} request(s) / ${count.roundTrips} round trip(s)`;
  log(
    `per-launch revalidation (login existingOnly): account there ${trips(revalidation.existing)}; account deleted ${trips(revalidation.gone)} (nothing created)`,
  );
  log(
    `  instead, listIdentities: ${trips(revalidation.listIdentities)}; notes list, new account hint: ${trips(revalidation.notesListCold)}`,
  );
}

/** `-- --trips-only`: only the round-trip section with the per-launch revalidation (quick). */
async function tripsOnly(): Promise<void> {
  await buildFunctions();
  const ours = await createEmulator({ memory: true, functionTimeoutMs: 60_000, onFunctionOutput: () => undefined });
  try {
    const trips = await measureTrips(ours);
    if (json) console.log(JSON.stringify({ trips }, null, 2));
    log(`returning login:  ${trips.returning.requests} database requests, ${trips.returning.roundTrips} sequential round trip(s)`);
    logRevalidation(trips.revalidation);
  } finally {
    await ours.close();
  }
}

function logColdStart(cold: Awaited<ReturnType<typeof measureColdStart>>): void {
  log(
    `cold start (median of ${cold.runs}): ours ${cold.ours.wallMedianMs} ms, baseline ${cold.baseline.wallMedianMs} ms, ratio ${cold.ratio}`,
  );
  log(
    `  CPU time to the first response: ours ${cold.ours.cpuMedianMs} ms, baseline ${cold.baseline.cpuMedianMs} ms, ratio ${cold.cpuRatio}`,
  );
  log(`  with wx-server-sdk external instead of bundled: ${cold.oursSdkExternal.wallMedianMs} ms, ratio ${cold.externalRatio}`);
  log(
    `memory after first response: ours ${cold.ours.rssMedianMiB} MiB, baseline ${cold.baseline.rssMedianMiB} MiB, ratio ${cold.rssRatio}`,
  );
}

/** `-- --cold-only`: only the cold-start section (quick, while working on the build). */
async function coldOnly(): Promise<void> {
  await buildFunctions();
  const quiet = { memory: true, functionTimeoutMs: 60_000, onFunctionOutput: () => undefined };
  const ours = await createEmulator(quiet);
  const baseline = await createEmulator({ ...quiet, functionsRoot: path.join(benchRoot, 'functions') });
  await baseline.database.importCollection('users', '');
  try {
    const cold = await measureColdStart(ours, baseline, await buildExternalVariant());
    if (json) console.log(JSON.stringify({ coldStart: cold }, null, 2));
    logColdStart(cold);
  } finally {
    await Promise.all([ours.close(), baseline.close()]);
  }
}

/** `-- --protected-only`: only the protected-call section (quick, while working on server-auth). */
async function protectedOnly(): Promise<void> {
  await buildFunctions();
  const ours = await createEmulator({ memory: true, functionTimeoutMs: 60_000, onFunctionOutput: () => undefined });
  try {
    const protectedCall = await measureProtectedCall(ours);
    if (json) console.log(JSON.stringify({ protectedCall }, null, 2));
    logProtectedCall(protectedCall);
  } finally {
    await ours.close();
  }
}

/** `-- --call-path-only`: only the call path (one at a time, concurrency 8, CPU per call; while working on the emulator). */
async function callPathOnly(): Promise<void> {
  await buildFunctions();
  const ours = await createEmulator({ memory: true, functionTimeoutMs: 60_000, onFunctionOutput: () => undefined });
  try {
    const callPath = await measureCallPath(ours);
    if (json) console.log(JSON.stringify({ callPath }, null, 2));
    for (const line of describeCallPath(callPath)) log(line);
  } finally {
    await ours.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--call-path-only')) return callPathOnly();
  if (process.argv.includes('--protected-only')) return protectedOnly();
  if (process.argv.includes('--trips-only')) return tripsOnly();
  if (process.argv.includes('--cold-only')) return coldOnly();
  const builds = await buildFunctions();
  // Generous time limits: 50 instances starting at once on a small machine is the point of the race.
  const quiet = { memory: true, functionTimeoutMs: 60_000, onFunctionOutput: () => undefined };
  const ours = await createEmulator(quiet);
  const baseline = await createEmulator({ ...quiet, functionsRoot: path.join(benchRoot, 'functions') });
  // Tutorials create the users collection in the console first; the baseline gets the same head start.
  await baseline.database.importCollection('users', '');
  try {
    log('measuring round trips ...');
    const trips = await measureTrips(ours);
    log('measuring a protected call (notes) ...');
    const protectedCall = await measureProtectedCall(ours);
    log('measuring the call path: returning logins one at a time and at concurrency 8 ...');
    const callPath = await measureCallPath(ours);
    log('measuring cold starts ...');
    const external = await buildExternalVariant();
    const cold = await measureColdStart(ours, baseline, external);
    log(`racing ${RACERS} first logins ...`);
    const race = {
      concurrent: 50,
      duplicateUsersBaseline: await duplicatesUnderRace(baseline, 'naive-login'),
      duplicateUsersOurs: await duplicatesUnderRace(ours, 'login'),
    };
    log('measuring returning logins at 1 and 100,000 users ...');
    const scale = await measureScale(100_000, 50, 10, log);
    const report = {
      date: new Date().toISOString(),
      machine: {
        host: os.hostname(),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '',
        memGiB: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        loadavg: os.loadavg().map((v) => round(v)),
      },
      build: builds.map((b) => ({ name: b.name, bytes: b.bytes, external: b.external })),
      uploadSize: uploadSizes(external),
      trips,
      protectedCall,
      callPath,
      coldStart: cold,
      race,
      scale,
    };
    const file = outFile(process.argv.slice(2), report.date);
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    }
    if (json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    log('');
    log(`first login:      ${trips.first.requests} database requests, ${trips.first.roundTrips} sequential round trips`);
    log(`first login on an empty database (creates the collections): ${trips.firstOnEmptyDatabase.roundTrips} round trips`);
    log(`returning login:  ${trips.returning.requests} database requests, ${trips.returning.roundTrips} sequential round trip(s)`);
    log(
      `exportMyData (下载我的信息): ${trips.exportMyData.requests} database requests, ${trips.exportMyData.roundTrips} sequential round trips`,
    );
    log(
      `prepareAvatarUpload (path recorded before an avatar upload): ${trips.prepareAvatarUpload.requests} database requests, ${trips.prepareAvatarUpload.roundTrips} sequential round trips`,
    );
    log(
      `first login with unionid: ${trips.firstWithUnionid.roundTrips} round trips; same person in a second app: ${trips.firstInSecondApp.roundTrips}`,
    );
    logRevalidation(trips.revalidation);
    logProtectedCall(protectedCall);
    for (const line of describeCallPath(callPath)) log(line);
    logColdStart(cold);
    log(
      `upload: bundled ${kib(report.uploadSize.bundledBytes)}; SDK external ${kib(report.uploadSize.sdkExternalBytes)} + ${kib(report.uploadSize.sdkExternalInstalledBytes - report.uploadSize.sdkExternalBytes)} installed in the cloud (${report.uploadSize.sdkPackages} packages)`,
    );
    log(`${RACERS} simultaneous first logins: baseline ${race.duplicateUsersBaseline} duplicate users, ours ${race.duplicateUsersOurs}`);
    log(
      `returning login at 1 user: p50 ${scale.small.p50Ms} ms; at ${scale.large.users.toLocaleString('en-US')} users: p50 ${scale.large.p50Ms} ms (ratio ${scale.p50Ratio}, target ≤ 1.5; seeded in ${Math.round(scale.large.seedMs)} ms; ${scale.unindexedScanWarnings.length} unindexed scans)`,
    );
    log(file ? `saved ${path.relative(projectRoot, file)}` : '(not saved: add -- --out [FILE] to keep the results)');
  } finally {
    await Promise.all([ours.close(), baseline.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
