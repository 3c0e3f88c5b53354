/**
 * Builds every cloud function: cloudfunctions/<name>/src/index.ts -> cloudfunctions/<name>/index.js
 * (CommonJS, node16 — CloudBase runtimes Nodejs16.13 / 18.15), the file WeChat DevTools'
 * 上传并部署 and `tcb fn deploy` upload as it is.
 *
 * A function's own package.json decides how wx-server-sdk is shipped: listed under `dependencies`
 * it stays external and CloudBase installs it; absent, it is bundled into index.js (our choice for
 * `login`, measured in docs/deploy.md).
 */
import {
  build,
  context,
  formatMessages,
  transform,
  type BuildOptions,
  type BuildResult,
  type Message,
  type OnResolveArgs,
  type OnResolveResult,
  type OutputFile,
  type Plugin,
  version as esbuildVersion,
} from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildKey, recordedOutputs, writeRecord } from './lib/build-record';
import { DEPENDENCY_EDITS } from './lib/dependency-edits';
import { eagerModuleBodies, inputsRunAtLoad } from './lib/eager-modules';
import { readsOnlyMembers } from './lib/member-reads';
import { cutWebpackModule } from './lib/webpack-module';

export const projectRoot = path.resolve(__dirname, '..');
export const functionsRoot = path.join(projectRoot, 'cloudfunctions');

export interface FunctionBuild {
  name: string;
  outfile: string;
  bytes: number;
  /** Packages left to `require` at run time (installed by CloudBase from the function's package.json). */
  external: string[];
  /** Nothing was built: the files of the last build still hold (BuildFunctionOptions.records). */
  upToDate: boolean;
}

export interface BuildFunctionOptions {
  /**
   * A folder of build records (scripts/lib/build-record.ts): a function whose last build read and wrote
   * files that all still have the content they had then is not built again. Without it, every call builds.
   */
  records?: string;
  /** Build even when the record says the last build still holds (and record this one). */
  force?: boolean;
}

/** Where `npm run build` keeps its records in the project at `root`: git-ignored, so a fresh clone builds everything once. */
export function buildRecordsOf(root: string): string {
  return path.join(root, '.build', 'function-builds');
}

export const BUILD_RECORDS = buildRecordsOf(projectRoot);

/** The build script and the modules its plugins run: part of what decides a build (its record's key, the installer's bundle cache). */
export const BUILD_SCRIPTS = [
  'scripts/build.ts',
  'scripts/lib/build-record.ts',
  'scripts/lib/dependency-edits.ts',
  'scripts/lib/eager-modules.ts',
  'scripts/lib/lazy-bson-buffer.js',
  'scripts/lib/member-reads.ts',
  'scripts/lib/webpack-module.ts',
  'scripts/lib/write-whole.ts',
];

export function listFunctions(root = functionsRoot): string[] {
  return readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'src', 'index.ts')))
    .sort();
}

function runtimeDependencies(functionDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(functionDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {});
}

/**
 * Parts of wx-server-sdk's dependency tree that no function here calls, left out of bundles.
 * Compiling the bundle is most of a cold start (V8 must parse every byte of it), and these are
 * half of it. Each is reached only through a feature we do not use; the SDK's own try/catch
 * already tolerates their absence at init. Using one anyway fails loudly with the name of
 * the package (see unbundledModulePlugin), never silently.
 *   @cloudbase/ai, @cloudbase/app, web-streams-polyfill  app.ai() (AI models)
 *   @cloudbase/wx-cloud-client-sdk                       app.models / MySQL data models
 *   jsonwebtoken                                          auth().createTicket (custom login)
 *   axios                                                 requestClient shim; metadata probe outside SCF
 *   mime-db                                               file extensions of media buffers sent to cloud.openapi
 *                                                         (imgSecCheck, uploadTempMedia); a 134 KiB JSON table
 */
export const UNBUNDLED_PACKAGES = [
  '@cloudbase/ai',
  '@cloudbase/app',
  '@cloudbase/wx-cloud-client-sdk',
  'web-streams-polyfill',
  'jsonwebtoken',
  'axios',
  'mime-db',
] as const;

