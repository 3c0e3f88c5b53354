/**
 * What the preview needs to know about the mini-program: app.json, and every page and custom
 * component with its JSON, template and script, components before the pages that use them
 * (a template is compiled against the components it names, so they register first).
 *
 * Pure over a SourceReader, so tests give it files in memory.
 */
import { posix } from 'node:path';
import type { TabBarConfig, TabBarItem, WindowConfig } from '../shared/bundle';

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
  /** Relative path of the stylesheet, or null when there is none. */
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
  /** Dependencies first. */
  modules: ModuleEntry[];
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
  };
}

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

/** Resolves a usingComponents value ('/components/x/index', '../x/index') against the user's path. */
export function resolveComponentPath(from: string, target: string): string {
  if (/^plugin(-private)?:\/\//.test(target))
    throw new ManifestError(`${from}.json: plugin components are not supported by the preview (${target})`);
  const joined = target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(from), target);
  const normalized = posix.normalize(joined);
  if (normalized.startsWith('..')) throw new ManifestError(`${from}.json: component "${target}" is outside the mini-program`);
  return normalized;
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
  const pages = (pagesField as string[]).map((page) => page.replace(/^\//, ''));
  const globalComponents = objectOfStrings(app['usingComponents'], 'app.json usingComponents');
  const entryPage = (stringField(app, 'entryPagePath') ?? pages[0] ?? '').replace(/^\//, '');
  if (!pages.includes(entryPage)) throw new ManifestError(`app.json entryPagePath "${entryPage}" is not in pages`);

  const tabBar = tabBarConfig(app, pages);
  const modules: ModuleEntry[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const usedIds = new Set<string>();

  function visit(path: string, kind: ModuleEntry['kind']): void {
    if (done.has(path)) return;
    if (visiting.includes(path)) throw new ManifestError(`components use each other in a cycle: ${[...visiting, path].join(' -> ')}`);
    visiting.push(path);
    const json = readJson(reader, `${path}.json`);
    const wxml = reader.readText(`${path}.wxml`);
    if (wxml === null) throw new ManifestError(`${path}.wxml is missing`);
    if (kind === 'component' && json['component'] !== true) throw new ManifestError(`${path}.json must say "component": true`);
    const own = objectOfStrings(json['usingComponents'], `${path}.json usingComponents`);
    // app.json's global components count where the template uses them (else two global
    // components would "use" each other, and every component itself).
    const global = Object.entries(globalComponents).filter(([tag]) => new RegExp(`<${tag}[\\s/>]`).test(wxml));
    const usingComponents: Record<string, string> = {};
    for (const [tag, target] of [...global, ...Object.entries(own)]) {
      const resolved = resolveComponentPath(path, target);
      visit(resolved, 'component');
      usingComponents[tag] = resolved;
    }
    let id = moduleId(path);
    for (let suffix = 2; usedIds.has(id); suffix += 1) id = `${moduleId(path)}-${suffix}`;
    usedIds.add(id);
    const wxssPath = reader.readText(`${path}.wxss`) === null ? null : `${path}.wxss`;
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

  return {
    pages,
    entryPage,
    window: windowConfig(typeof app['window'] === 'object' && app['window'] !== null ? (app['window'] as Json) : {}),
    tabBar,
    usePrivacyCheck: app['__usePrivacyCheck__'] === true,
    appScriptPath: scriptOf(reader, 'app'),
    appWxssPath: reader.readText('app.wxss') === null ? null : 'app.wxss',
    modules,
  };
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
