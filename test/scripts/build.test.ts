import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { esbuildOptions, LAZY_FOLDER, lazyPackageOptions, listFunctions, unbundledModulePlugin } from '../../scripts/build';

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
});