/**
 * Packages a function may need, but rarely: each is bundled into its own file beside index.js
 * (`lazy/<name>.js`) and loaded on first use, so a cold start neither reads nor compiles it
 * (reading and compiling index.js costs ~0.06 ms of CPU per KiB). Only packages that share no
 * state with the rest of the bundle: the file holds its own copy of what it requires.
 *   xml2js             server-side cloud.uploadFile reads COS's answer with it (login: large
 *                      exportMyData documents); 98 KiB
 *   form-data          multipart bodies of storage uploads; with combined-stream, asynckit,
 *                      mime-types and get-intrinsic (~25 KiB)
 *   bignumber.js       big integers in cloud.openapi's JSON (through json-bigint); 19 KiB whose
 *                      load builds its decimal tables (~6 ms)
 *   https-proxy-agent  only with HTTPS_PROXY set; with agent-base and debug (~15 KiB)
 *   http-proxy-agent   only with HTTP_PROXY set
 *   lodash.set, lodash.unset, lodash.clonedeep
 *                      @cloudbase/database's realtime client (watch, itself deferred) applies
 *                      changes with them (~19 KiB)
 */
export const LAZY_PACKAGES = [
  'xml2js',
  'form-data',
  'bignumber.js',
  'https-proxy-agent',
  'http-proxy-agent',
  'lodash.set',
  'lodash.unset',
  'lodash.clonedeep',
] as const;

/**
 * Packages that stay inside the bundle but whose module body runs only on first use: a require of
 * one yields a stand-in that loads the real module when anything of it is touched. For what the
 * SDK requires at load but only uses for a feature a first call never reaches; measured per module
 * (esbuild's module wrappers timed, `npm run bench` cold start):
 *   https              (Node's) requests to https URLs; loading it loads tls (~6 ms)
 */
export const DEFERRED_PACKAGES = ['https'] as const;

/**
 * Files of a package deferred the same way (a path inside node_modules), where the package itself
 * is needed at load but this part of it is not. Each is required only by files that read its
 * exports as properties when called (`x_1.name(...)`), never spread or copied at load: a stand-in
 * answers property reads, calls and `new`, not a listing of its keys.
 *   agentkeepalive/lib/https_agent.js  the keep-alive agent for https URLs: its class extends
 *                                      https.Agent, so loading it loads https and tls (~6 ms);
 *                                      the emulator (and the http agent) never needs it
 *   @cloudbase/database/…/realtime/websocket-client.js
 *                                      db.collection().watch() (realtime); loads the websocket
 *                                      client and lodash.set/unset/clonedeep with it (~3 ms)
 *   @cloudbase/node-sdk/dist/{storage,functions,cloudrun,wx,analytics,ai,notification,logger}
 *                                      cloud.uploadFile & co., callFunction, callContainer,
 *                                      cloud.openapi's transport, analytics, AI, notifications and
 *                                      the CLS logger: the SDK builds its app from all of them, a
 *                                      login calls none (~2 ms)
 *   bson/lib/parser/{serializer,deserializer,calculate_size}.js
 *                                      binary BSON; the database speaks EJSON (text)
 * `https` itself (a Node built-in, in DEFERRED_PACKAGES) is then loaded by the first https request.
 */
export const DEFERRED_FILES = [
  'agentkeepalive/lib/https_agent.js',
  '@cloudbase/database/dist/commonjs/realtime/websocket-client.js',
  '@cloudbase/node-sdk/dist/storage/index.js',
  '@cloudbase/node-sdk/dist/functions/index.js',
  '@cloudbase/node-sdk/dist/cloudrun/index.js',
  '@cloudbase/node-sdk/dist/wx/index.js',
  '@cloudbase/node-sdk/dist/analytics/index.js',
  '@cloudbase/node-sdk/dist/ai/index.js',
  '@cloudbase/node-sdk/dist/notification/index.js',
  '@cloudbase/node-sdk/dist/logger/index.js',
  'bson/lib/parser/serializer.js',
  'bson/lib/parser/deserializer.js',
  'bson/lib/parser/calculate_size.js',
] as const;

/**
 * How a require of a DEFERRED_FILES file can be written, as a pattern of its specifier's end:
 * `…/https_agent(.js)`, and for an `index.js` its folder (`./storage`, `./storage/index`).
 */
