import { buildSync } from 'esbuild';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eagerModuleBodies, inputsRunAtLoad } from '../../../scripts/lib/eager-modules';
import { scratchFolder } from '../../support/scratch-folders';

/** esbuild's readable CommonJS bundle of `files['entry.js']` and the modules it requires. */
function readableBundle(files: Record<string, string>): string {
  const dir = scratchFolder('eager-modules');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const result = buildSync({
    entryPoints: [path.join(dir, 'entry.js')],
    absWorkingDir: dir,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

function run(bundle: string): Record<string, unknown> {
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  new Function('module', 'exports', 'require', bundle)(mod, mod.exports, require);
  return mod.exports;
}

const FILES = {
  'entry.js': `const counter = require('./counter.js');
exports.first = counter.next();
exports.self = counter.self;
exports.later = () => require('./rare.js').twice(counter.next());`,
  'counter.js': `"use strict";
let count = 0;
exports.next = function () { return ++count; };
exports.self = typeof this;`,
  'rare.js': 'module.exports.twice = (n) => String(n).repeat(2);',
};

describe('eagerModuleBodies', () => {
  it('given modules that run at load and one that does not, only the first are put in parentheses, and the bundle behaves the same', () => {
    const bundle = readableBundle(FILES);

    const eager = eagerModuleBodies(bundle, (key) => key === 'counter.js');

    expect(eager?.eager).toBe(1);
    const text = eager?.bundle ?? '';
    expect(text).toMatch(/= __commonJS\(\n {2}\(function\(exports2\) \{\n {4}"use strict";\n {4}var count = 0;/);
    expect(text).toMatch(/= __commonJS\(\n {2}function\(exports2, module2\) \{\n {4}module2\.exports\.twice/);
    expect(text.split('\n')).toHaveLength(bundle.split('\n').length);
    const results = (exported: Record<string, unknown>) => ({ ...exported, later: (exported.later as () => string)() });
    expect(results(run(text))).toEqual(results(run(bundle)));
    expect(results(run(text))).toEqual({ first: 1, self: 'object', later: '22' });
  });

  it('given a bundle without CommonJS modules, then it is returned as it is', () => {
    const bundle = readableBundle({ 'entry.js': 'export const main = () => 1;' });

    expect(eagerModuleBodies(bundle, () => true)).toEqual({ bundle, eager: 0 });
  });

  it('given another layout of the helper or of a module, then null', () => {
    const bundle = readableBundle(FILES);

    expect(eagerModuleBodies(bundle.replace('(0, cb[__getOwnPropNames(cb)[0]])', 'cb.call(null)'), () => true)).toBeNull();
    expect(eagerModuleBodies(bundle.replace(/\n {2}\}\n\}\);/, '\n  }});'), () => true)).toBeNull();
  });
});

describe('inputsRunAtLoad', () => {
  it('given a stand-in whose module loads on first use, then what only that module imports is not run at load', () => {
    const inputs = {
      'src/index.ts': { imports: [{ path: 'a.js' }, { path: 'deferred:b.js' }, { path: 'node:http', external: true }] },
      'a.js': { imports: [{ path: 'shared.js' }] },
      'deferred:b.js': { imports: [{ path: 'b.js' }] },
      'b.js': { imports: [{ path: 'shared.js' }, { path: 'only-b.js' }] },
      'shared.js': { imports: [] },
      'only-b.js': { imports: [] },
    };

    const atLoad = inputsRunAtLoad(inputs, 'src/index.ts', (input) => input.startsWith('deferred:'));

    expect([...atLoad].sort()).toEqual(['a.js', 'deferred:b.js', 'shared.js', 'src/index.ts']);
  });
});
