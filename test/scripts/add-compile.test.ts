/**
 * DevTools' own compiler (miniprogram-ci, offline, exactly as `npm run check:compile -- <project>`
 * runs it, in its own process) on both fixture projects after `npm run add`: what DevTools would
 * refuse to open or upload — a page in app.json without files, a syntax error, a component path
 * that does not resolve, bad JSON. (It does not follow require(): add.test.ts checks that every
 * installed import resolves inside the project.)
 *
 * miniprogram-ci is ~280 MB and installed on first use outside the repository, never by a test:
 * without it this file is skipped with a message (`npm run check:compile` installs it). CI runs
 * check:compile before the tests and sets REQUIRE_MINIPROGRAM_CI=1, so there a missing compiler fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { miniprogramCiDir } from '../../scripts/compile-check';
import { add, copyFixture, JS_QUICKSTART, KIT_ROOT, removeFixtureCopies, TS_TEMPLATE } from './support/fixture-projects';

const installed = existsSync(path.join(miniprogramCiDir(process.env), 'node_modules', 'miniprogram-ci', 'package.json'));
if (!installed && process.env['REQUIRE_MINIPROGRAM_CI'] === '1') {
  throw new Error('REQUIRE_MINIPROGRAM_CI=1 but miniprogram-ci is not installed: run npm run check:compile first');
}
const SKIP_NOTE = 'miniprogram-ci not installed — DevTools compile of the fixtures skipped (npm run check:compile installs it)';
if (!installed) console.warn(`[add-compile] ${SKIP_NOTE}`);
const describeWithCompiler = installed ? describe : describe.skip;

afterAll(removeFixtureCopies);

/**
 * scripts/compile-check.ts as one CommonJS file for plain `node`: the same CLI (its own `main`,
 * arguments and exit code) without tsx, whose hooks would otherwise sit on each of the compiler's
 * thousands of module loads in the checking process (about 2 s of CPU). It imports only Node's
 * built-ins, so the bundle is that one file.
 */
const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'compile-check-'));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

/** `npm run check:compile -- <roots…>`, without npm's and tsx's own start-up. */
function compile(...roots: string[]): Promise<{ code: number; output: string }> {
  const script = path.join(bundleDir, 'compile-check.js');
  buildSync({
    entryPoints: [path.join(KIT_ROOT, 'scripts', 'compile-check.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
  return new Promise((resolve) => {
    // In the bundle's folder: miniprogram-ci leaves empty folders named by a hash in its working directory.
    execFile(process.execPath, [script, ...roots], { cwd: bundleDir }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describeWithCompiler(installed ? "DevTools' compiler after npm run add" : `DevTools' compiler — SKIPPED: ${SKIP_NOTE}`, () => {
  it('compiles the JavaScript cloud quickstart and the TypeScript template with the login installed', async () => {
    const js = copyFixture(JS_QUICKSTART);
    const ts = copyFixture(TS_TEMPLATE);
    // Every page once (JavaScript, the lighter compile); the TypeScript plugin on the default install.
    expect((await add(js, '--pages', 'login,profile')).code).toBe(0);
    expect((await add(ts)).code).toBe(0);
    // One process for both: loading the compiler costs about as much as a compile.
    const result = await compile(js, ts);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output.match(/✓ 开发者工具编译通过/g)).toHaveLength(2);
  }, 60_000);
});
