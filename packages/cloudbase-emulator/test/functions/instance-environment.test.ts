/**
 * A function instance's process.env (instance-host.js keeps a fast mirror of Node's own): whatever a
 * function does with it, it sees what it would see in a plain Node worker thread — the same probe
 * runs in both and reports the same things.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createFunctionRuntime } from '../../src/functions/runtime';

/**
 * Every operation on process.env a function might do, with what each answered or threw. Keys are
 * sorted: Node's own process.env lists them in no defined order. Variables of the probe are P_*.
 */
const PROBE = `
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');

async function probe(envFile) {
  const log = [];
  const e = process.env;
  const mine = (object) => Object.keys(object).filter((key) => key.startsWith('P_')).sort();
  const attempt = (name, action) => {
    try {
      log.push([name, action()]);
    } catch (error) {
      log.push([name, 'throws', error.name, error.code ?? null, error.message]);
    }
  };
  attempt('read', () => [e.P_GIVEN, e.P_MISSING, 'P_GIVEN' in e, 'P_MISSING' in e, Object.hasOwn(e, 'P_GIVEN'), e.hasOwnProperty('P_GIVEN')]);
  attempt('set a number', () => { e.P_NUMBER = 1; return [e.P_NUMBER, typeof e.P_NUMBER]; });
  attempt('set undefined, null, true', () => { e.P_UNDEFINED = undefined; e.P_NULL = null; e.P_TRUE = true; return [e.P_UNDEFINED, e.P_NULL, e.P_TRUE]; });
  attempt('set an object', () => { e.P_OBJECT = { toString: () => 'custom' }; return e.P_OBJECT; });
  attempt('set a symbol value', () => { e.P_SYMBOL = Symbol('x'); return e.P_SYMBOL; });
  attempt('set a symbol key', () => { e[Symbol('key')] = 'v'; return Object.getOwnPropertySymbols(e).length; });
  attempt('Reflect.set', () => [Reflect.set(e, 'P_REFLECT', 2), e.P_REFLECT]);
  attempt('assign', () => { Object.assign(e, { P_ASSIGNED: 3 }); return e.P_ASSIGNED; });
  attempt('overwrite', () => { e.P_GIVEN = 'changed'; const changed = e.P_GIVEN; e.P_GIVEN = 'given'; return changed; });
  attempt('define a plain data property', () => {
    Object.defineProperty(e, 'P_DEFINED', { value: 4, writable: true, enumerable: true, configurable: true });
    return [e.P_DEFINED, typeof e.P_DEFINED];
  });
  attempt('define a read-only property', () => Object.defineProperty(e, 'P_READONLY', { value: 5 }) === e);
  attempt('define an accessor', () => Object.defineProperty(e, 'P_GETTER', { get: () => 'x', enumerable: true, configurable: true }) === e);
  attempt('after refused definitions', () => ['P_READONLY' in e, 'P_GETTER' in e]);
  attempt('descriptor', () => [Object.getOwnPropertyDescriptor(e, 'P_NUMBER'), Object.getOwnPropertyDescriptor(e, 'P_MISSING')]);
  attempt('delete', () => [delete e.P_NUMBER, delete e.P_NEVER, 'P_NUMBER' in e, e.P_NUMBER, Reflect.deleteProperty(e, 'P_REFLECT')]);
  attempt('a variable named __proto__', () => {
    e['__proto__'] = 'p';
    return [Object.hasOwn(e, '__proto__'), e['__proto__'], typeof e.hasOwnProperty];
  });
  attempt('delete __proto__', () => [delete e['__proto__'], Object.hasOwn(e, '__proto__')]);
  attempt('an integer name', () => { e[7] = 7; return [e[7], e['7'], Object.keys(e).includes('7')]; });
  attempt('prototype', () => [
    Object.getPrototypeOf(Object.getPrototypeOf(e)) === Object.prototype,
    Object.getOwnPropertyNames(Object.getPrototypeOf(e)),
    Object.prototype.toString.call(e),
    String(e),
    e instanceof Object,
  ]);
  attempt('setting on an object that inherits from it', () => {
    const child = Object.create(e);
    child.P_CHILD = 'c';
    return [e.P_CHILD, Object.keys(child), child.P_GIVEN];
  });
  attempt('keys', () => mine(e));
  attempt('own keys', () => Reflect.ownKeys(e).filter((key) => typeof key === 'string' && key.startsWith('P_')).sort());
  attempt('for in', () => { const keys = []; for (const key in e) keys.push(key); return mine(Object.fromEntries(keys.map((key) => [key, 1]))); });
  attempt('JSON', () => { const copy = JSON.parse(JSON.stringify(e)); return mine(copy).map((key) => [key, copy[key]]); });
  attempt('spread', () => { const copy = { ...e }; return mine(copy).map((key) => [key, copy[key]]); });
  attempt('entries', () => Object.entries(e).filter(([key]) => key.startsWith('P_')).sort());
  attempt('extensible', () => [Object.isExtensible(e), Object.isFrozen(e), Object.isSealed(e)]);
  attempt('prevent extensions', () => Object.preventExtensions(e) === e);
  // Node's own answers "Cannot freeze" / "Cannot seal"; the mirror refuses the same way, its
  // message names the first step (preventing extensions).
  for (const [name, action] of [['freeze', Object.freeze], ['seal', Object.seal]]) {
    try {
      action(e);
      log.push([name, 'done']);
    } catch (error) {
      log.push([name, 'throws', error.name]);
    }
  }
  attempt('still writable', () => { e.P_LATE = 'late'; return e.P_LATE; });
  attempt('a child process inherits it', () => {
    e.P_FOR_CHILD = 'child';
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify([process.env.P_GIVEN, process.env.P_FOR_CHILD, process.env.P_NUMBER]))'], { encoding: 'utf8' });
    return JSON.parse(child.stdout);
  });
  attempt('a child process with an environment built from it', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify([process.env.P_GIVEN, process.env.P_EXTRA]))'], { encoding: 'utf8', env: { ...e, P_EXTRA: 'extra' } });
    return JSON.parse(child.stdout);
  });
  log.push(['a nested worker inherits it', await new Promise((resolve, reject) => {
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage([process.env.P_GIVEN, process.env.P_FOR_CHILD, process.env.P_DEFINED])', { eval: true });
    worker.once('message', resolve);
    worker.once('error', reject);
  })]);
  attempt('loadEnvFile', () => {
    if (typeof process.loadEnvFile !== 'function') return 'absent';
    process.loadEnvFile(envFile);
    return [e.P_FROM_FILE, 'P_FROM_FILE' in e, mine(e).includes('P_FROM_FILE')];
  });
  attempt('replaced', () => { const saved = process.env; process.env = { P_ONLY: 'only' }; const seen = [process.env.P_ONLY, process.env.P_GIVEN]; process.env = saved; return [seen, process.env.P_GIVEN]; });
  return log;
}
`;

