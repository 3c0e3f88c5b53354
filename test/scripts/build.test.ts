import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { esbuildOptions, listFunctions, unbundledModulePlugin } from '../../scripts/build';

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
});
