/**
 * DevTools' own compiler (miniprogram-ci, offline, exactly as `npm run check:compile -- <project>`
 * runs it, in its own process) on both fixture projects after `npm run add`: what DevTools would
 * refuse to open or upload — a page in app.json without files, a syntax error, a component path
 * that does not resolve, bad JSON — and on a small project with a syntax error, which it must refuse. (It does not follow require(): add.test.ts checks that every
 * installed import resolves inside the project.)
 *
 * miniprogram-ci is ~280 MB and installed on first use outside the repository, never by a test:
 * without it this file is skipped with a message (`npm run check:compile` installs it). CI runs
 * check:compile before the tests and sets REQUIRE_MINIPROGRAM_CI=1, so there a missing compiler fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** `npm run check:compile -- <roots…>`, without npm's and tsx's own start-up, started from `cwd`. */
function compile(cwd: string, ...roots: string[]): Promise<{ code: number; output: string }> {
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
    execFile(process.execPath, [script, ...roots], { cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * A small DevTools project whose page script has a syntax error, with the JavaScript settings of
 * DevTools' templates (「将 JS 编译成 ES5」, 「增强编译」): DevTools refuses it (10045).
 */
function projectWithSyntaxError(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'syntax-error-project-'));
  const files: Record<string, string> = {
    'project.config.json': JSON.stringify({ appid: 'touristappid', compileType: 'miniprogram', setting: { es6: true, enhance: true } }),
    'app.json': JSON.stringify({ pages: ['pages/index/index'] }),
    'app.js': 'App({});\n',
    'pages/index/index.json': '{}',
    'pages/index/index.wxml': '<view>{{title}}</view>\n',
    'pages/index/index.js': "Page({ data: { title: '首页' } });\nconst unfinished = {;\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describeWithCompiler(installed ? "DevTools' compiler after npm run add" : `DevTools' compiler — SKIPPED: ${SKIP_NOTE}`, () => {
  /** The check's output for each project, in the order compiled: one compiler process for all three. */
  let outputs: string[] = [];
  let code: number | null = null;
  let broken = '';

  beforeAll(async () => {
    const js = copyFixture(JS_QUICKSTART);
    const ts = copyFixture(TS_TEMPLATE);
    broken = projectWithSyntaxError();
    // Every page once (JavaScript, the lighter compile); the TypeScript plugin on the default install.
    expect((await add(js, '--pages', 'login,profile')).code).toBe(0);
    expect((await add(ts)).code).toBe(0);
    // One process for all: loading the compiler costs about as much as a compile. Started from a
    // folder of its own, which must stay empty (miniprogram-ci makes its cache folder relative to it).
    const startedIn = mkdtempSync(path.join(os.tmpdir(), 'check-compile-cwd-'));
    try {
      const result = await compile(startedIn, js, ts, broken);
      code = result.code;
      // With several projects the check names each before its result.
      outputs = result.output.split(new RegExp(`^(?:${[js, ts, broken].map(escapeRegExp).join('|')})$`, 'm')).slice(1);
      expect(readdirSync(startedIn)).toEqual([]);
    } finally {
      rmSync(startedIn, { recursive: true, force: true });
    }
  }, 60_000);
  afterAll(() => rmSync(broken, { recursive: true, force: true }));

  it('compiles the JavaScript cloud quickstart and the TypeScript template with the login installed', () => {
    expect(outputs).toHaveLength(3);
    for (const output of outputs.slice(0, 2)) expect(output.match(/✓ 开发者工具编译通过/g)).toHaveLength(1);
  });

  it("refuses a page script with a syntax error, as DevTools does with the project's settings (10045), and exits 1", () => {
    expect(outputs[2]).toContain('✗ 微信开发者工具会拒绝这个项目');
    expect(outputs[2]).toContain('[10045]');
    expect(outputs[2]).toContain('pages/index/index.js');
    expect(code).toBe(1);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
