/**
 * The mini-program side of an install: which of this repository's client files a selection of pages
 * needs, and how each is rewritten to live in one folder of another project.
 *
 * Nothing is listed by hand: the files are what the selected pages, their components and the
 * composition root import (followed through relative imports), so a file added to the kit later is
 * installed without touching this module. Rewrites:
 *   - relative imports point at the file's new place (typings/contract.d.ts moves into the folder);
 *   - page routes ('/pages/login/index') point into the folder, and the kit's home page becomes the
 *     project's own first page; TAB_ROUTES becomes the project's tabBar;
 *   - absolute component paths in page JSON ('/components/x/index') point into the folder;
 *   - for JavaScript projects, TypeScript becomes ES2020 CommonJS (esbuild) with .d.ts beside each
 *     module (tsc), because DevTools' JavaScript projects cannot import .ts.
 */
import { transform, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type TypeScript from 'typescript';
import { writeWhole } from '../write-whole';
import { sharedEntry } from './shared-entry';

const posix = path.posix;

export interface KitLayout {
  /** This repository. */
  root: string;
  /** The kit's mini-program folder, relative to root. */
  miniprogram: string;
  /** Files outside the mini-program folder that client code imports, and where they go in the install. */
  outside: Readonly<Record<string, string>>;
}

export function kitLayout(root: string): KitLayout {
  return { root, miniprogram: 'miniprogram', outside: { 'typings/contract.d.ts': 'typings/contract.d.ts' } };
}

/** The kit's demo home page is the project's own home once installed: never installed itself. */
const KIT_HOME_PAGE = 'index';
/** Always installed: the login service and the popup every privacy-using page needs. */
const ALWAYS_COMPONENTS = ['privacy-popup'];
const CORE_ENTRY = 'composition-root.ts';
/** The kit's app.wxss inside the install folder. */
const SHARED_STYLES = 'styles.wxss';

export interface ClientFile {
  /** Relative to the install folder, forward slashes. */
  path: string;
  content: string;
}

export class KitError extends Error {}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Pages the kit offers (folder names under miniprogram/pages), its demo home excluded. */
export function installablePages(kit: KitLayout): string[] {
  return listDir(path.join(kit.root, kit.miniprogram, 'pages')).filter(
    (name) => name !== KIT_HOME_PAGE && existsSync(path.join(kit.root, kit.miniprogram, 'pages', name, 'index.json')),
  );
}

/** Kit path (relative to the repo) -> path inside the install folder. */
function installedPath(kit: KitLayout, kitPath: string): string {
  const outside = kit.outside[kitPath];
  if (outside) return outside;
  const prefix = `${kit.miniprogram}/`;
  if (!kitPath.startsWith(prefix)) throw new KitError(`${kitPath} is outside the kit's mini-program and not a known shared file`);
  return kitPath.slice(prefix.length);
}

const IMPORT_PATTERN = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*)\2/gm;

function resolveImport(kit: KitLayout, fromKitPath: string, specifier: string): string {
  const base = posix.normalize(posix.join(posix.dirname(fromKitPath), specifier));
  for (const candidate of [`${base}.ts`, `${base}.d.ts`, `${base}/index.ts`, base]) {
    if (existsSync(path.join(kit.root, candidate)) && /\.ts$/.test(candidate)) return candidate;
  }
  throw new KitError(`${fromKitPath}: cannot resolve import '${specifier}'`);
}

function importsOf(kit: KitLayout, kitPath: string, text: string): string[] {
  return [...text.matchAll(IMPORT_PATTERN)].map((match) => resolveImport(kit, kitPath, match[3] as string));
}

/** Page name -> the route the kit's code uses for it, read from navigation/routes.ts's ROUTES. */
function routeKeys(kit: KitLayout): Map<string, string> {
  const file = path.join(kit.root, kit.miniprogram, 'navigation', 'routes.ts');
  const text = readFileSync(file, 'utf8');
  const keys = new Map<string, string>();
  for (const match of text.matchAll(/^\s*(\w+):\s*'\/pages\/([\w-]+)\/index',?$/gm)) keys.set(match[1] as string, match[2] as string);
  if (keys.size === 0) throw new KitError('navigation/routes.ts: no ROUTES entries found');
  return keys;
}

