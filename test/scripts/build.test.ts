import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { scratchFolder } from '../support/scratch-folders';
import {
  buildFunctions,
  DEFERRED_FILES,
  eagerModulesPlugin,
  esbuildOptions,
  LAZY_FOLDER,
  LAZY_PACKAGES,
  lazyPackageOptions,
  listFunctions,
  type RebuildReport,
  recordedBuild,
  unbundledModulePlugin,
  watchFunctions,
} from '../../scripts/build';

/**
 * `dir/entry.js` bundled as scripts/build.ts bundles a function (its plugin for unbundled, lazy and
 * deferred packages), in memory unless `options` says otherwise.
 */
function bundleEntry(dir: string, options: BuildOptions = {}) {
  return build({
    entryPoints: [path.join(dir, 'entry.js')],
    absWorkingDir: path.resolve('.'),
    nodePaths: [path.resolve('node_modules')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    plugins: [unbundledModulePlugin],
    logLevel: 'silent',
    ...options,
  });
}

/**
 * The login function built as `npm run build` builds it, in memory (its metafile is on: the build
 * minifies in a second step from it); once for every test that reads it.
 */
let loginBuild: ReturnType<typeof build> | undefined;
const buildLogin = () => {
  loginBuild ??= build({
    ...esbuildOptions(path.resolve('cloudfunctions/login'), { write: false }),
    outfile: path.join(os.tmpdir(), 'eager-modules-login', 'index.js'),
    logLevel: 'silent',
  });
  return loginBuild;
};

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
    const dir = scratchFolder('unbundled');
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const axios = require('axios'); exports.loaded = typeof axios; exports.use = () => axios.get('x');`,
    );
    const result = await bundleEntry(dir);
    const mod: { exports: { loaded?: string; use?: () => unknown } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles?.[0]?.text ?? '')(mod, mod.exports, require);

    expect(mod.exports.loaded).toBe('function');
    expect(() => mod.exports.use?.()).toThrow(/axios is not bundled into this cloud function/);
  });

  it('given a lazy package, the bundle loads its own file beside index.js only at first use', async () => {
    const dir = scratchFolder('lazy');
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const xml2js = require('xml2js'); exports.parse = (text, done) => xml2js.parseString(text, done);`,
    );
    const result = await bundleEntry(dir);
    const text = result.outputFiles?.[0]?.text ?? '';
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

  it('given lazy packages the SDK constructs or checks with instanceof, each loads its own file at its first use, and then works', async () => {
    expect(LAZY_PACKAGES).toEqual(expect.arrayContaining(['form-data', 'https-proxy-agent', 'bignumber.js']));
    const dir = scratchFolder('lazy-used');
    // As the SDK's request code uses them: TypeScript's __importDefault around form-data, a
    // property read of the agent class, json-bigint's `instanceof BigNumber`.
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const importDefault = (mod) => (mod && mod.__esModule ? mod : { default: mod });
const FormData = importDefault(require('form-data')).default;
const agents = require('https-proxy-agent');
const BigNumber = require('bignumber.js');
exports.form = () => { const form = new FormData(); form.append('key', 'value'); return form.getHeaders()['content-type']; };
exports.isAgent = (value) => value instanceof agents.HttpsProxyAgent;
exports.isBig = (value) => value instanceof BigNumber;
exports.big = (text) => new BigNumber(text).plus(1).toFixed();`,
    );
    await bundleEntry(dir, { outfile: path.join(dir, 'index.js'), write: true });
    await Promise.all((['form-data', 'https-proxy-agent', 'bignumber.js'] as const).map((name) => build(lazyPackageOptions(dir, name))));
    const lazyFiles = () =>
      Object.keys((require as unknown as NodeJS.Require).cache)
        .filter((file) => file.startsWith(path.join(dir, LAZY_FOLDER)))
        .map((file) => path.basename(file))
        .sort();
    const mod = (require as unknown as NodeJS.Require)(path.join(dir, 'index.js')) as {
      form: () => string;
      isAgent: (value: unknown) => boolean;
      isBig: (value: unknown) => boolean;
      big: (text: string) => string;
    };

    expect(lazyFiles()).toEqual([]);
    expect(mod.form()).toMatch(/^multipart\/form-data; boundary=/);
    expect(lazyFiles()).toEqual(['form-data.js']);
    expect(mod.isAgent({})).toBe(false);
    expect(lazyFiles()).toEqual(['form-data.js', 'https-proxy-agent.js']);
    expect(mod.big('9007199254740993')).toBe('9007199254740994');
    expect(mod.isBig({})).toBe(false);
    expect(lazyFiles()).toEqual(['bignumber.js.js', 'form-data.js', 'https-proxy-agent.js']);
  });

  it('given the login function, every DEFERRED_FILES file is bundled behind a stand-in, with no warning', async () => {
    const result = await buildLogin();
    const inputs = Object.keys(result.metafile?.inputs ?? {});

    expect(result.warnings.map((warning) => warning.text)).toEqual([]);
    for (const file of DEFERRED_FILES) {
      expect({ file, deferred: inputs.some((input) => input.startsWith('deferred:') && input.endsWith(`/${file}`)) }).toEqual({
        file,
        deferred: true,
      });
    }
  });

  it('given the login function, the modules a cold start runs are compiled with the script and the deferred ones on first use', async () => {
    const result = await buildLogin();
    const code = result.outputFiles?.find((file) => file.path.endsWith('index.js'))?.text ?? '';
    const map = new SourceMap(JSON.parse(result.outputFiles?.find((file) => file.path.endsWith('index.js.map'))?.text ?? '{}'));
    // Each module is `<helper>(function(…){…})`, in parentheses when V8 is to compile it with the script.
    const helper = /([\w$]+)=\([\w$]+,[\w$]+\)=>function\(\)\{try\{return/.exec(code)?.[1] ?? '';
    const modules = [...code.matchAll(new RegExp(`[=,]${helper.replace('$', '\\$')}\\((\\(?)function\\(`, 'g'))].map((match) => {
      const before = code.slice(0, (match.index ?? 0) + match[0].length);
      const line = before.split('\n').length - 1;
      const entry = map.findEntry(line, before.length - before.lastIndexOf('\n') - 1);
      const source = 'originalSource' in entry ? entry.originalSource : '';
      return { file: source.replace(/^.*node_modules\//, ''), eager: match[1] === '(' };
    });
    const eager = (file: string) => modules.find((module) => module.file === file)?.eager;

    expect(result.warnings.map((warning) => warning.text)).toEqual([]);
    expect(modules.filter((module) => module.eager).length).toBeGreaterThan(100);
    expect(eager('@cloudbase/database/dist/commonjs/collection.js')).toBe(true);
    expect(eager('agentkeepalive/lib/agent.js')).toBe(true);
    // bson's files are mapped on through its own map to its TypeScript sources.
    for (const file of DEFERRED_FILES.filter((name) => !name.startsWith('bson/')))
      expect({ file, eager: eager(file) }).toEqual({ file, eager: false });
  });

  it('given a module whose text looks like the end of its wrapper, the bundle is minified as esbuild wrote it, works, and the build says so', async () => {
    const dir = scratchFolder('eager-fallback');
    writeFileSync(path.join(dir, 'text.js'), 'module.exports.text = `a\n  }\n});\nb`;\n');
    writeFileSync(path.join(dir, 'entry.js'), `exports.text = require('./text.js').text;`);
    const result = await bundleEntry(dir, {
      outfile: path.join(dir, 'index.js'),
      minify: true,
      sourcemap: 'linked',
      plugins: [unbundledModulePlugin, eagerModulesPlugin],
    });
    const mod: { exports: { text?: string } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles?.find((file) => file.path.endsWith('index.js'))?.text ?? '')(
      mod,
      mod.exports,
      require,
    );

    expect(mod.exports.text).toBe('a\n  }\n});\nb');
    expect(result.warnings.map((warning) => warning.text)).toEqual([
      expect.stringMatching(/^index\.js is minified with every module compiled lazily: /),
    ]);
  });

  it('given an importer that does more with a deferred file than read its members, the file is bundled as published and the build says so', async () => {
    const dir = scratchFolder('deferred-keys');
    const storage = path.resolve('node_modules/@cloudbase/node-sdk/dist/storage/index.js');
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const storage = require(${JSON.stringify(storage)});\nexports.names = Object.keys(storage);`,
    );
    const result = await bundleEntry(dir, { metafile: true });
    const entry = Object.entries(result.metafile?.inputs ?? {}).find(([file]) => file.endsWith('entry.js'))?.[1];

    expect(result.warnings.map((warning) => warning.text)).toEqual([
      expect.stringMatching(
        /storage\/index\.js is bundled as published: .*entry\.js uses what it requires otherwise than by reading its members/,
      ),
    ]);
    expect(entry?.imports.map((imported) => imported.path)).toEqual(['node_modules/@cloudbase/node-sdk/dist/storage/index.js']);
  });

  it('given a deferred file required by a specifier the build does not recognise, the build says it is not deferred', async () => {
    const dir = scratchFolder('deferred-missed');
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const storage = require('@cloudbase/node-sdk/dist/storage/');\nexports.upload = () => storage.uploadFile;`,
    );
    const result = await bundleEntry(dir);

    expect(result.warnings.map((warning) => warning.text)).toContainEqual(
      expect.stringMatching(/storage\/index\.js is bundled without being deferred/),
    );
  });

  it('given https and the keep-alive agent for https URLs, neither loads https (nor tls) before an https URL is used', async () => {
    const dir = scratchFolder('deferred-https');
    writeFileSync(
      path.join(dir, 'entry.js'),
      `const https = require('https');
const agents = require('agentkeepalive');
exports.httpAgent = () => new agents({ keepAlive: true });
exports.httpsAgent = () => new agents.HttpsAgent({ keepAlive: true });
exports.globalAgent = () => https.globalAgent;`,
    );
    const result = await bundleEntry(dir);
    const required: string[] = [];
    const recordingRequire = (name: string) => {
      required.push(name);
      return require(name);
    };
    type Agent = { protocol?: string; constructor: { name: string } };
    const mod: { exports: { httpAgent?: () => Agent; httpsAgent?: () => Agent; globalAgent?: () => unknown } } = { exports: {} };
    new Function('module', 'exports', 'require', result.outputFiles?.[0]?.text ?? '')(mod, mod.exports, recordingRequire);

    expect(required).toContain('http');
    expect(mod.exports.httpAgent?.().constructor.name).toBe('Agent');
    expect(required).not.toContain('https');
    const agent = mod.exports.httpsAgent?.();
    expect(agent?.constructor.name).toBe('HttpsAgent');
    expect(agent?.protocol).toBe('https:');
    expect(required).toContain('https');
    expect(mod.exports.globalAgent?.()).toBe(require('node:https').globalAgent);
  });

  it('given the record of its last build, a function nothing changed for is not built again, and an edited one is', async () => {
    const root = scratchFolder('recorded');
    const records = path.join(root, '.build', 'function-builds');
    const source = path.join(root, 'hello', 'src', 'index.ts');
    mkdirSync(path.dirname(source), { recursive: true });
    writeFileSync(path.join(root, 'hello', 'package.json'), '{"name":"hello","dependencies":{}}');
    writeFileSync(source, `export const main = async () => 'first';\n`);
    const built = path.join(root, 'hello', 'index.js');

    expect((await buildFunctions(root, { records }))[0]).toMatchObject({ name: 'hello', upToDate: false });
    const written = statSync(built).mtimeMs;
    expect((await buildFunctions(root, { records }))[0]).toMatchObject({ name: 'hello', upToDate: true });
    expect(statSync(built).mtimeMs).toBe(written);
    // What the installer takes instead of building the same files again.
    const files = recordedBuild(path.join(root, 'hello'), records);
    expect(files?.get('index.js')).toBe(readFileSync(built, 'utf8'));
    expect(files?.get('lazy/xml2js.js')).toBe(readFileSync(path.join(root, 'hello', 'lazy', 'xml2js.js'), 'utf8'));

    writeFileSync(source, `export const main = async () => 'second';\n`);
    expect(recordedBuild(path.join(root, 'hello'), records)).toBeNull();
    expect((await buildFunctions(root, { records }))[0]).toMatchObject({ name: 'hello', upToDate: false });
    expect(readFileSync(built, 'utf8')).toContain('second');
  });

  it('given a watched function, a failed rebuild keeps the last good build and the next good one replaces it', async () => {
    const root = scratchFolder('watch');
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