describe('process.env in a function instance', () => {
  let root: string;
  let envFile: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'instance-env-'));
    mkdirSync(path.join(root, 'cloudfunctions', 'env-probe'), { recursive: true });
    writeFileSync(
      path.join(root, 'cloudfunctions', 'env-probe', 'index.js'),
      `${PROBE}\nexports.main = async (event) => probe(event.envFile);\n`,
    );
    envFile = path.join(root, 'probe.env');
    writeFileSync(envFile, 'P_FROM_FILE=from-file\n');
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function inPlainWorker(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(
        `${PROBE}\nconst { parentPort, workerData } = require('node:worker_threads'); probe(workerData).then((log) => parentPort.postMessage(log), (error) => parentPort.postMessage(String(error)));`,
        { eval: true, env: { P_GIVEN: 'given' }, workerData: envFile },
      );
      worker.once('message', (log) => {
        resolve(log);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
  }

  it('given every way a function reads, writes, defines, deletes and hands on its variables, then it sees what a plain Node worker sees', async () => {
    const runtime = createFunctionRuntime({
      functionsRoot: path.join(root, 'cloudfunctions'),
      baseEnv: () => ({ P_GIVEN: 'given' }),
      onOutput: () => undefined,
    });
    try {
      const outcome = await runtime.invoke(
        'env-probe',
        { envFile },
        { invocationId: 'inv-1', caller: { openid: 'o1', appid: 'wx-test' }, env: 'test-env' },
      );
      if (!outcome.ok) throw new Error(outcome.error.message);
      const expected = JSON.parse(JSON.stringify(await inPlainWorker())) as unknown;

      expect(JSON.parse(outcome.json)).toEqual(expected);
    } finally {
      await runtime.close();
    }
  });

  it("given a variable a function set during one invocation, then the next invocation still sees it, while the caller's identity is replaced", async () => {
    writeFileSync(
      path.join(root, 'cloudfunctions', 'env-probe', 'index.js'),
      `exports.main = async (event) => { const seen = [process.env.P_KEPT, process.env.WX_OPENID]; if (event.set) process.env.P_KEPT = 42; return seen; };\n`,
    );
    const runtime = createFunctionRuntime({
      functionsRoot: path.join(root, 'cloudfunctions'),
      baseEnv: () => ({}),
      onOutput: () => undefined,
    });
    try {
      const identity = (openid: string) => ({ invocationId: `inv-${openid}`, caller: { openid, appid: 'wx-test' }, env: 'test-env' });
      const first = await runtime.invoke('env-probe', { set: true }, identity('o-first'));
      const second = await runtime.invoke('env-probe', {}, identity('o-second'));

      expect(first.ok && JSON.parse(first.json)).toEqual([null, 'o-first']);
      expect(second.ok && JSON.parse(second.json)).toEqual(['42', 'o-second']);
      expect(second.instance).toBe(first.instance);
    } finally {
      await runtime.close();
    }
  });
});