interface Selection {
  pages: string[];
  components: string[];
  /** Page -> why it was added ('' when asked for). */
  reasons: Map<string, string>;
}

function componentsOfJson(kit: KitLayout, jsonKitPath: string): string[] {
  const json = JSON.parse(readFileSync(path.join(kit.root, jsonKitPath), 'utf8')) as { usingComponents?: Record<string, string> };
  return Object.values(json.usingComponents ?? {}).flatMap((target) => {
    const match = /^\/components\/([\w-]+)\/index$/.exec(target);
    return match ? [match[1] as string] : [];
  });
}

/**
 * Script closure of `entries` (kit paths), in a stable order.
 * Also returns the ROUTES keys those scripts navigate to, which decide page dependencies.
 */
function scriptClosure(kit: KitLayout, entries: string[]): { scripts: string[]; routes: Set<string> } {
  const seen = new Set<string>();
  const routes = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    const text = readFileSync(path.join(kit.root, next), 'utf8');
    // TAB_ROUTES names the kit's own tab pages, which are the project's tabs once installed.
    const navigating = text.replace(/^export const TAB_ROUTES\b.*$/m, '');
    for (const match of navigating.matchAll(/\bROUTES\.(\w+)/g)) routes.add(match[1] as string);
    queue.push(...importsOf(kit, next, text));
  }
  return { scripts: [...seen].sort(), routes };
}

/** The asked pages plus every page they navigate to, and the components they all use. */
export function resolveSelection(kit: KitLayout, asked: string[]): Selection {
  const available = installablePages(kit);
  for (const page of asked) {
    if (!available.includes(page)) throw new KitError(`没有名为 ${page} 的页面；可选：${available.join(', ')}`);
  }
  const keys = routeKeys(kit);
  const reasons = new Map<string, string>(asked.map((page) => [page, '']));
  const queue = [...asked];
  while (queue.length > 0) {
    const page = queue.shift() as string;
    const { routes } = scriptClosure(kit, [`${kit.miniprogram}/pages/${page}/index.ts`]);
    for (const key of routes) {
      const target = keys.get(key);
      if (!target || target === KIT_HOME_PAGE || reasons.has(target)) continue;
      reasons.set(target, page);
      queue.push(target);
    }
  }
  // Asked pages first, in the order asked; then what they open, in the order found.
  const pages = [...reasons.keys()];
  const components = new Set(ALWAYS_COMPONENTS);
  const queue2 = pages.flatMap((page) => componentsOfJson(kit, `${kit.miniprogram}/pages/${page}/index.json`));
  queue2.push(...[...components].flatMap((component) => componentsOfJson(kit, `${kit.miniprogram}/components/${component}/index.json`)));
  // Components use components too (the phone recovery shows the link preview sheet).
  while (queue2.length > 0) {
    const component = queue2.shift() as string;
    if (components.has(component)) continue;
    components.add(component);
    queue2.push(...componentsOfJson(kit, `${kit.miniprogram}/components/${component}/index.json`));
  }
  return { pages, components: [...components].sort(), reasons };
}

export interface ClientTarget {
  /** Install folder relative to the project's miniprogramRoot, e.g. 'wx-cloud-login'. */
  folder: string;
  language: 'typescript' | 'javascript';
  /** The project's first page and its tab pages (app.json paths without a leading '/'). */
  homePage: string;
  tabPages: string[];
  /** The name the login function is deployed under ('login' unless --function-name). */
  functionName: string;
  brand: Brand;
  /** The project's app.json sets "navigationStyle": "custom": each page gets its own bar (components/nav-bar). */
  customNavigation: boolean;
}

/** The kit's own navigation bar (miniprogram/components/nav-bar). */
const NAV_BAR = 'nav-bar';
const NAV_BAR_ID = 'wx-cloud-login-nav-bar';