export function deferredFileSpecifier(files: readonly string[] = DEFERRED_FILES): RegExp {
  const escapeDots = (text: string) => text.replace(/[.]/g, '\\$&');
  const names = files.map((file) => {
    const base = path.posix.basename(file, '.js');
    return base === 'index' ? `${escapeDots(path.posix.basename(path.posix.dirname(file)))}(/index)?` : escapeDots(base);
  });
  return new RegExp(`(^|/)(${[...new Set(names)].join('|')})(\\.js)?$`);
}

/**
 * Modules inside wx-server-sdk's own bundle (one webpack file) that a first call never reaches:
 * each is cut out of it into `lazy/<file>.js`, bundled there with what only it requires, and
 * the SDK keeps a stand-in that loads that file when anything of it is first touched.
 *   ./src/protobuf/openapi.js  the protobuf messages of cloud.openapi calls (phone number, content
 *                              checks): 173 KiB of the SDK's 323, and protobufjs and long with
 *                              it (long compiles a WebAssembly module at load)
 * Should an SDK version no longer have that layout, the module stays in the bundle (the build
 * warns) and the lazy file is a placeholder nothing loads.
 */
export const LAZY_SDK_MODULES = [{ id: './src/protobuf/openapi.js', file: 'wx-server-sdk-openapi' }] as const;

/** The folder of a function holding its lazily loaded packages. */
export const LAZY_FOLDER = 'lazy';

const SDK_ENTRY = /[\\/]node_modules[\\/]wx-server-sdk[\\/]index\.js$/;

/** Whether the CommonJS module in `file` marks itself as compiled from an ES module (`__esModule`). */
function marksEsModule(file: string | null): boolean {
  return file !== null && /__esModule/.test(readFileSync(file, 'utf8'));
}

/**
 * The stand-in of a module loaded on first use (`load`: the expression that requires it). `__esModule`
 * is answered from the build (TypeScript's __importDefault reads it at require time), everything
 * else loads the module: property reads, `in`, calls and `new` (form-data is a class, the agents are
 * read as properties, json-bigint checks `instanceof BigNumber`).
 */
function standInSource(load: string, esModule: boolean): string {
  return `let loaded;
const load = () => loaded || (loaded = ${load});
module.exports = new Proxy(function deferred() {}, {
  get: (_target, key) => (key === '__esModule' ? ${esModule ? 'true' : 'undefined'} : load()[key]),
  has: (_target, key) => key in load(),
  apply: (_target, self, args) => Reflect.apply(load(), self, args),
  construct: (_target, args) => Reflect.construct(load(), args),
});`;
}

function lazyModuleSource(name: string, esModule = false): string {
  const file = JSON.stringify(`${LAZY_FOLDER}/${name}.js`);
  // The path is computed at run time, so esbuild leaves this require alone; __dirname is the
  // function's folder (index.js). Only the first use of any export loads the file.
  return standInSource(`require(require('path').join(__dirname, ${file}))`, esModule);
}

function unbundledModuleSource(name: string): string {
  const message = JSON.stringify(
    `${name} is not bundled into this cloud function (scripts/build.ts UNBUNDLED_PACKAGES); remove it from that list to use it`,
  );
  // A callable Proxy: requiring it succeeds, any use throws. `__esModule` reads as undefined so
  // TypeScript's __importDefault wrapper can inspect it without tripping.
  return `const fail = () => { throw new Error(${message}); };
module.exports = new Proxy(function unbundled() {}, {
  get: (_target, key) => (key === '__esModule' || typeof key === 'symbol' ? undefined : fail()),
  apply: fail,
  construct: fail,
});`;
}

const RESOLVING_DEFERRED = Symbol('resolving a deferred package');

interface DeferredModule {
  /** The module's file, as the importer would have required it; null for a Node built-in. */
  file: string | null;
  specifier: string;
  resolveDir: string;
}

function deferredModuleSource({ file, specifier }: DeferredModule): string {
  return standInSource(`require(${JSON.stringify(specifier)})`, marksEsModule(file));
}

