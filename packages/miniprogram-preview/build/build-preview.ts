/**
 * Builds the browser preview from the real mini-program sources into a git-ignored folder:
 *
 *   index.html    the host page (user bar + phone frame)
 *   preview.js    esbuild bundle: the runtime (wx shim, page host, j-component + exparser, the
 *                 engine of miniprogram-simulate) and every page's and component's TypeScript
 *   preview.css   the runtime's own styles (phone frame, built-in components like WeChat's)
 *   app.css       app.wxss and every page's and component's WXSS, scoped and converted (wxss.ts)
 *
 * Templates travel as strings inside preview.js (the virtual module `virtual:miniprogram`).
 * Nothing is copied into the repository: the sources stay the ones WeChat DevTools compiles.
 */
import { build, type BuildOptions, type Metafile, type OutputFile, type Plugin, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pageSelector } from '../shared/bundle';
import { ManifestError, readAppManifest, type AppManifest, type SourceReader } from './manifest';
import { joinScripts, type ScriptWithMap, type SourceMapV3 } from './join-bundles';
import { importsToRequires } from './mixed-modules';
import { compileStyleSource } from './style-compilers';
import { inlineImports, localUrlWarning, resolveLocalUrls, wxssToCss, WxssSyntaxError } from './wxss';

/** This package's folder: the runtime entry ships with it. Project paths default to the cwd instead. */
const PACKAGE_ROOT = path.resolve(__dirname, '..');
const RUNTIME_ENTRY = path.join(PACKAGE_ROOT, 'runtime', 'main.ts');

export function defaultMiniprogramRoot(projectRoot: string = process.cwd()): string {
  return path.join(projectRoot, 'miniprogram');
}

export function defaultOutDir(projectRoot: string = process.cwd()): string {
  return path.join(projectRoot, '.build', 'preview');
}

export interface BuildPreviewOptions {
  miniprogramRoot?: string;
  outDir?: string;
}

export type PreviewBuildResult =
  | {
      ok: true;
      outDir: string;
      files: string[];
      /** The project's and the runtime's files the build read: what a watcher compares. */
      inputs: string[];
      /** Every file in the bundle, the packages' (node_modules) included: what a kept build is checked against. */
      bundled: string[];
      durationMs: number;
      unsupported: string[];
    }
  | { ok: false; errors: string[]; inputs: string[]; durationMs: number };