/** A page's WXML and JSON with its own navigation bar on top, titled as its JSON titles it. */
function withNavigationBar(name: string, text: string, pageJson: string): string {
  if (name.endsWith('.json')) {
    const json = JSON.parse(text) as { usingComponents?: Record<string, string> };
    json.usingComponents = { ...json.usingComponents, [NAV_BAR]: `/components/${NAV_BAR}/index` };
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const title = (JSON.parse(pageJson) as { navigationBarTitleText?: unknown }).navigationBarTitleText;
  const attribute = typeof title === 'string' ? title.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`).replace(/{{/g, '{ {') : '';
  return `<!-- app.json sets "navigationStyle": "custom": the page's own bar (added by npm run add). -->\n<${NAV_BAR} id="${NAV_BAR_ID}" title="${attribute}" />\n${text}`;
}

/** What the team gave of its product name, logo and the agreement's operator; undefined: the kit's default stays. */
export interface Brand {
  name?: string;
  logoUrl?: string;
  operator?: string;
}

/** One line of the 用户隐私保护指引 the installed pages need, and what uses it. */
export interface PrivacyUse {
  info: string;
  use: string;
}

/**
 * The personal information WeChat's privacy guide must declare, and how to tell a page or
 * component uses it: from its WXML (the open-type buttons and inputs) or, for the clipboard, from
 * its script's call. Comments never count.
 */
const PRIVACY_USES: ReadonlyArray<PrivacyUse & { in: 'wxml' | 'ts'; pattern: RegExp }> = [
  { info: '头像', use: '选择头像（<button open-type="chooseAvatar">）', in: 'wxml', pattern: /open-type="chooseAvatar"/ },
  { info: '昵称', use: '填写昵称（<input type="nickname">）', in: 'wxml', pattern: /type="nickname"/ },
  { info: '手机号', use: '手机号快速验证 / 实时验证（绑定、找回账号）', in: 'wxml', pattern: /getphonenumber|getrealtimephonenumber/i },
  {
    info: '剪切板',
    use: '复制「下载我的信息」的内容（wx.setClipboardData）',
    in: 'ts',
    pattern: /\bhandOverExport\(|\bsetClipboardData\(/,
  },
];

function privacyUses(kit: KitLayout, folders: string[]): PrivacyUse[] {
  const textOf = (extension: 'wxml' | 'ts') =>
    folders
      .flatMap((folder) =>
        listDir(path.join(kit.root, folder))
          .filter((name) => name.endsWith(`.${extension}`))
          .map((name) => readFileSync(path.join(kit.root, folder, name), 'utf8')),
      )
      .join('\n')
      .replace(extension === 'ts' ? /\/\*[\s\S]*?\*\/|\/\/.*$/gm : /<!--[\s\S]*?-->/g, '');
  const text = { wxml: textOf('wxml'), ts: textOf('ts') };
  return PRIVACY_USES.filter((use) => use.pattern.test(text[use.in])).map(({ info, use }) => ({ info, use }));
}

/** `line` in `text` replaced by `replacement`; a kit whose line moved fails loudly rather than installing the default. */
function replaceLine(text: string, line: RegExp, replacement: string, where: string): string {
  if (!line.test(text)) throw new KitError(`${where}: the line to configure was not found`);
  return text.replace(line, replacement);
}

function rewriteRoutes(text: string, target: ClientTarget): string {
  return text.replace(/(['"`])\/pages\/([\w-]+)\/index(?=['"`?])/g, (_match, quote: string, page: string) =>
    page === KIT_HOME_PAGE ? `${quote}/${target.homePage}` : `${quote}/${target.folder}/pages/${page}/index`,
  );
}

function rewriteScript(kit: KitLayout, kitPath: string, text: string, target: ClientTarget): string {
  const from = installedPath(kit, kitPath);
  let out = text.replace(IMPORT_PATTERN, (_match, lead: string, quote: string, specifier: string) => {
    const to = installedPath(kit, resolveImport(kit, kitPath, specifier)).replace(/(\.d)?\.ts$/, '');
    let relative = posix.relative(posix.dirname(from), to);
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `${lead}${quote}${relative}${quote}`;
  });
  out = rewriteRoutes(out, target);
  if (kitPath.endsWith('navigation/routes.ts')) {
    const tabs = `[${target.tabPages.map((page) => `'/${page}'`).join(', ')}]`;
    const replaced = out.replace(/^(export const TAB_ROUTES: readonly string\[\] = ).*;$/m, `$1${tabs};`);
    if (replaced === out && !out.includes(`= ${tabs};`)) throw new KitError('navigation/routes.ts: TAB_ROUTES line not found');
    out = replaced;
  }
  if (kitPath === `${kit.miniprogram}/config.ts`) {
    if (target.functionName !== 'login')
      out = replaceLine(
        out,
        /^(export const FUNCTION_NAMES: Readonly<Record<string, string>> = )\{\};$/m,
        `$1{ login: ${JSON.stringify(target.functionName)} };`,
        'config.ts FUNCTION_NAMES',
      );
    const { name, logoUrl } = target.brand;
    if (name !== undefined || logoUrl !== undefined) {
      const brand = {
        name: name ?? '微信云登录',
        logoText: name === undefined ? '云' : (Array.from(name)[0] ?? ''),
        logoUrl: logoUrl ?? '',
      };
      out = replaceLine(
        out,
        /^(export const BRAND: Readonly<\{ name: string; logoText: string; logoUrl: string \}> = ).*;$/m,
        `$1{ name: ${JSON.stringify(brand.name)}, logoText: ${JSON.stringify(brand.logoText)}, logoUrl: ${JSON.stringify(brand.logoUrl)} };`,
        'config.ts BRAND',
      );
    }
  }
  if (kitPath === `${kit.miniprogram}/pages/agreement/documents.ts` && target.brand.operator !== undefined) {
    out = replaceLine(out, /^(\s*operator: ).*,$/m, `$1${JSON.stringify(target.brand.operator)},`, 'agreement/documents.ts operator');
  }
  return out;
}

function rewriteJson(text: string, target: ClientTarget): string {
  return text.replace(/"\/components\//g, `"/${target.folder}/components/`);
}

/** tsc's answers per kit and target: an install plans the same sources more than once (tests, --dry-run then a run). */
const declarationCache = new Map<string, Map<string, string>>();

/**
 * .d.ts of `modules` (pages and components excluded: nothing imports them). tsc runs once per kit
 * and target over every installable file, whatever the selection: a module's declarations depend
 * only on what it imports, and one program is most of the cost.
 */
async function declarations(kit: KitLayout, target: ClientTarget, modules: Set<string>): Promise<ClientFile[]> {
  // Brand and function name only change values of declared types: the declarations are the same.
  const key = JSON.stringify([kit.root, target.folder, target.language, target.homePage, target.tabPages]);
  let all = declarationCache.get(key);
  if (!all) {
    const everything = resolveSelection(kit, installablePages(kit));
    const { scripts } = scriptClosure(kit, entryScriptsOf(kit, everything));
    const sources = scripts.map((kitPath) => ({
      path: installedPath(kit, kitPath),
      content: rewriteScript(kit, kitPath, readFileSync(path.join(kit.root, kitPath), 'utf8'), target),
    }));
    all = await storedDeclarations(kit, sources);
    declarationCache.set(key, all);
  }
  const emitted = all;
  return [...modules].sort().map((module) => {
    const file = module.replace(/\.ts$/, '.d.ts');
    const content = emitted.get(file);
    if (content === undefined) throw new KitError(`no declarations for ${module}`);
    return { path: file, content };
  });
}

/**
 * The declarations of `files`, kept between processes when WX_CLOUD_LOGIN_DECLARATIONS_CACHE names a
 * folder (this repository's test suite runs many installs in many processes, each needing the same
 * declarations: one emits them while any other waits, see shared-entry.ts); unset, nothing is kept.
 * An entry is keyed by everything tsc reads: its version, the typings' folder and version, and every
 * source as rewritten for the target.
 */
const DECLARATIONS_CACHE_VARIABLE = 'WX_CLOUD_LOGIN_DECLARATIONS_CACHE';

async function storedDeclarations(kit: KitLayout, files: ClientFile[]): Promise<Map<string, string>> {
  const folder = process.env[DECLARATIONS_CACHE_VARIABLE];
  if (!folder) return emitDeclarations(kit, files);
  const typings = typingsRoot(kit);
  const versionOf = (manifest: string) => (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        typescript: versionOf(createRequire(__filename).resolve('typescript/package.json')),
        typings: [typings, versionOf(path.join(typings, 'miniprogram-api-typings', 'package.json'))],
        files,
      }),
    )
    .digest('hex');
  const text = await sharedEntry(path.join(folder, `${key}.json`), () => JSON.stringify(Object.fromEntries(emitDeclarations(kit, files))));
  try {
    return new Map(Object.entries(JSON.parse(text) as Record<string, string>));
  } catch {
    // An entry cut short or edited by hand: the answer is only slower.
    return emitDeclarations(kit, files);
  }
}

/** Wherever npm put the typings: the kit's node_modules in a clone, hoisted beside the installed wx-cloud-login package otherwise. */
function typingsRoot(kit: KitLayout): string {
  return path.dirname(path.dirname(createRequire(path.join(kit.root, 'package.json')).resolve('miniprogram-api-typings/package.json')));
}

/** tsc, loaded when declarations are emitted (not on every install: loading it is a large part of a run). */
function typescript(): typeof TypeScript {
  return require('typescript') as typeof TypeScript;
}

function emitDeclarations(kit: KitLayout, files: ClientFile[]): Map<string, string> {
  const ts = typescript();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wx-cloud-login-dts-'));
  try {
    for (const file of files) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.content);
    }
    const options: TypeScript.CompilerOptions = {
      declaration: true,
      emitDeclarationOnly: true,
      strict: true,
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2020.d.ts'],
      types: ['miniprogram-api-typings'],
      typeRoots: [typingsRoot(kit)],
      skipLibCheck: true,
      rootDir: dir,
      outDir: path.join(dir, '.out'),
    };
    const roots = files.filter((file) => file.path.endsWith('.ts')).map((file) => path.join(dir, file.path));
    const host = ts.createCompilerHost(options);
    // tsc's own default (TypeScript 5.3 and later): JSDoc parsed where it can carry a type or an
    // error, not the typings' documentation, most of their text. The declarations are the same
    // (comments are copied from the source text): a fifth of the program's creation saved.
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
    const program = ts.createProgram(roots, options, host);
    const emitted = new Map<string, string>();
    const result = program.emit(undefined, (fileName, text) => {
      emitted.set(
        path
          .relative(options.outDir as string, fileName)
          .split(path.sep)
          .join('/'),
        text,
      );
    });
    const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) throw new KitError(`.d.ts generation failed:\n${ts.formatDiagnostics(errors, host)}`);
    return emitted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function foldersOf(kit: KitLayout, selection: Selection): string[] {
  return [
    ...selection.pages.map((page) => `${kit.miniprogram}/pages/${page}`),
    ...selection.components.map((component) => `${kit.miniprogram}/components/${component}`),
  ];
}

function entryScriptsOf(kit: KitLayout, selection: Selection): string[] {
  return [`${kit.miniprogram}/${CORE_ENTRY}`, ...foldersOf(kit, selection).map((folder) => `${folder}/index.ts`)];
}

export interface ClientInstall {
  files: ClientFile[];
  pages: string[];
  components: string[];
  reasons: Map<string, string>;
  /** What the installed pages and components need declared in the 用户隐私保护指引. */
  privacy: PrivacyUse[];
}

/** esbuild's JavaScript by file and text: an install plans the same sources more than once (tests, --dry-run then a run). */
const javascript = new Map<string, Promise<string>>();

function javascriptOf(file: ClientFile): Promise<string> {
  const key = `${file.path}\0${file.content}`;
  let code = javascript.get(key);
  if (!code) {
    code = storedJavascript(file);
    // A failed transform is not kept: the next plan asks esbuild again.
    code.catch(() => javascript.delete(key));
    javascript.set(key, code);
  }
  return code;
}

/**
 * The JavaScript of one file, kept between processes when WX_CLOUD_LOGIN_JAVASCRIPT_CACHE names a
 * folder: this repository's test suite installs into JavaScript projects from many test files, each
 * loading the installer afresh, and each started an esbuild of its own for the same files; unset,
 * nothing is kept. An entry is keyed by esbuild's version, the options and the file's path and text.
 */
export const JAVASCRIPT_CACHE_VARIABLE = 'WX_CLOUD_LOGIN_JAVASCRIPT_CACHE';
const TO_JAVASCRIPT = { loader: 'ts', format: 'cjs', target: 'es2020' } as const;

/** Where the JavaScript of `file` is kept in the cache `folder`. */
export function storedJavascriptPath(folder: string, file: ClientFile): string {
  const key = createHash('sha256')
    .update(JSON.stringify([esbuildVersion, TO_JAVASCRIPT, file.path, file.content]))
    .digest('hex');
  return path.join(folder, `${key}.js`);
}

export async function storedJavascript(file: ClientFile): Promise<string> {
  const folder = process.env[JAVASCRIPT_CACHE_VARIABLE];
  const stored = folder ? storedJavascriptPath(folder, file) : null;
  if (stored && existsSync(stored)) {
    try {
      return readFileSync(stored, 'utf8');
    } catch {}
  }
  const { code } = await transform(file.content, { ...TO_JAVASCRIPT, sourcefile: file.path });
  if (stored) writeWhole(stored, code);
  return code;
}

/** Every file of the client install, rewritten for `target`, in a stable order. */
export async function clientFiles(kit: KitLayout, asked: string[], target: ClientTarget): Promise<ClientInstall> {
  const selection = resolveSelection(kit, asked);
  if (target.customNavigation && !selection.components.includes(NAV_BAR)) selection.components = [...selection.components, NAV_BAR].sort();
  const folders = foldersOf(kit, selection);
  const { scripts } = scriptClosure(kit, entryScriptsOf(kit, selection));
  const entryScripts = new Set(folders.map((folder) => installedPath(kit, `${folder}/index.ts`)));

  const typescript: ClientFile[] = scripts.map((kitPath) => ({
    path: installedPath(kit, kitPath),
    content: rewriteScript(kit, kitPath, readFileSync(path.join(kit.root, kitPath), 'utf8'), target),
  }));
  const pageFolders = new Set(selection.pages.map((page) => `${kit.miniprogram}/pages/${page}`));
  const assets: ClientFile[] = folders.flatMap((folder) =>
    listDir(path.join(kit.root, folder))
      .filter((name) => /\.(json|wxml|wxss)$/.test(name))
      .map((name) => {
        let text = readFileSync(path.join(kit.root, folder, name), 'utf8');
        const installed = installedPath(kit, `${folder}/${name}`);
        if (target.customNavigation && pageFolders.has(folder) && /^index\.(json|wxml)$/.test(name))
          text = withNavigationBar(name, text, readFileSync(path.join(kit.root, folder, 'index.json'), 'utf8'));
        if (name.endsWith('.json')) return { path: installed, content: rewriteJson(text, target) };
        // The kit's pages are styled on top of its app.wxss; the project has its own, so each page imports the kit's.
        if (name.endsWith('.wxss') && pageFolders.has(folder)) {
          const shared = posix.relative(posix.dirname(installed), SHARED_STYLES);
          return { path: installed, content: `@import "${shared}";\n\n${text}` };
        }
        return { path: installed, content: rewriteRoutes(text, target) };
      }),
  );
  const appWxss = readFileSync(path.join(kit.root, kit.miniprogram, 'app.wxss'), 'utf8');
  assets.push({
    path: SHARED_STYLES,
    content: `/* wx-cloud-login's app.wxss: imported by its pages only, the project's own app.wxss is untouched. */\n${appWxss}`,
  });

  let scriptsOut: ClientFile[];
  if (target.language === 'typescript') {
    scriptsOut = typescript;
  } else {
    const compiled = await Promise.all(
      typescript.map(async (file) => {
        if (file.path.endsWith('.d.ts')) return file;
        const code = await javascriptOf(file);
        return {
          path: file.path.replace(/\.ts$/, '.js'),
          content: `// Generated from wx-cloud-login's TypeScript (npm run add). Edit the kit, then run npm run add -- <project> --update.\n${code}`,
        };
      }),
    );
    const modules = new Set(typescript.map((file) => file.path).filter((file) => !file.endsWith('.d.ts') && !entryScripts.has(file)));
    scriptsOut = [...compiled, ...(await declarations(kit, target, modules))];
  }
  const files = [...scriptsOut, ...assets].sort((a, b) => a.path.localeCompare(b.path));
  return {
    files,
    pages: selection.pages,
    components: selection.components,
    reasons: selection.reasons,
    privacy: privacyUses(kit, folders),
  };
}