function packageFilter(names: readonly string[]): RegExp {
  return new RegExp(`^(${names.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
}

/** wx-server-sdk with every LAZY_SDK_MODULES module cut out (null: the SDK's layout did not allow one). */
function sdkWithoutLazyModules(source: string): { contents: string; kept: string[] } {
  let contents = source;
  const kept: string[] = [];
  for (const { id, file } of LAZY_SDK_MODULES) {
    const cut = cutWebpackModule(contents, id, lazyModuleSource(file));
    if (cut) contents = cut.bundle;
    else kept.push(id);
  }
  return { contents, kept };
}

/**
 * What the build does to a function's dependencies (the lists above). `lazy`: the packages loaded
 * from `lazy/` — none inside a lazy file itself (its __dirname is lazy/, and it holds its own copy).
 */
function dependencyPlugin(lazy: readonly string[]): Plugin {
  return {
    name: 'unbundled-modules',
    setup(pluginBuild) {
      for (const edit of DEPENDENCY_EDITS) {
        const filter = new RegExp(`[\\\\/]node_modules[\\\\/]${edit.file.replace(/[.]/g, '\\$&').replace(/\//g, '[\\\\/]')}$`);
        pluginBuild.onLoad({ filter }, (args) => {
          const edited = edit.apply(readFileSync(args.path, 'utf8'));
          if (edited !== null) return { contents: edited, loader: 'js' };
          return {
            warnings: [
              {
                text: `${edit.file} is bundled as published: this version does not have the code edited so that ${edit.why} (scripts/lib/dependency-edits.ts)`,
              },
            ],
          };
        });
      }
      pluginBuild.onLoad({ filter: SDK_ENTRY }, (args) => {
        const { contents, kept } = sdkWithoutLazyModules(readFileSync(args.path, 'utf8'));
        const warnings = kept.map((id) => ({
          text: `wx-server-sdk's ${id} is bundled into index.js: this SDK version's layout does not allow loading it lazily (scripts/build.ts LAZY_SDK_MODULES)`,
        }));
        return { contents, loader: 'js', warnings };
      });
      pluginBuild.onResolve({ filter: packageFilter(UNBUNDLED_PACKAGES) }, (args) => ({ path: args.path, namespace: 'unbundled' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'unbundled' }, (args) => ({
        contents: unbundledModuleSource(args.path),
        loader: 'js',
      }));
      // Deferred packages: the stand-in requires the package again from the same folder; that
      // require comes from the 'deferred' namespace, resolves normally and is bundled as usual.
      // A DEFERRED_FILES file whose importer does more than read its members is bundled as published.
      const publishedFiles = new Set<string>();
      pluginBuild.onStart(() => publishedFiles.clear());
      const defer = async (args: OnResolveArgs, only?: (file: string) => boolean): Promise<OnResolveResult | undefined> => {
        if (args.namespace === 'deferred' || args.pluginData === RESOLVING_DEFERRED) return undefined;
        const real = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: RESOLVING_DEFERRED,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        if (only && (real.external || !only(real.path))) return undefined;
        if (only && !readsOnlyMembers(readFileSync(args.importer, 'utf8'), args.path)) {
          const text = `${path.relative(projectRoot, real.path)} is bundled as published: ${path.relative(projectRoot, args.importer)} uses what it requires otherwise than by reading its members later (scripts/build.ts DEFERRED_FILES)`;
          publishedFiles.add(real.path);
          return { path: real.path, warnings: [{ text }] };
        }
        const file = real.external ? null : real.path;
        // A path relative to the kit, so that no absolute path of this machine reaches the source map.
        const pluginData: DeferredModule = { file, specifier: args.path, resolveDir: args.resolveDir };
        const shown = file === null ? `node:${args.path}` : path.relative(projectRoot, file).split(path.sep).join('/');
        return { path: shown, namespace: 'deferred', pluginData };
      };
      pluginBuild.onResolve({ filter: packageFilter(DEFERRED_PACKAGES) }, (args) => defer(args));
      const deferredFile = (file: string) =>
        DEFERRED_FILES.some((name) => file.split(path.sep).join('/').endsWith(`/node_modules/${name}`));
      pluginBuild.onResolve({ filter: deferredFileSpecifier() }, (args) => defer(args, deferredFile));
      // A DEFERRED_FILES file some module requires directly, not through its stand-in (another
      // version requires it by a specifier deferredFileSpecifier() does not match): said, not
      // silently loaded at start again. The build's metafile lists who imports what.
      pluginBuild.initialOptions.metafile = true;
      const workingDir = pluginBuild.initialOptions.absWorkingDir ?? process.cwd();
      pluginBuild.onEnd((result) => {
        const warnings = Object.entries(result.metafile?.inputs ?? {}).flatMap(([importer, input]) =>
          importer.startsWith('deferred:')
            ? []
            : input.imports
                .filter((imported) => !imported.external && !imported.path.includes(':'))
                .filter((imported) => {
                  const file = path.resolve(workingDir, imported.path);
                  return deferredFile(file) && !publishedFiles.has(file);
                })
                .map((imported) => ({
                  text: `${imported.path} is bundled without being deferred: ${importer} requires it as ${JSON.stringify(imported.original)}, which scripts/build.ts deferredFileSpecifier() does not match (DEFERRED_FILES)`,
                })),
        );
        return { warnings };
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => {
        const deferred = args.pluginData as DeferredModule;
        return { contents: deferredModuleSource(deferred), loader: 'js', resolveDir: deferred.resolveDir };
      });
      if (lazy.length === 0) return;
      // Only the package itself: a deep import (xml2js/lib/...) would need a file of its own.
      pluginBuild.onResolve({ filter: new RegExp(`^(${lazy.map((name) => name.replace(/[.]/g, '\\$&')).join('|')})$`) }, async (args) => {
        if (args.pluginData === RESOLVING_DEFERRED) return undefined;
        const real = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: RESOLVING_DEFERRED,
        });
        // Not found from here (a lazy file also looks in the kit's own node_modules): no `__esModule`.
        const file = real.errors.length > 0 || real.external ? null : real.path;
        return { path: args.path, namespace: 'lazy', pluginData: marksEsModule(file) };
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: lazyModuleSource(args.path, args.pluginData === true),
        loader: 'js',
      }));
    },
  };
}