export function fileReader(root: string): SourceReader & { read: Set<string> } {
  const read = new Set<string>();
  return {
    read,
    readText(relativePath) {
      const full = path.join(root, relativePath);
      read.add(full);
      try {
        return readFileSync(full, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

/**
 * app.wxss then the page's WXSS for every page (both scoped to the page), then each component's;
 * and a warning for each local file a `url()` loads, which WeChat does not do on a phone.
 */
export function buildStyles(
  manifest: AppManifest,
  reader: SourceReader,
  compile: (relativePath: string, text: string) => string = (_path, text) => text,
): { css: string; warnings: string[] } {
  const warnings: string[] = [];
  /** A file's text with its url()s resolved from its own folder, before @import puts it elsewhere. */
  const withUrls = (file: string, text: string): string => {
    const resolved = resolveLocalUrls(text, file);
    for (const url of resolved.local) {
      const warning = localUrlWarning(file, url);
      if (!warnings.includes(warning)) warnings.push(warning);
    }
    return resolved.text;
  };
  const resolveImport = (from: string, target: string) => {
    const relative = target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(from), target);
    const candidates = relative.endsWith('.wxss') ? [relative] : [relative, `${relative}.wxss`];
    for (const candidate of candidates) {
      const text = reader.readText(candidate);
      if (text !== null) return { path: candidate, text: withUrls(candidate, text) };
    }
    return null;
  };
  const load = (file: string | null): string => {
    if (file === null) return '';
    return inlineImports(withUrls(file, compile(file, reader.readText(file) ?? '')), file, resolveImport);
  };
  const appWxss = load(manifest.appWxssPath);
  const sheets = manifest.modules.map((module) => {
    const own = load(module.wxssPath);
    if (module.kind === 'page') {
      const scope = { classPrefix: module.id, pageSelector: pageSelector(module.id) };
      return `/* ${module.path} (app.wxss + ${module.wxssPath ?? 'no wxss'}) */\n${wxssToCss(appWxss, scope)}\n${wxssToCss(own, scope)}`;
    }
    return `/* ${module.path} */\n${wxssToCss(own, { classPrefix: module.id })}`;
  });
  return { css: `${sheets.join('\n\n')}\n`, warnings };
}

/** JavaScript source of `virtual:miniprogram` (see runtime/bundle.ts for its type). */
export function bundleModuleSource(manifest: AppManifest): string {
  const idByPath = new Map(manifest.modules.map((module) => [module.path, module.id]));
  const requireOf = (file: string) => `function () { require(${JSON.stringify(`./${file}`)}); }`;
  const modules = manifest.modules.map((module) => {
    const usingComponents = Object.fromEntries(Object.entries(module.usingComponents).map(([tag, target]) => [tag, idByPath.get(target)]));
    const data = {
      path: module.path,
      kind: module.kind,
      id: module.id,
      tagName: module.tagName,
      usingComponents,
      window: module.window,
      wxml: module.wxml,
    };
    return `  Object.assign(${JSON.stringify(data)}, { load: ${requireOf(module.scriptPath)} })`;
  });
  const app = {
    pages: manifest.pages,
    entryPage: manifest.entryPage,
    window: manifest.window,
    tabBar: manifest.tabBar,
    usePrivacyCheck: manifest.usePrivacyCheck,
    unsupported: manifest.unsupported,
  };
  // require() inside functions: esbuild then wraps each page (an ES module) so that its
  // top-level Component() call runs when the runtime asks, one page at a time, not at bundle start.
  return [
    `module.exports = Object.assign(${JSON.stringify(app)}, {`,
    `  loadApp: ${requireOf(manifest.appScriptPath)},`,
    '  modules: [',
    modules.join(',\n'),
    '  ],',
    '});',
    '',
  ].join('\n');
}

function manifestPlugin(manifest: AppManifest, miniprogramRoot: string): Plugin {
  return {
    name: 'virtual-miniprogram',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^virtual:miniprogram$/ }, () => ({ path: 'miniprogram', namespace: 'virtual-miniprogram' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'virtual-miniprogram' }, () => ({
        contents: bundleModuleSource(manifest),
        loader: 'js',
        resolveDir: miniprogramRoot,
      }));
    },
  };
}

/** The first of `candidates` that is a file. */
function firstFile(candidates: string[]): string | null {
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // absent: try the next
    }
  }
  return null;
}

/**
 * `require('@vant/weapp/dialog/dialog')` or `require('dayjs')` in a page's script: WeChat resolves a
 * path that is neither relative nor absolute from the importing file's folder first, then through
 * the nearest `miniprogram_npm` folder in it or above it (up to the mini-program root). esbuild
 * would look in node_modules only; this plugin does what WeChat does, for the mini-program's own
 * files, and leaves everything else (the runtime's imports) to esbuild.
 */
export function miniprogramNpmPlugin(miniprogramRoot: string): Plugin {
  const extensions = ['', '.js', '.ts', '/index.js', '/index.ts'];
  return {
    name: 'miniprogram-npm',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        const importer = args.importer;
        if (!importer || args.kind === 'entry-point') return undefined;
        const fromRoot = path.relative(miniprogramRoot, importer);
        if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot) || args.path.includes(':')) return undefined;
        const folder = path.dirname(importer);
        const relative = firstFile(extensions.map((extension) => path.join(folder, args.path) + extension));
        if (relative) return { path: relative };
        for (let up = folder; ; up = path.dirname(up)) {
          const found = firstFile(extensions.map((extension) => path.join(up, 'miniprogram_npm', args.path) + extension));
          if (found) return { path: found };
          if (path.relative(miniprogramRoot, up) === '' || path.dirname(up) === up) break;
        }
        return undefined;
      });
    },
  };
}

