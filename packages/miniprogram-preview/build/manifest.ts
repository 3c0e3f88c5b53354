/**
 * What the preview needs to know about the mini-program: app.json, and every page and custom
 * component with its JSON, template and script, components before the pages that use them
 * (a template is compiled against the components it names, so they register first; in a recursion,
 * which WeChat allows, the component used by one of its own descendants comes last).
 *
 * Pure over a SourceReader, so tests give it files in memory.
 */
import { posix } from 'node:path';
import type { TabBarConfig, TabBarItem, WindowConfig } from '../shared/bundle';
import { prepareWxml } from './wxml';

export type { TabBarConfig, TabBarItem, WindowConfig } from '../shared/bundle';

/** Reads a file of the mini-program by its path relative to the mini-program root; null when absent. */
export interface SourceReader {
  readText(relativePath: string): string | null;
}

export interface ModuleEntry {
  /** 'pages/login/index': the path without extension, relative to the mini-program root. */
  path: string;
  kind: 'page' | 'component';
  /** The j-component id and the class prefix: 'pages-login-index'. */
  id: string;
  /** The DOM tag of its root: 'user-avatar' for components/user-avatar/index; the id for pages. */
  tagName: string;
  /** Tag in the template -> module path of the component it names (app.json's global ones included). */
  usingComponents: Record<string, string>;
  /** The page's window settings (pages only). */
  window: WindowConfig;
  wxml: string;
  /** Relative path of the stylesheet (.wxss, else .scss/.sass/.less), or null when there is none. */
  wxssPath: string | null;
  /** Relative path of the script: index.ts, else index.js. */
  scriptPath: string;
}