export const unbundledModulePlugin: Plugin = dependencyPlugin(LAZY_PACKAGES);

function outputFile(file: string, text: string): OutputFile {
  const contents = Buffer.from(text);
  return { path: file, contents, hash: createHash('sha1').update(contents).digest('base64url'), text };
}

/**
 * The bundle minified with the modules a cold start runs compiled with the script (scripts/lib/
 * eager-modules.ts): esbuild bundles readable output, the modules change form, esbuild minifies
 * that, its source map chained through. `result` is the readable build's; its files are replaced.
 */
async function minifyWithEagerModules(result: BuildResult, options: BuildOptions): Promise<Message[]> {
  const files = result.outputFiles ?? [];
  const code = files.find((file) => file.path === options.outfile);
  if (!code || !result.metafile) return [];
  const map = files.find((file) => file.path === `${code.path}.map`);
  const lazily = `${path.basename(code.path)} is minified with every module compiled lazily`;
  const warnings: Partial<Message>[] = [];
  const entry = Object.values(result.metafile.outputs).find((output) => output.entryPoint)?.entryPoint;
  const atLoad = entry ? inputsRunAtLoad(result.metafile.inputs, entry, (input) => input.startsWith('deferred:')) : new Set<string>();
  const eager = eagerModuleBodies(code.text, (key) => atLoad.has(key));
  if (!eager)
    warnings.push({ text: `${lazily}: this esbuild version's output does not have the layout scripts/lib/eager-modules.ts edits` });
  const linkComment = map ? `//# sourceMappingURL=${path.basename(map.path)}` : '';
  const minify = (readable: string) => {
    let text = readable;
    if (map) {
      // The readable build's map, inline, is the input map esbuild chains the minified file's map to.
      const inline = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(map.text).toString('base64')}`;
      text = text.includes(linkComment) ? text.replace(linkComment, inline) : `${text}\n${inline}\n`;
    }
    return transform(text, {
      minify: true,
      format: 'cjs',
      platform: options.platform,
      target: options.target,
      charset: options.charset,
      legalComments: 'inline',
      sourcemap: map ? 'external' : false,
      sourcesContent: options.sourcesContent,
      sourcefile: path.basename(code.path),
    });
  };
  const minified = await minify(eager?.bundle ?? code.text).catch((error: unknown) => {
    // Edited wrongly after all (a module's code looked like the end of its wrapper): as esbuild wrote it.
    warnings.push({ text: `${lazily}: ${error instanceof Error ? error.message : String(error)}` });
    return minify(code.text);
  });
  // esbuild's note of the entry's exports for Node's ESM import of a CommonJS file (`0 && (module.exports
  // = { main })`), which minifying the file on its own would drop as dead code.
  const exportNames = /^0 && \(module\.exports = \{([\w$,\s]*)\}\);$/m
    .exec(code.text)?.[1]
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const exportsNote = exportNames ? `0&&(module.exports={${exportNames.join(',')}});\n` : '';
  const linked = map && options.sourcemap !== 'external' ? `${linkComment}\n` : '';
  const replaced = new Map<string, OutputFile>([[code.path, outputFile(code.path, `${minified.code}${exportsNote}${linked}`)]]);
  if (map) replaced.set(map.path, outputFile(map.path, minified.map));
  result.outputFiles = files.map((file) => replaced.get(file.path) ?? file);
  return warnings as Message[];
}

/**
 * A function's bundle, minified with the module bodies its cold start runs compiled once
 * (minifyWithEagerModules). Only for a minified CommonJS bundle with a linked, external or no map;
 * anything else is built as asked.
 */
export const eagerModulesPlugin: Plugin = {
  name: 'eager-module-bodies',
  setup(pluginBuild) {
    const options = pluginBuild.initialOptions;
    const map = options.sourcemap;
    if (!options.minify || !options.bundle || options.format !== 'cjs' || !options.outfile) return;
    if (!(map === undefined || map === false || map === true || map === 'linked' || map === 'external')) return;
    const write = options.write ?? true;
    const wanted = { ...options };
    options.minify = false;
    options.write = false;
    options.metafile = true;
    pluginBuild.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const warnings = await minifyWithEagerModules(result, wanted);
      if (write) writeBuildOutput(result.outputFiles ?? []);
      return { warnings };
    });
  },
};