/** The mini-program's scripts that mix `import` with `module.exports`, loaded as DevTools compiles them (mixed-modules.ts). */
function mixedModulesPlugin(miniprogramRoot: string): Plugin {
  return {
    name: 'miniprogram-mixed-modules',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.js$/ }, (args) => {
        const fromRoot = path.relative(miniprogramRoot, args.path);
        if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) return undefined;
        const contents = importsToRequires(readFileSync(args.path, 'utf8'));
        return contents === null ? undefined : { contents, loader: 'js' };
      });
    },
  };
}

/** Where a script of the mini-program assigns to a `const`: esbuild's location (line 1-based, column in bytes). */
export interface ConstantAssignment {
  file: string;
  line: number;
  column: number;
  name: string;
}

const CONSTANT_ASSIGNMENT = /^Cannot assign to "([^"]+)" because it is a constant$/;

/** What throws where the assignment was: a member of a call that throws, so still an assignment target. */
const THROW_ON_ASSIGN = "(() => { throw new TypeError('Assignment to constant variable.'); })().value";

/**
 * `const data = {}; if (extra) data = { ...data, ...extra };` in a page's script: WeChat's compiler
 * (and any JavaScript engine) accepts it and throws a TypeError when that line runs; esbuild refuses
 * the whole bundle. Each such assignment is rewritten to throw the same TypeError when it runs, so
 * the rest of the mini-program builds and the line fails as it would on a phone.
 */
export function rewriteConstantAssignments(source: string, assignments: ConstantAssignment[]): string {
  const lines = source.split('\n');
  const byLine = [...assignments].sort((a, b) => a.line - b.line || b.column - a.column);
  for (const assignment of byLine) {
    const text = lines[assignment.line - 1];
    if (text === undefined) continue;
    const bytes = Buffer.from(text, 'utf8');
    const before = bytes.subarray(0, assignment.column).toString('utf8');
    const after = bytes.subarray(assignment.column).toString('utf8');
    if (!after.startsWith(assignment.name)) continue;
    lines[assignment.line - 1] = `${before}${THROW_ON_ASSIGN}${after.slice(assignment.name.length)}`;
  }
  return lines.join('\n');
}

function constantAssignmentsPlugin(assignments: ConstantAssignment[]): Plugin {
  return {
    name: 'constant-assignments',
    setup(pluginBuild) {
      const files = new Set(assignments.map((assignment) => assignment.file));
      pluginBuild.onLoad({ filter: /\.js$/ }, (args) => {
        if (!files.has(args.path)) return undefined;
        const own = assignments.filter((assignment) => assignment.file === args.path);
        const contents = rewriteConstantAssignments(readFileSync(args.path, 'utf8'), own);
        // The first onLoad that answers wins: this one also does what mixedModulesPlugin would.
        return { contents: importsToRequires(contents) ?? contents, loader: 'js' };
      });
    },
  };
}

/** esbuild's constant-assignment errors in the mini-program's own scripts, or null when any error is another. */
function constantAssignmentsIn(
  messages: { text: string; location?: { file: string; line: number; column: number } | null }[],
  miniprogramRoot: string,
): ConstantAssignment[] | null {
  const found: ConstantAssignment[] = [];
  for (const message of messages) {
    const name = CONSTANT_ASSIGNMENT.exec(message.text)?.[1];
    if (!name || !message.location) return null;
    const file = path.resolve(PACKAGE_ROOT, message.location.file);
    if (path.relative(miniprogramRoot, file).startsWith('..')) return null;
    found.push({ file, line: message.location.line, column: message.location.column, name });
  }
  return found;
}

