/**
 * The function runtime: instances (worker threads) that run built functions one invocation at a
 * time, reused warm, replaced after a failure, each with its own WeChat identity.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFunctionRuntime, type FunctionRuntime } from '../../src/functions/runtime';
import { createEmulator, type Emulator } from '../../src/server';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functions');
const quiet = (): void => undefined;

interface EchoResult {
  event: Record<string, unknown>;
  wxContext: Record<string, unknown>;
  wxContextAfterWait: Record<string, unknown>;
  context: Record<string, unknown>;
  served: number;
  threadId: number;
}

function identity(openid: string) {
  return { invocationId: `inv-${openid}`, caller: { openid, appid: 'wx-test' }, env: 'test-env' };
}

describe('function runtime with the real wx-server-sdk', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: quiet });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('given simultaneous calls from different people, each instance sees only its own caller, before and after awaiting', async () => {
    // Two at once are what a leak between instances needs; each instance of this fixture loads the
    // whole unbundled wx-server-sdk (~0.5 s of CPU), and more pairs would only show the same again.
    const people = ['o-a', 'o-b'];
    const invocations = await Promise.all(
      people.map((openid, index) =>
        emulator.callFunction('echo', { waitMs: 150, index }, { openid, appid: `wx-${openid}`, unionid: `u-${openid}` }),
      ),
    );

    invocations.forEach((invocation, index) => {
      const result = invocation.result as EchoResult;
      const openid = people[index];
      expect(result.wxContext).toMatchObject({
        OPENID: openid,
        APPID: `wx-${openid}`,
        UNIONID: `u-${openid}`,
        SOURCE: 'wx_client',
        ENV: 'local-dev',
      });
      expect(result.wxContextAfterWait).toEqual(result.wxContext);
      expect(result.event).toEqual({ waitMs: 150, index, userInfo: { appId: `wx-${openid}`, openId: openid } });
      expect(result.context).toMatchObject({
        request_id: invocation.invocationId,
        function_name: 'echo',
        memory_limit_in_mb: 256,
        time_limit_in_ms: 3000,
      });
    });
    expect(new Set(invocations.map((invocation) => (invocation.result as EchoResult).threadId)).size).toBe(people.length);
  });

  it('given calls one after another, reuses a warm instance and forgets the previous caller', async () => {
    const first = (await emulator.callFunction('echo', {}, { openid: 'o-warm', unionid: 'u-warm' })).result as EchoResult;
    const second = (await emulator.callFunction('echo', {}, { openid: 'o-next' })).result as EchoResult;

    expect(second.threadId).toBe(first.threadId);
    expect(second.served).toBe(first.served + 1);
    expect(second.wxContext['OPENID']).toBe('o-next');
    expect(second.wxContext).not.toHaveProperty('UNIONID');
    expect(emulator.functions.stats('echo').instances).toBeGreaterThanOrEqual(1);
  });
});

describe('function runtime failures', () => {
  let root: string;
  let runtime: FunctionRuntime;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'runtime-test-'));
    runtime = createFunctionRuntime({ functionsRoot: FIXTURES, baseEnv: () => ({}), timeoutMs: 400, onOutput: quiet });
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('given main throws, reports the error, replaces the instance and keeps serving', async () => {
    const failed = await runtime.invoke('faulty', { mode: 'throw' }, identity('o1'));
    const next = await runtime.invoke('faulty', { mode: 'fine' }, identity('o1'));

    expect(failed).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'throw', message: 'Error: boom' }),
      instance: expect.any(Number),
      runMs: expect.any(Number),
    });
    expect(next).toEqual({
      ok: true,
      json: JSON.stringify({ ok: true, mode: 'fine' }),
      instance: expect.any(Number),
      runMs: expect.any(Number),
    });
    expect(next.instance).not.toBe(failed.instance);
  });

  it.each([
    ['process.exit', 'exit', /exited with code 3/],
    ['an uncaught exception', 'uncaught', /late boom/],
  ])('given an instance that dies through %s, reports a crash and the next call gets a fresh instance', async (_how, mode, message) => {
    const before = runtime.stats('faulty').coldStarts;
    const crashed = await runtime.invoke('faulty', { mode }, identity('o1'));
    const next = await runtime.invoke('faulty', {}, identity('o1'));

    expect(crashed.ok).toBe(false);
    expect(!crashed.ok && crashed.error.kind).toBe('crash');
    expect(!crashed.ok && crashed.error.message).toMatch(message);
    expect(next.ok).toBe(true);
    expect(runtime.stats('faulty').coldStarts).toBe(before + 1);
  });

  it.each([
    ['never settles', 'hang'],
    ['loops forever', 'busy'],
  ])('given main that %s, times out, kills the instance and keeps serving', async (_how, mode) => {
    const started = Date.now();
    const timedOut = await runtime.invoke('faulty', { mode }, identity('o1'));

    expect(timedOut).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'Invoking task timed out after 0.4 seconds' },
      instance: expect.any(Number),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect((await runtime.invoke('faulty', {}, identity('o1'))).ok).toBe(true);
  });

  it('given a function that throws while loading, reports a load error', async () => {
    const outcome = await runtime.invoke('load-error', {}, identity('o1'));

    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'load', message: 'Error: cannot load this function' }),
      instance: null,
    });
  });

  it('given a missing function or a name that is not a function name, reports not found without starting anything', async () => {
    for (const name of ['missing', '../fixtures/functions/echo', '']) {
      const outcome = await runtime.invoke(name, {}, identity('o1'));
      expect(!outcome.ok && outcome.error.kind).toBe('not-found');
    }
    expect(runtime.stats('missing').coldStarts).toBe(0);
  });

  it('given the functions folder, lists the functions that have a built index.js', () => {
    expect(runtime.list()).toEqual(expect.arrayContaining(['echo', 'faulty', 'load-error']));
  });
});

describe('function runtime configuration', () => {
  let root: string;
  let functionsRoot: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'runtime-config-'));
    functionsRoot = path.join(root, 'cloudfunctions');
    mkdirSync(path.join(functionsRoot, 'env-reader'), { recursive: true });
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function writeFunction(body: string, mtimeSeconds: number): void {
    const file = path.join(functionsRoot, 'env-reader', 'index.js');
    writeFileSync(file, body);
    utimesSync(file, mtimeSeconds, mtimeSeconds);
  }

  it('given cloudbaserc.json variables and timeout, the instance sees them', async () => {
    writeFileSync(
      path.join(root, 'cloudbaserc.json'),
      JSON.stringify({ functions: [{ name: 'env-reader', timeout: 7, envVariables: { GREETING: '你好' } }] }),
    );
    writeFunction(
      'exports.main = async (event, context) => ({ greeting: process.env.GREETING, limit: context.time_limit_in_ms, base: process.env.BASE });',
      1_000,
    );
    const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({ BASE: 'yes' }), onOutput: quiet });
    try {
      const outcome = await runtime.invoke('env-reader', {}, identity('o1'));
      expect(outcome).toEqual({
        ok: true,
        json: JSON.stringify({ greeting: '你好', limit: 7000, base: 'yes' }),
        instance: expect.any(Number),
        runMs: expect.any(Number),
      });
    } finally {
      await runtime.close();
    }
  });

  it('given the built file changes, the next call loads the new code', async () => {
    writeFunction('exports.main = async () => "v1";', 1_000);
    const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), onOutput: quiet });
    try {
      expect(await runtime.invoke('env-reader', {}, identity('o1'))).toEqual({
        ok: true,
        json: '"v1"',
        instance: expect.any(Number),
        runMs: expect.any(Number),
      });
      writeFunction('exports.main = async () => "v2";', 2_000);
      expect(await runtime.invoke('env-reader', {}, identity('o1'))).toEqual({
        ok: true,
        json: '"v2"',
        instance: expect.any(Number),
        runMs: expect.any(Number),
      });
    } finally {
      await runtime.close();
    }
  });

  it('given maxInstances 1, a second simultaneous call waits for the one instance', async () => {
    writeFunction(
      'let served = 0; exports.main = async () => { served += 1; await new Promise((r) => setTimeout(r, 100)); return served; };',
      1_000,
    );
    const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), maxInstances: 1, onOutput: quiet });
    try {
      const outcomes = await Promise.all([1, 2, 3].map(() => runtime.invoke('env-reader', {}, identity('o1'))));
      expect(outcomes.map((outcome) => outcome.ok && outcome.json).sort()).toEqual(['1', '2', '3']);
      expect(runtime.stats('env-reader')).toMatchObject({ instances: 1, idle: 1, coldStarts: 1 });
    } finally {
      await runtime.close();
    }
  });

  it.each([true, false])(
    'given simultaneous cold starts with codeCache %s, every instance loads the function once and works',
    async (codeCache) => {
      writeFunction(
        'const { threadId } = require("node:worker_threads"); const loads = (globalThis.loads = (globalThis.loads || 0) + 1);\n' +
          'exports.main = async () => { await new Promise((r) => setTimeout(r, 50)); return { threadId, loads, file: __filename, dir: __dirname, self: require.cache[__filename] === module }; };',
        1_000,
      );
      const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), codeCache, onOutput: quiet });
      try {
        const outcomes = await Promise.all([1, 2, 3, 4].map(() => runtime.invoke('env-reader', {}, identity('o1'))));
        const results = outcomes.map((outcome) =>
          outcome.ok ? (JSON.parse(outcome.json) as Record<string, unknown>) : { error: outcome.error },
        );
        const file = path.join(functionsRoot, 'env-reader', 'index.js');

        expect(new Set(results.map((result) => result['threadId'])).size).toBe(4);
        for (const result of results) expect(result).toMatchObject({ loads: 1, file, dir: path.dirname(file), self: true });
        expect(runtime.stats('env-reader').codeCached).toBe(codeCache);
      } finally {
        await runtime.close();
      }
    },
  );

  it('given the code cache an earlier runtime left on disk, a new runtime starts from it, and never for other text of the same length', async () => {
    const codeCacheDir = path.join(root, 'code-cache');
    const run = async (): Promise<unknown> => {
      const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), codeCacheDir, onOutput: quiet });
      try {
        const outcome = await runtime.invoke('env-reader', {}, identity('o1'));
        return outcome.ok ? JSON.parse(outcome.json) : outcome.error;
      } finally {
        await runtime.close();
      }
    };
    const entries = (): string[] => readdirSync(codeCacheDir).sort();

    writeFunction('exports.main = async () => ({ answer: "first" });', 1_000);
    expect(await run()).toEqual({ answer: 'first' });
    const [entry] = entries();
    expect(entries()).toEqual([expect.stringMatching(/^[0-9a-f]{64}-v\d+\.\d+\.\d+-\w+\.v8$/)]);
    const written = readFileSync(path.join(codeCacheDir, entry ?? ''));

    // A second runtime (a new emulator run) reads the entry and leaves it as it was.
    expect(await run()).toEqual({ answer: 'first' });
    expect(entries()).toEqual([entry]);
    expect(readFileSync(path.join(codeCacheDir, entry ?? ''))).toEqual(written);

    // V8 checks a cache against the source's length only: the same length with other text runs the new text.
    writeFunction('exports.main = async () => ({ answer: "other" });', 2_000);
    expect(await run()).toEqual({ answer: 'other' });
    expect(entries()).toHaveLength(2);

    // An entry V8 refuses (here: not a cache at all) is compiled past and replaced.
    writeFileSync(path.join(codeCacheDir, entry ?? ''), 'not a code cache');
    writeFunction('exports.main = async () => ({ answer: "first" });', 3_000);
    expect(await run()).toEqual({ answer: 'first' });
    expect(readFileSync(path.join(codeCacheDir, entry ?? ''), 'utf8')).not.toBe('not a code cache');
  });

  it('given a first call that runs a function compiled on first use, leaves a code cache that holds it too', async () => {
    // V8 compiles `sum` when it first runs: only when the first event asks for it.
    const body = Array.from({ length: 200 }, (_, index) => `total += ${index} * input;`).join(' ');
    writeFunction(
      `function sum(input) { let total = 0; ${body} return total; }\nexports.main = async (event) => (event.run ? sum(1) : 0);`,
      1_000,
    );
    const entryAfter = async (event: Record<string, unknown>): Promise<number> => {
      const codeCacheDir = mkdtempSync(path.join(root, 'code-cache-'));
      const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), codeCacheDir, onOutput: quiet });
      try {
        expect(await runtime.invoke('env-reader', event, identity('o1'))).toMatchObject({ ok: true });
      } finally {
        await runtime.close();
      }
      const entries = readdirSync(codeCacheDir);
      expect(entries).toEqual([expect.stringMatching(/\.v8$/)]);
      return statSync(path.join(codeCacheDir, entries[0] ?? '')).size;
    };

    expect(await entryAfter({ run: true })).toBeGreaterThan(await entryAfter({ run: false }));
  });

  it('given the same text in two projects, each started from the disk cache names its own file in a stack trace', async () => {
    // V8 keeps the file name a cached script was compiled under, so a cache shared by path-blind
    // content would point one project's traces (and their source maps) at the other's file.
    const codeCacheDir = path.join(root, 'code-cache');
    const source = 'exports.main = async () => { throw new Error("boom"); };';
    const stackOf = async (projectRoot: string): Promise<string> => {
      const runtime = createFunctionRuntime({ functionsRoot: projectRoot, baseEnv: () => ({}), codeCacheDir, onOutput: quiet });
      try {
        const outcome = await runtime.invoke('env-reader', {}, identity('o1'));
        return outcome.ok ? '' : (outcome.error.stack ?? '');
      } finally {
        await runtime.close();
      }
    };
    writeFunction(source, 1_000);
    const other = path.join(root, 'other-project');
    mkdirSync(path.join(other, 'env-reader'), { recursive: true });
    writeFileSync(path.join(other, 'env-reader', 'index.js'), source);

    // Twice each: the second run of each starts from the entry the first one wrote.
    for (const projectRoot of [functionsRoot, other, functionsRoot, other]) {
      const stack = await stackOf(projectRoot);
      expect(stack).toContain(`${path.join(projectRoot, 'env-reader', 'index.js')}:1:`);
    }
    expect(readdirSync(codeCacheDir)).toHaveLength(2);
  });

  it('given a handler written with a callback or returning undefined, answers like SCF', async () => {
    writeFunction(
      'exports.main = (event, context, callback) => { if (event.empty) callback(null); else callback(null, { viaCallback: true }); };',
      1_000,
    );
    const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), onOutput: quiet });
    try {
      expect(await runtime.invoke('env-reader', {}, identity('o1'))).toEqual({
        ok: true,
        json: '{"viaCallback":true}',
        instance: expect.any(Number),
        runMs: expect.any(Number),
      });
      expect(await runtime.invoke('env-reader', { empty: true }, identity('o1'))).toEqual({
        ok: true,
        json: 'null',
        instance: expect.any(Number),
        runMs: expect.any(Number),
      });
    } finally {
      await runtime.close();
    }
  });
});