/** How every file of a function is built: one CommonJS file for CloudBase's Node runtimes (16.13 / 18.15). */
const FUNCTION_OUTPUT = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node16',
  minify: true,
  legalComments: 'linked',
} as const satisfies BuildOptions;

/** esbuild options for the lazily loaded file of `name` in the function at `functionDir`. */
export function lazyPackageOptions(functionDir: string, name: (typeof LAZY_PACKAGES)[number]): BuildOptions {
  return {
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: functionDir, loader: 'js' },
    // The kit's own install of the package when the function folder has none above it.
    nodePaths: [path.join(projectRoot, 'node_modules')],
    outfile: path.join(functionDir, LAZY_FOLDER, `${name}.js`),
    ...FUNCTION_OUTPUT,
    // What index.js leaves out or defers, the lazy file does too; the other lazy packages it
    // bundles itself.
    plugins: [dependencyPlugin([])],
    logLevel: 'warning',
  };
}

/**
 * esbuild options for the lazily loaded file of one LAZY_SDK_MODULES module: wx-server-sdk as the
 * function resolves it, reduced to that module.
 */
export function lazySdkModuleOptions(functionDir: string, { id, file }: (typeof LAZY_SDK_MODULES)[number]): BuildOptions {
  const onlyThisModule: Plugin = {
    name: 'wx-server-sdk-module',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: SDK_ENTRY }, (args) => {
        const cut = cutWebpackModule(readFileSync(args.path, 'utf8'), id, '');
        // A placeholder when the module could not be cut: index.js then bundles it and never loads this file.
        return { contents: cut ? cut.module : `throw new Error(${JSON.stringify(`${id} is bundled into index.js`)});`, loader: 'js' };
      });
    },
  };
  return {
    stdin: { contents: `module.exports = require('wx-server-sdk');`, resolveDir: functionDir, loader: 'js' },
    nodePaths: [path.join(projectRoot, 'node_modules')],
    outfile: path.join(functionDir, LAZY_FOLDER, `${file}.js`),
    ...FUNCTION_OUTPUT,
    plugins: [onlyThisModule],
    logLevel: 'warning',
  };
}