/**
 * j-component and miniprogram-exparser come with miniprogram-simulate (our dev dependency), not
 * as direct dependencies: resolve them from there, and make every import share one copy (the
 * runtime patches exparser, which only works on the instance j-component uses).
 */
function engineAliases(): Record<string, string> {
  // createRequire: under the tests' types, the global `require` is WeChat's, without resolve().
  const { resolve } = createRequire(__filename);
  const simulateDir = path.dirname(resolve('miniprogram-simulate/package.json'));
  const jComponentDir = path.dirname(resolve('j-component/package.json', { paths: [simulateDir] }));
  const exparserDir = path.dirname(resolve('miniprogram-exparser/package.json', { paths: [jComponentDir] }));
  return { 'j-component': jComponentDir, 'miniprogram-exparser': exparserDir, 'miniprogram-simulate': simulateDir };
}

export function renderHostPage(title: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="preview.css">
<link rel="stylesheet" href="app.css">
</head>
<body>
<div id="pv-root"><noscript>预览需要启用 JavaScript / The preview needs JavaScript.</noscript></div>
<script src="preview.js"></script>
</body>
</html>
`;
}

/** Every esbuild run of the preview: one script for the browser, with its source map. */
const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'silent',
  // j-component assigns its built-in behaviors to `global`.
  define: { global: 'globalThis' },
  absWorkingDir: PACKAGE_ROOT,
} as const satisfies BuildOptions;

/** The global through which the pages' half of preview.js hands `virtual:miniprogram` to the runtime's half. */
const PAGES_GLOBAL = '__wxPreviewMiniprogram';

/** Where the runtime is built (in memory): the folder its source maps' paths are relative to until they are rebased. */
const RUNTIME_OUT_DIR = path.join(PACKAGE_ROOT, '.build', 'runtime');

interface RuntimeBundle {
  js: ScriptWithMap;
  css: string;
  cssMap: SourceMapV3;
  /** Every file it bundles, absolute, and the SHA-256 of each: it is built again when one changes. */
  bundled: string[];
  contents: Map<string, string>;
}

let runtimeBuild: Promise<RuntimeBundle> | null = null;

function contentHash(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

/** The files of a build's metafile, absolute (plugins' virtual modules left out). */
function bundledFiles(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs)
    .filter((input) => !input.includes(':'))
    .map((input) => path.resolve(PACKAGE_ROOT, input));
}

const SCRIPT_MAP_COMMENT = /\n?\/\/# sourceMappingURL=[^\n]*\n?$/;

/**
 * The runtime's half of preview.js and all of preview.css: the same for every project, so built once
 * per process (the tests build many small projects) and again only when one of its files changed.
 */
async function runtimeBundle(): Promise<RuntimeBundle> {
  const unchanged = (contents: Iterable<[string, string]>) => [...contents].every(([file, hash]) => contentHash(file) === hash);
  const kept = await runtimeBuild?.catch(() => null);
  if (kept && unchanged(kept.contents)) return kept;
  const folder = process.env[RUNTIME_CACHE_VARIABLE];
  const entry = folder
    ? path.join(
        folder,
        `runtime-${createHash('sha256')
          .update(JSON.stringify([esbuildVersion, RUNTIME_ENTRY, BUNDLE_OPTIONS]))
          .digest('hex')
          .slice(0, 16)}.json`,
      )
    : null;
  const stored = entry ? readStoredRuntime(entry) : null;
  if (stored && unchanged(stored.contents)) {
    runtimeBuild = Promise.resolve(stored);
    return stored;
  }
  const pagesFromGlobal: Plugin = {
    name: 'pages-from-global',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^virtual:miniprogram$/ }, () => ({ path: 'miniprogram', namespace: 'preview-pages' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'preview-pages' }, () => ({
        contents: `module.exports = ${PAGES_GLOBAL};`,
        loader: 'js',
      }));
    },
  };
  const started = build({
    entryPoints: { preview: RUNTIME_ENTRY },
    ...BUNDLE_OPTIONS,
    outdir: RUNTIME_OUT_DIR,
    alias: engineAliases(),
    plugins: [pagesFromGlobal],
  }).then((result) => {
    const text = (name: string) => result.outputFiles.find((file) => file.path === path.join(RUNTIME_OUT_DIR, name))?.text ?? '';
    const bundled = bundledFiles(result.metafile);
    const runtime: RuntimeBundle = {
      js: { code: text('preview.js').replace(SCRIPT_MAP_COMMENT, '\n'), map: JSON.parse(text('preview.js.map')) as SourceMapV3 },
      css: text('preview.css'),
      cssMap: JSON.parse(text('preview.css.map') || '{"version":3,"sources":[],"names":[],"mappings":""}') as SourceMapV3,
      bundled,
      contents: new Map(bundled.map((file) => [file, contentHash(file) ?? ''])),
    };
    if (entry) storeRuntime(entry, runtime);
    return runtime;
  });
  runtimeBuild = started;
  return started;
}

/**
 * The runtime's build kept for other processes when MINIPROGRAM_PREVIEW_RUNTIME_CACHE names a folder
 * (this repository's test run: each test file builds previews in a module registry of its own);
 * unset, nothing is kept. Used only while every file it bundled has the content it had.
 */
export const RUNTIME_CACHE_VARIABLE = 'MINIPROGRAM_PREVIEW_RUNTIME_CACHE';

function readStoredRuntime(entry: string): RuntimeBundle | null {
  try {
    const stored = JSON.parse(readFileSync(entry, 'utf8')) as Omit<RuntimeBundle, 'contents'> & { contents: Record<string, string> };
    return { ...stored, contents: new Map(Object.entries(stored.contents)) };
  } catch {
    return null;
  }
}

/** Whole or not at all (a rename): another process may read it at any moment. A cache that cannot be written is only slower. */
function storeRuntime(entry: string, runtime: RuntimeBundle): void {
  try {
    mkdirSync(path.dirname(entry), { recursive: true });
    const partial = `${entry}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify({ ...runtime, contents: Object.fromEntries(runtime.contents) }));
    renameSync(partial, entry);
  } catch {}
}

