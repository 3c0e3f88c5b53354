/**
 * What the installer and `npm start -- --project` need to know about a WeChat DevTools project,
 * read from its project.config.json the way DevTools reads it: where the mini-program and the
 * cloud functions live, whether it is written in TypeScript (DevTools compiles .ts only with
 * `setting.useCompilerPlugins` naming "typescript"), and whether it builds npm packages into
 * miniprogram_npm.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, type Json, type JsonObject } from '../json-file';
import { parseJsonText } from './json-text';
import { isInside, isPlainRelative, resolveLoosely, SymlinkLoopError } from './project-paths';

export const PROJECT_CONFIG_FILE = 'project.config.json';

export interface DevToolsProject {
  root: string;
  /** Relative to root, forward slashes, no trailing slash; '' when it is the root itself. */
  miniprogramRoot: string;
  /** Relative to root as above; null when the project declares none. */
  cloudfunctionRoot: string | null;
  language: 'typescript' | 'javascript';
  /** A package.json beside the mini-program, or miniprogram_npm already built: npm packages in use. */
  usesMiniprogramNpm: boolean;
  /** DevTools turns ES2015+ into ES5 (setting.es6) or runs its enhanced compiler (setting.enhance). */
  transpilesModernSyntax: boolean;
  /** The project's pages in app.json order. */
  pages: string[];
  /** The page the mini-program opens first: app.json entryPagePath, else the first page. */
  homePage: string;
  /** app.json tabBar.list page paths. */
  tabPages: string[];
  /** app.json `__usePrivacyCheck__`: true, false, or undefined when it is not set. */
  usePrivacyCheck: boolean | undefined;
  /** app.json `window.navigationStyle` is "custom": WeChat draws no navigation bar on any page. */
  customNavigation: boolean;
}

export class ProjectError extends Error {}

/** 'miniprogram/' -> 'miniprogram'; './' -> ''. */
export function normalizeFolder(value: string): string {
  return path.posix
    .normalize(value.replace(/\\/g, '/'))
    .replace(/^\.\/?$/, '')
    .replace(/\/+$/, '')
    .replace(/^\.\//, '');
}

/**
 * A JSON object file of the project, `what` naming it in messages. Only a regular file is read (a
 * symlink to one is): a named pipe would block the read forever and a device never end it.
 */
export function readJsonObject(file: string, what: string): JsonObject {
  let regular: boolean;
  try {
    regular = statSync(file).isFile();
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new ProjectError(`${what}：无法读取（${code}）/ cannot be read (${code})`);
  }
  if (!regular) throw new ProjectError(`${what}：不是普通文件（目录、管道或设备），无法读取 / not a regular file`);
  let parsed: Json;
  try {
    const text = readFileSync(file, 'utf8');
    // Refuses duplicate keys: which of two "pages" DevTools reads is not something to guess.
    parseJsonText(text);
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProjectError(`${what}：无法读取或不是合法的 JSON（${reason}）`);
  }
  if (!isJsonObject(parsed)) throw new ProjectError(`${what}：顶层必须是 JSON 对象`);
  return parsed;
}

export function readProjectConfig(root: string): JsonObject {
  const file = path.join(root, PROJECT_CONFIG_FILE);
  if (!existsSync(file)) throw new ProjectError(`${root} 不是开发者工具项目：没有 ${PROJECT_CONFIG_FILE}`);
  return readJsonObject(file, PROJECT_CONFIG_FILE);
}

/**
 * A root of project.config.json must stay inside the project, with symlinks followed: the installer
 * writes there. `mayBeRoot`: miniprogramRoot may be the project root itself, cloudfunctionRoot not
 * (every folder of the project would be taken for a function).
 */
function checkRoot(root: string, field: string, value: string, mayBeRoot: boolean): void {
  const refuse = (why: string, english: string): never => {
    throw new ProjectError(
      `${PROJECT_CONFIG_FILE} 的 ${field}「${value}」${why}：wx-cloud-login 只在项目目录内写入，请改为项目内的目录 / ${field} "${value}" ${english}: the installer writes only inside the project`,
    );
  };
  if (value === '') {
    if (!mayBeRoot) refuse('是项目根目录本身', 'is the project root itself');
    return;
  }
  if (!isPlainRelative(value)) refuse('不是项目内的相对路径', 'is not a relative path inside the project');
  let resolved: string;
  try {
    resolved = resolveLoosely(path.join(root, value));
  } catch (error) {
    if (!(error instanceof SymlinkLoopError)) throw error;
    resolved = refuse('经过的符号链接太多（循环？）', 'passes too many symbolic links (a loop?)');
  }
  if (!isInside(root, resolved)) refuse(`经符号链接指向项目之外（${resolved}）`, `leads outside the project (${resolved})`);
}

export function detectProject(rootInput: string): DevToolsProject {
  if (!existsSync(rootInput)) throw new ProjectError(`${rootInput} 不存在 / does not exist`);
  const root = realpathSync(rootInput);
  const config = readProjectConfig(root);
  const miniprogramRoot = normalizeFolder(typeof config.miniprogramRoot === 'string' ? config.miniprogramRoot : '');
  const cloudfunctionRoot = typeof config.cloudfunctionRoot === 'string' ? normalizeFolder(config.cloudfunctionRoot) : null;
  checkRoot(root, 'miniprogramRoot', miniprogramRoot, true);
  if (cloudfunctionRoot !== null) checkRoot(root, 'cloudfunctionRoot', cloudfunctionRoot, false);
  const setting = isJsonObject(config.setting) ? config.setting : {};
  const plugins = Array.isArray(setting.useCompilerPlugins) ? setting.useCompilerPlugins : [];
  const language = plugins.some((plugin) => plugin === 'typescript' || (Array.isArray(plugin) && plugin[0] === 'typescript'))
    ? 'typescript'
    : 'javascript';

  const appJsonFile = path.join(root, miniprogramRoot, 'app.json');
  if (!existsSync(appJsonFile))
    throw new ProjectError(`${path.posix.join(miniprogramRoot, 'app.json')} 不存在：请检查 project.config.json 的 miniprogramRoot`);
  const app = readJsonObject(appJsonFile, path.posix.join(miniprogramRoot, 'app.json'));
  const pages = Array.isArray(app.pages) ? app.pages.filter((page): page is string => typeof page === 'string') : [];
  const tabBar = isJsonObject(app.tabBar) ? app.tabBar : {};
  const tabPages = (Array.isArray(tabBar.list) ? tabBar.list : []).flatMap((item) =>
    isJsonObject(item) && typeof item.pagePath === 'string' ? [item.pagePath] : [],
  );
  const entry = typeof app.entryPagePath === 'string' ? app.entryPagePath : pages[0];
  if (!entry) throw new ProjectError(`${path.posix.join(miniprogramRoot, 'app.json')} 没有页面（pages 为空）`);

  const miniprogramDir = path.join(root, miniprogramRoot);
  return {
    root,
    miniprogramRoot,
    cloudfunctionRoot,
    language,
    usesMiniprogramNpm:
      existsSync(path.join(miniprogramDir, 'miniprogram_npm')) ||
      existsSync(path.join(miniprogramDir, 'package.json')) ||
      setting.packNpmManually === true,
    transpilesModernSyntax: setting.es6 !== false || setting.enhance === true,
    pages,
    homePage: entry,
    tabPages,
    usePrivacyCheck: typeof app.__usePrivacyCheck__ === 'boolean' ? app.__usePrivacyCheck__ : undefined,
    customNavigation: isJsonObject(app.window) && app.window.navigationStyle === 'custom',
  };
}