/** Every lazily loaded file of the function at `functionDir` (LAZY_PACKAGES, LAZY_SDK_MODULES). */
export function lazyFileOptions(functionDir: string): BuildOptions[] {
  return [
    ...LAZY_PACKAGES.map((name) => lazyPackageOptions(functionDir, name)),
    ...LAZY_SDK_MODULES.map((module) => lazySdkModuleOptions(functionDir, module)),
  ];
}

/**
 * The kit's shared module from its sources beside the functions (<root>/cloudfunctions/<name> and
 * <root>/packages/server-auth): this repository, or the kit inside the installed wx-cloud-login
 * package, where esbuild reads no tsconfig paths (it ignores tsconfig.json under node_modules).
 * Anywhere else (another project's functions) the installed package resolves as usual.
 */
function serverAuthSourcesFor(functionDir: string): Record<string, string> {
  const sources = path.resolve(functionDir, '..', '..', 'packages', 'server-auth');
  return existsSync(path.join(sources, 'src', 'index.ts')) ? { '@wx-cloud-login/server-auth': sources } : {};
}

/** esbuild options for one function; `external` overrides the package.json decision (benchmarks). */
export function esbuildOptions(functionDir: string, overrides: Partial<BuildOptions> = {}): BuildOptions {
  return {
    entryPoints: [path.join(functionDir, 'src', 'index.ts')],
    outfile: path.join(functionDir, 'index.js'),
    ...FUNCTION_OUTPUT,
    // index.js.map beside the bundle (uploaded with it): the function maps an error's stack when it
    // logs one (cloudfunctions/login/src/log/source-mapped-stack.ts), so nothing is paid at load.
    // Sources are relative to the map (`src/handler.ts`); their text is left out, the map only
    // has to name lines.
    sourcemap: 'linked',
    sourcesContent: false,
    external: runtimeDependencies(functionDir),
    alias: serverAuthSourcesFor(functionDir),
    plugins: [unbundledModulePlugin, eagerModulesPlugin],
    logLevel: 'warning',
    ...overrides,
  };
}

/**
 * The esbuild runs of one function (index.js, then each lazy file), in memory: buildFunction writes
 * their files. `key`: what decides them before they read a source (scripts/lib/build-record.ts).
 */
function functionBuilds(functionDir: string): { builds: BuildOptions[]; key: string } {
  const builds = [esbuildOptions(functionDir), ...lazyFileOptions(functionDir)].map((each) => ({ ...each, write: false, metafile: true }));
  const textOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
  const key = buildKey({
    esbuild: esbuildVersion,
    builds,
    scripts: BUILD_SCRIPTS.map((file) => textOf(path.join(projectRoot, file))),
    lock: textOf(path.join(projectRoot, 'package-lock.json')),
  });
  return { builds, key };
}

/**
 * The files `npm run build` wrote for the function at `functionDir` (by path relative to it,
 * '/'-separated), when its record in `records` says that build still holds; otherwise null.
 */
export function recordedBuild(functionDir: string, records = BUILD_RECORDS): Map<string, string> | null {
  const outputs = recordedOutputs(path.join(records, `${path.basename(functionDir)}.json`), functionBuilds(functionDir).key);
  if (!outputs) return null;
  return new Map(
    [...outputs].map(([file, contents]) => [path.relative(functionDir, file).split(path.sep).join('/'), contents.toString('utf8')]),
  );
}