/** A source map of a build into RUNTIME_OUT_DIR, its paths made relative to `outDir`. */
function rebased(map: SourceMapV3, outDir: string): SourceMapV3 {
  const sources = map.sources.map((source) =>
    source.includes(':') ? source : path.relative(outDir, path.resolve(RUNTIME_OUT_DIR, source)).split(path.sep).join('/'),
  );
  return { ...map, sources };
}

/** preview.js (the pages, then the runtime) and preview.css (the runtime's), each with its source map. */
function previewFiles(
  pages: OutputFile[],
  runtime: RuntimeBundle,
  outDir: string,
): { js: string; map: string; css: string; cssMap: string } {
  const text = (name: string) => pages.find((file) => file.path === path.join(outDir, name))?.text ?? '';
  const joined = joinScripts(
    { code: text('preview.js').replace(SCRIPT_MAP_COMMENT, '\n'), map: JSON.parse(text('preview.js.map')) as SourceMapV3 },
    { code: runtime.js.code, map: rebased(runtime.js.map, outDir) },
  );
  return {
    js: `${joined.code}//# sourceMappingURL=preview.js.map\n`,
    map: JSON.stringify(joined.map),
    css: runtime.css,
    cssMap: JSON.stringify(rebased(runtime.cssMap, outDir)),
  };
}

