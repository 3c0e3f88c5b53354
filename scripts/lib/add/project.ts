/**
 * What the installer and `npm start -- --project` need to know about a WeChat DevTools project,
 * read from its project.config.json the way DevTools reads it: where the mini-program and the
 * cloud functions live, whether it is written in TypeScript (DevTools compiles .ts only with
 * `setting.useCompilerPlugins` naming "typescript"), and whether it builds npm packages into
 * miniprogram_npm.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, type Json, type JsonObject } from '../json-file';

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

function readJsonObject(file: string, what: string): JsonObject {
  let parsed: Json;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Json;
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

export function detectProject(rootInput: string): DevToolsProject {
  const root = path.resolve(rootInput);
  const config = readProjectConfig(root);
  const miniprogramRoot = normalizeFolder(typeof config.miniprogramRoot === 'string' ? config.miniprogramRoot : '');
  const cloudfunctionRoot = typeof config.cloudfunctionRoot === 'string' ? normalizeFolder(config.cloudfunctionRoot) : null;
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
  };
}