export async function buildFunction(
  name: string,
  root = functionsRoot,
  { records, force = false }: BuildFunctionOptions = {},
): Promise<FunctionBuild> {
  const functionDir = path.join(root, name);
  const { builds, key } = functionBuilds(functionDir);
  const outfile = path.join(functionDir, 'index.js');
  const external = builds[0]?.external ?? [];
  const record = records ? path.join(records, `${name}.json`) : null;
  if (record && !force && recordedOutputs(record, key)) return { name, outfile, bytes: statSync(outfile).size, external, upToDate: true };
  const results = await Promise.all(builds.map((each) => build(each)));
  // Each file by a rename (writeBuildOutput): a call starting meanwhile loads the old file or the new one.
  const written = results.flatMap((result) => result.outputFiles ?? []);
  writeBuildOutput(written);
  if (record) {
    const read = results.flatMap((result, index) =>
      Object.keys(result.metafile?.inputs ?? {}).map((input) => path.resolve(builds[index]?.absWorkingDir ?? process.cwd(), input)),
    );
    writeRecord(
      record,
      key,
      read,
      written.map((file) => file.path),
    );
  }
  return { name, outfile, bytes: statSync(outfile).size, external, upToDate: false };
}

export async function buildFunctions(root = functionsRoot, options: BuildFunctionOptions = {}): Promise<FunctionBuild[]> {
  return Promise.all(listFunctions(root).map((name) => buildFunction(name, root, options)));
}

export type RebuildReport = { name: string; ok: true; bytes: number; ms: number } | { name: string; ok: false; errors: Message[] };

/** The terminal line(s) for one rebuild in watch mode. */
export async function describeRebuild(report: RebuildReport): Promise<string> {
  if (report.ok) {
    return `rebuilt ${report.name} (${(report.bytes / 1024).toFixed(0)} KiB, ${report.ms} ms) — next call runs the new code\n`;
  }
  const details = await formatMessages(report.errors, { kind: 'error', color: process.stderr.isTTY === true });
  return `rebuilding ${report.name} failed — calls keep running the last good build:\n${details.join('')}`;
}

/**
 * `npm start`'s watch mode: esbuild's own watcher per function (every file the bundle reads, so
 * `src/**` included), each rebuild reported through `report`. A failed rebuild writes nothing, so
 * the emulator keeps the last good index.js; it picks up a new one at the next call by itself
 * (packages/cloudbase-emulator/src/functions/runtime.ts compares the file's mtime). The first build, which only repeats
 * the one `npm start` just made, is reported only when it fails. Resolves with the stop function.
 */
export async function watchFunctions(report: (result: RebuildReport) => void, root = functionsRoot): Promise<() => Promise<void>> {
  const contexts = await Promise.all(
    listFunctions(root).map((name) => {
      const options = esbuildOptions(path.join(root, name));
      const outfile = options.outfile as string;
      let started = 0;
      let builds = 0;
      const reporter: Plugin = {
        name: 'report-rebuilds',
        setup(pluginBuild) {
          pluginBuild.onStart(() => {
            started = Date.now();
          });
          pluginBuild.onEnd((result) => {
            builds += 1;
            if (result.errors.length > 0) {
              report({ name, ok: false, errors: result.errors });
              return;
            }
            writeBuildOutput(result.outputFiles ?? []);
            if (builds > 1) report({ name, ok: true, bytes: statSync(outfile).size, ms: Date.now() - started });
          });
        },
      };
      // write: false — esbuild, writing itself, removes the outputs of a failed rebuild, which would
      // take the last good index.js away from the emulator; here only a good build is written.
      // Errors are reported above, readably and once; esbuild's own log would repeat them.
      return context({ ...options, write: false, logLevel: 'silent', plugins: [...(options.plugins ?? []), reporter] });
    }),
  );
  await Promise.all(contexts.map((ctx) => ctx.watch()));
  return async () => {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  };
}

/**
 * Writes a build's files (index.js, its map, the legal comments), each to a temporary name first and
 * then renamed over the old one, so a call starting meanwhile loads either the old file or the new
 * one, never half of one.
 */
export function writeBuildOutput(files: readonly OutputFile[]): void {
  for (const file of files) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  // `npm run build -- --force` builds even what its record says is built.
  buildFunctions(functionsRoot, { records: BUILD_RECORDS, force: process.argv.includes('--force') }).then(
    (builds) => {
      for (const { name, outfile, bytes, external, upToDate } of builds) {
        const ext = external.length > 0 ? `, external: ${external.join(', ')}` : ', self-contained';
        const what = upToDate ? `${name} is up to date:` : `built ${name} ->`;
        console.log(`${what} ${path.relative(projectRoot, outfile)} (${(bytes / 1024).toFixed(0)} KiB${ext})`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