export async function buildPreview(options: BuildPreviewOptions = {}): Promise<PreviewBuildResult> {
  const started = Date.now();
  const miniprogramRoot = path.resolve(options.miniprogramRoot ?? defaultMiniprogramRoot());
  const outDir = path.resolve(options.outDir ?? defaultOutDir());
  const reader = fileReader(miniprogramRoot);
  const inputs = (): string[] => [...reader.read];
  const failed = (errors: string[]): PreviewBuildResult => ({ ok: false, errors, inputs: inputs(), durationMs: Date.now() - started });

  let manifest: AppManifest;
  let styles: string;
  try {
    manifest = readAppManifest(reader);
    const built = buildStyles(manifest, reader, (file, text) =>
      compileStyleSource(file, text, miniprogramRoot, (loaded) => reader.read.add(loaded)),
    );
    styles = built.css;
    manifest = { ...manifest, unsupported: [...manifest.unsupported, ...built.warnings] };
  } catch (error) {
    if (error instanceof ManifestError || error instanceof WxssSyntaxError) return failed([error.message]);
    throw error;
  }

  let metafileInputs: string[] = [];
  let bundled: string[] = [];
  let output: { js: string; map: string; css: string; cssMap: string };
  const assignments: ConstantAssignment[] = [];
  const bundle = () =>
    build({
      // The pages' half of preview.js: `virtual:miniprogram` handed to the runtime as PAGES_GLOBAL.
      entryPoints: { preview: 'virtual:miniprogram' },
      globalName: PAGES_GLOBAL,
      ...BUNDLE_OPTIONS,
      outdir: outDir,
      alias: engineAliases(),
      plugins: [
        manifestPlugin(manifest, miniprogramRoot),
        miniprogramNpmPlugin(miniprogramRoot),
        constantAssignmentsPlugin(assignments),
        mixedModulesPlugin(miniprogramRoot),
      ],
    });
  try {
    const runtime = runtimeBundle();
    let result: Awaited<ReturnType<typeof bundle>> | null = null;
    // esbuild stops at the first such error of a file: a few rounds find the rest.
    for (let round = 0; result === null; round += 1) {
      try {
        result = await bundle();
      } catch (error) {
        const messages = (error as { errors?: Parameters<typeof constantAssignmentsIn>[0] }).errors;
        const more = messages && round < 5 ? constantAssignmentsIn(messages, miniprogramRoot) : null;
        if (!more || more.length === 0) throw error;
        assignments.push(...more);
      }
    }
    const shared = await runtime;
    bundled = [...new Set([...shared.bundled, ...bundledFiles(result.metafile)])];
    metafileInputs = bundled.filter((input) => !input.includes('node_modules'));
    output = previewFiles(result.outputFiles, shared, outDir);
  } catch (error) {
    const messages = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    if (!messages) throw error;
    return failed(
      messages.map((message) =>
        message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ${message.text}` : message.text,
      ),
    );
  }

  for (const assignment of assignments)
    manifest.unsupported.push(
      `${path.relative(miniprogramRoot, assignment.file)}:${assignment.line}: assigns to the constant "${assignment.name}" (throws a TypeError when it runs, as in WeChat)`,
    );
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'preview.js'), output.js);
  writeFileSync(path.join(outDir, 'preview.js.map'), output.map);
  writeFileSync(path.join(outDir, 'preview.css'), output.css);
  writeFileSync(path.join(outDir, 'preview.css.map'), output.cssMap);
  writeFileSync(path.join(outDir, 'app.css'), styles);
  writeFileSync(path.join(outDir, 'index.html'), renderHostPage(`${manifest.window.navigationBarTitleText ?? '小程序'} · 浏览器预览`));
  return {
    ok: true,
    outDir,
    files: ['index.html', 'preview.js', 'preview.js.map', 'preview.css', 'preview.css.map', 'app.css'],
    inputs: [...new Set([...inputs(), ...metafileInputs])],
    bundled: [...new Set([...inputs(), ...bundled])],
    durationMs: Date.now() - started,
    unsupported: manifest.unsupported,
  };
}
