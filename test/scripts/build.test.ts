import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildFunctions,
  DEFERRED_PACKAGES,
  esbuildOptions,
  LAZY_FOLDER,
  lazyPackageOptions,
  listFunctions,
  type RebuildReport,
  unbundledModulePlugin,
  watchFunctions,
} from '../../scripts/build';

describe('build', () => {
  it('finds every cloud function with TypeScript sources', () => {
    expect(listFunctions()).toContain('login');
  });

  it('bundles a function as CommonJS for node16, wx-server-sdk included unless its package.json lists it', () => {
    const options = esbuildOptions(path.resolve('cloudfunctions/login'));
    expect(options).toMatchObject({ format: 'cjs', platform: 'node', target: 'node16', bundle: true });
    expect(options.external).not.toContain('wx-server-sdk');
  });

  it('given an unbundled package, requiring it succeeds and using it fails naming the package', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'unbundled-'));
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const axios = require('axios'); exports.loaded = typeof axios; exports.use = () => axios.get('x');`,
    );
    const result = await build({
      entryPoints: [path.join(dir, 'entry.js')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      plugins: [unbundledModulePlugin],
    });
    const mod: { exports: { loaded?: string; use?: () => unknown } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles[0]?.text ?? '')(mod, mod.exports, require);

    expect(mod.exports.loaded).toBe('function');
    expect(() => mod.exports.use?.()).toThrow(/axios is not bundled into this cloud function/);
  });

  it('given a lazy package, the bundle loads its own file beside index.js only at first use', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lazy-'));
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const xml2js = require('xml2js'); exports.parse = (text, done) => xml2js.parseString(text, done);`,
    );
    const result = await build({
      entryPoints: [path.join(dir, 'entry.js')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      plugins: [unbundledModulePlugin],
    });
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toContain('xmlbuilder');
    await build(lazyPackageOptions(dir, 'xml2js'));
    writeFileSync(path.join(dir, 'index.js'), text);

    // NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `cache`.
    const lazyFiles = () =>
      Object.keys((require as unknown as NodeJS.Require).cache).filter((file) => file.startsWith(path.join(dir, LAZY_FOLDER)));
    const mod = (require as unknown as NodeJS.Require)(path.join(dir, 'index.js')) as {
      parse: (text: string, done: (error: unknown, value: unknown) => void) => void;
    };
    expect(lazyFiles()).toEqual([]);
    const parsed = await new Promise((resolve, reject) =>
      mod.parse('<a><b>1</b></a>', (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(parsed).toEqual({ a: { b: ['1'] } });
    expect(lazyFiles()).toEqual([path.join(dir, LAZY_FOLDER, 'xml2js.js')]);
  });

  it('given a deferred package, its module body runs only when it is first used, and then works', async () => {
    expect(DEFERRED_PACKAGES).toContain('form-data');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deferred-'));
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const FormData = require('form-data');
const agents = require('https-proxy-agent');
exports.form = () => { const form = new FormData(); form.append('key', 'value'); return form.getHeaders()['content-type']; };
exports.isAgent = (value) => value instanceof agents.HttpsProxyAgent;`,
    );
    const result = await build({
      entryPoints: [path.join(dir, 'entry.js')],
      absWorkingDir: path.resolve('.'),
      nodePaths: [path.resolve('node_modules')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      plugins: [unbundledModulePlugin],
    });
    // Which Node built-ins the bundle asks for, and when: form-data needs fs, the agent needs
    // assert. Used as the SDK uses them (a property read at call time, not destructured at load).
    const required: string[] = [];
    const recordingRequire = (name: string) => {
      required.push(name);
      return require(name);
    };
    const mod: { exports: { form?: () => string; isAgent?: (value: unknown) => boolean } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles[0]?.text ?? '')(mod, mod.exports, recordingRequire);

    expect(required).not.toContain('fs');
    expect(required).not.toContain('assert');
    expect(mod.exports.form?.()).toMatch(/^multipart\/form-data; boundary=/);
    expect(required).toContain('fs');
    expect(required).not.toContain('assert');
    expect(mod.exports.isAgent?.({})).toBe(false);
    expect(required).toContain('assert');
  });

  it('given https and the keep-alive agent for https URLs, neither loads https (nor tls) before an https URL is used', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deferred-https-'));
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const https = require('https');
const agents = require('agentkeepalive');
exports.httpAgent = () => new agents({ keepAlive: true });
exports.httpsAgent = () => new agents.HttpsAgent({ keepAlive: true });
exports.globalAgent = () => https.globalAgent;`,
    );
    const result = await build({
      entryPoints: [path.join(dir, 'entry.js')],
      absWorkingDir: path.resolve('.'),
      nodePaths: [path.resolve('node_modules')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      plugins: [unbundledModulePlugin],
    });
    const required: string[] = [];
    const recordingRequire = (name: string) => {
      required.push(name);
      return require(name);
    };
    type Agent = { protocol?: string; constructor: { name: string } };
    const mod: { exports: { httpAgent?: () => Agent; httpsAgent?: () => Agent; globalAgent?: () => unknown } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles[0]?.text ?? '')(mod, mod.exports, recordingRequire);

    expect(required).toContain('http');
    expect(mod.exports.httpAgent?.().constructor.name).toBe('Agent');
    expect(required).not.toContain('https');
    const agent = mod.exports.httpsAgent?.();
    expect(agent?.constructor.name).toBe('HttpsAgent');
    expect(agent?.protocol).toBe('https:');
    expect(required).toContain('https');
    expect(mod.exports.globalAgent?.()).toBe(require('node:https').globalAgent);
  });

  it('given a watched function, a failed rebuild keeps the last good build and the next good one replaces it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'watch-'));
    const source = path.join(root, 'hello', 'src', 'index.ts');
    mkdirSync(path.dirname(source), { recursive: true });
    writeFileSync(path.join(root, 'hello', 'package.json'), '{"name":"hello","dependencies":{}}');
    writeFileSync(source, `export const main = async () => 'first';\n`);
    await buildFunctions(root); // as npm start does before it watches
    const reports: RebuildReport[] = [];
    let notify = () => {};
    const nextReport = () => new Promise<void>((resolve) => (notify = resolve));
    const stop = await watchFunctions((report) => {
      reports.push(report);
      notify();
    }, root);
    try {
      const built = path.join(root, 'hello', 'index.js');
      expect(readFileSync(built, 'utf8')).toContain('first');

      let reported = nextReport();
      writeFileSync(source, `export const main = async () => {;\n`);
      await reported;
      expect(reports.at(-1)).toMatchObject({ name: 'hello', ok: false });
      expect(readFileSync(built, 'utf8')).toContain('first');

      reported = nextReport();
      writeFileSync(source, `export const main = async () => 'second';\n`);
      await reported;
      expect(reports.at(-1)).toMatchObject({ name: 'hello', ok: true });
      expect(readFileSync(built, 'utf8')).toContain('second');
    } finally {
      await stop();
    }
  });
});