export interface AppManifest {
  /** Routes in app.json order. */
  pages: string[];
  /** The first page opened: app.json entryPagePath, else the first page. */
  entryPage: string;
  window: WindowConfig;
  tabBar: TabBarConfig | null;
  /** app.json `__usePrivacyCheck__`: privacy APIs wait for the user's consent. */
  usePrivacyCheck: boolean;
  /** Relative path of app.ts / app.js. */
  appScriptPath: string;
  /** 'app.wxss' or null. */
  appWxssPath: string | null;
  /** Dependencies first (except where components recurse). */
  modules: ModuleEntry[];
  /** What the sources use that the preview does not render, each naming its file (build/wxml.ts). */
  unsupported: string[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;

function readJson(reader: SourceReader, path: string): Json {
  const text = reader.readText(path);
  if (text === null) throw new ManifestError(`${path} is missing`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ManifestError(`${path} must hold a JSON object`);
  return parsed as Json;
}

function stringField(json: Json, key: string): string | undefined {
  const value = json[key];
  return typeof value === 'string' ? value : undefined;
}

function windowConfig(json: Json): WindowConfig {
  const config: WindowConfig = {};
  const title = stringField(json, 'navigationBarTitleText');
  const background = stringField(json, 'navigationBarBackgroundColor');
  const textStyle = stringField(json, 'navigationBarTextStyle');
  const pageBackground = stringField(json, 'backgroundColor');
  const navigationStyle = stringField(json, 'navigationStyle');
  if (title !== undefined) config.navigationBarTitleText = title;
  if (background !== undefined) config.navigationBarBackgroundColor = background;
  if (textStyle === 'black' || textStyle === 'white') config.navigationBarTextStyle = textStyle;
  if (pageBackground !== undefined) config.backgroundColor = pageBackground;
  if (navigationStyle === 'default' || navigationStyle === 'custom') config.navigationStyle = navigationStyle;
  return config;
}

function tabBarConfig(json: Json, pages: string[]): TabBarConfig | null {
  const raw = json['tabBar'];
  if (typeof raw !== 'object' || raw === null) return null;
  const tabBar = raw as Json;
  const list = Array.isArray(tabBar['list']) ? (tabBar['list'] as unknown[]) : [];
  const items = list.map((item, index): TabBarItem => {
    const entry = typeof item === 'object' && item !== null ? (item as Json) : {};
    const pagePath = stringField(entry, 'pagePath') ?? '';
    if (!pages.includes(pagePath)) throw new ManifestError(`app.json tabBar.list[${index}].pagePath "${pagePath}" is not in pages`);
    return { pagePath, text: stringField(entry, 'text') ?? '' };
  });
  return {
    color: stringField(tabBar, 'color') ?? '#7a7e83',
    selectedColor: stringField(tabBar, 'selectedColor') ?? '#07c160',
    backgroundColor: stringField(tabBar, 'backgroundColor') ?? '#ffffff',
    borderStyle: stringField(tabBar, 'borderStyle') === 'white' ? 'white' : 'black',
    list: items,
    customId: null,
  };
}

const CUSTOM_TAB_BAR = 'custom-tab-bar/index';

/** 'pages/login/index' -> 'pages-login-index'. */
export function moduleId(path: string): string {
  return path
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/** 'components/user-avatar/index' -> 'user-avatar': the folder for an index file, else the file name. */
function componentTagName(path: string): string {
  const parts = path.split('/');
  const last = parts[parts.length - 1] ?? '';
  const name = (last === 'index' && parts.length > 1 ? parts[parts.length - 2] : last) ?? '';
  const tag = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  // A name without '-' could be mistaken for an HTML or built-in tag: use the full id then.
  return /^[a-z][a-z0-9]*-[a-z0-9-]*$/.test(tag) ? tag : moduleId(path);
}

/** 'pages/home' -> ['pages/home', 'pages', '']: a folder and each folder above it up to the root. */
function foldersUp(folder: string): string[] {
  const folders: string[] = [];
  for (let current = folder === '.' ? '' : folder; ; current = posix.dirname(current) === '.' ? '' : posix.dirname(current)) {
    folders.push(current);
    if (current === '') return folders;
  }
}

/**
 * Resolves a usingComponents value against the path of the page or component using it, as
 * DevTools does: '/components/x/index' from the root, './x' and '../x/index' from the user's folder,
 * and a bare path ('@vant/weapp/image/index', 'tdesign-miniprogram/button/button') relative to
 * the folder when a component is there, else through the nearest `miniprogram_npm` folder in it or
 * any folder above it (where 构建 npm and packNpmRelationList put the packages); a bare package name,
 * like any path naming a folder, means its `index`.
 */
export function resolveComponentPath(from: string, target: string, reader?: SourceReader): string {
  if (/^plugin(-private)?:\/\//.test(target))
    throw new ManifestError(`${from}.json: plugin components are not supported by the preview (${target})`);
  const folder = posix.dirname(from);
  const inside = (joined: string): string => {
    const normalized = posix.normalize(joined);
    if (normalized.startsWith('..')) throw new ManifestError(`${from}.json: component "${target}" is outside the mini-program`);
    return normalized;
  };
  if (!reader) return target.startsWith('/') ? inside(target.slice(1)) : inside(posix.join(folder, target));
  const exists = (candidate: string) => reader.readText(`${candidate}.json`) !== null;
  // A path naming a folder means that folder's index component (TDesign's starter writes './components/images-videos').
  const fileOrIndex = (candidate: string) =>
    !exists(candidate) && exists(posix.join(candidate, 'index')) ? posix.join(candidate, 'index') : candidate;
  if (target.startsWith('/')) return fileOrIndex(inside(target.slice(1)));
  if (target.startsWith('.')) return fileOrIndex(inside(posix.join(folder, target)));
  const relative = inside(posix.join(folder, target));
  if (exists(relative)) return relative;
  const looked: string[] = [`${relative}.json`];
  for (const up of foldersUp(folder)) {
    const base = posix.join(up, 'miniprogram_npm', target);
    for (const candidate of [base, posix.join(base, 'index')]) {
      if (exists(candidate)) return candidate;
      looked.push(`${candidate}.json`);
    }
  }
  throw new ManifestError(
    `${from}.json: component "${target}" was not found; looked for ${looked.join(', ')}. ` +
      'An npm component needs its miniprogram_npm folder: run 工具 → 构建 npm in DevTools (or copy the package there).',
  );
}

/** `path`.wxss, else the Sass or Less source DevTools would compile into it; null when none. */
function styleSourceOf(reader: SourceReader, path: string): string | null {
  for (const extension of ['.wxss', '.scss', '.sass', '.less']) {
    if (reader.readText(`${path}${extension}`) !== null) return `${path}${extension}`;
  }
  return null;
}

function scriptOf(reader: SourceReader, path: string): string {
  for (const extension of ['.ts', '.js']) {
    if (reader.readText(`${path}${extension}`) !== null) return `${path}${extension}`;
  }
  throw new ManifestError(`${path}.ts (or .js) is missing`);
}

export function readAppManifest(reader: SourceReader): AppManifest {
  const app = readJson(reader, 'app.json');
  const pagesField = app['pages'];
  if (!Array.isArray(pagesField) || pagesField.length === 0 || !pagesField.every((page) => typeof page === 'string')) {
    throw new ManifestError('app.json "pages" must list at least one page');
  }
  const pages = [...(pagesField as string[]), ...subpackagePages(app)].map((page) => page.replace(/^\//, ''));
  const globalComponents = objectOfStrings(app['usingComponents'], 'app.json usingComponents');
  const entryPage = (stringField(app, 'entryPagePath') ?? pages[0] ?? '').replace(/^\//, '');
  if (!pages.includes(entryPage)) throw new ManifestError(`app.json entryPagePath "${entryPage}" is not in pages`);

  const tabBar = tabBarConfig(app, pages);
  const modules: ModuleEntry[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const usedIds = new Set<string>();
  const unsupported: string[] = [];

  function visit(path: string, kind: ModuleEntry['kind']): void {
    // A component may use itself or one that uses it (a tree node rendering its children, as
    // mp-html's node does): WeChat renders that recursion. Such a user is emitted before the
    // component it names; the runtime reserves the name until it registers (runtime/engine.ts).
    if (done.has(path) || visiting.includes(path)) return;
    visiting.push(path);
    const json = readJson(reader, `${path}.json`);
    const source = reader.readText(`${path}.wxml`);
    if (source === null) throw new ManifestError(`${path}.wxml is missing`);
    const prepared = prepareWxml(path, source, reader);
    const wxml = prepared.wxml;
    unsupported.push(...prepared.unsupported);
    // WeChat takes custom-tab-bar/index as a component whether or not its JSON says so.
    if (kind === 'component' && json['component'] !== true && path !== CUSTOM_TAB_BAR)
      throw new ManifestError(`${path}.json must say "component": true`);
    const own = objectOfStrings(json['usingComponents'], `${path}.json usingComponents`);
    // app.json's global components count where the template uses them (else two global
    // components would "use" each other, and every component itself).
    const global = Object.entries(globalComponents).filter(([tag]) => new RegExp(`<${tag}[\\s/>]`).test(wxml));
    const usingComponents: Record<string, string> = {};
    // A global component's path is relative to app.json (the root), wherever it is used.
    const declared = [
      ...global.map(([tag, target]) => [tag, target, 'app'] as const),
      ...Object.entries(own).map(([tag, target]) => [tag, target, path] as const),
    ];
    for (const [tag, target, from] of declared) {
      const resolved = resolveComponentPath(from, target, reader);
      visit(resolved, 'component');
      usingComponents[tag] = resolved;
    }
    let id = moduleId(path);
    for (let suffix = 2; usedIds.has(id); suffix += 1) id = `${moduleId(path)}-${suffix}`;
    usedIds.add(id);
    const wxssPath = styleSourceOf(reader, path);
    modules.push({
      path,
      kind,
      id,
      tagName: kind === 'page' ? id : componentTagName(path),
      usingComponents,
      window: kind === 'page' ? windowConfig(json) : {},
      wxml,
      wxssPath,
      scriptPath: scriptOf(reader, path),
    });
    visiting.pop();
    done.add(path);
  }

  for (const page of pages) visit(page, 'page');
  if (tabBar && (app['tabBar'] as Json)['custom'] === true) {
    // DevTools' custom tab bar: the component custom-tab-bar/index replaces the native one.
    visit(CUSTOM_TAB_BAR, 'component');
    tabBar.customId = modules.find((entry) => entry.path === CUSTOM_TAB_BAR)?.id ?? null;
  }

  return {
    pages,
    entryPage,
    window: windowConfig(typeof app['window'] === 'object' && app['window'] !== null ? (app['window'] as Json) : {}),
    tabBar,
    usePrivacyCheck: app['__usePrivacyCheck__'] === true,
    appScriptPath: scriptOf(reader, 'app'),
    appWxssPath: styleSourceOf(reader, 'app'),
    modules,
    unsupported,
  };
}

/** app.json `subpackages` (or `subPackages`): each root's pages, as routes. */
function subpackagePages(app: Json): string[] {
  const field = app['subpackages'] ?? app['subPackages'];
  if (!Array.isArray(field)) return [];
  return field.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const root = stringField(entry as Json, 'root')?.replace(/\/+$/, '') ?? '';
    const pages = (entry as Json)['pages'];
    return Array.isArray(pages)
      ? pages.filter((page): page is string => typeof page === 'string').map((page) => posix.join(root, page))
      : [];
  });
}

function objectOfStrings(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ManifestError(`${where} must be an object`);
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new ManifestError(`${where}.${key} must be a path`);
    result[key] = entry;
  }
  return result;
}
