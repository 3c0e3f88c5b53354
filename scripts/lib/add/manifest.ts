/**
 * wx-cloud-login.install.json, at the project root: what an install wrote (every file with its
 * SHA-256), into which folder, which pages, under which function name, and which of the project's
 * own functions took the current-user module. It holds no time, so a second run rewrites nothing.
 *
 * It is a file in someone else's repository: anyone can edit it, and `--remove`/`--update` delete
 * what it lists. So before anything is removed or updated every entry is checked to be a path the
 * kit itself creates, in a place the kit owns:
 *   - the install folder: plain, not a folder of the project's own pages (a manifest saying
 *     "folder": "pages" would otherwise take out the project's pages), and either the default name
 *     or holding the kit's INTEGRATION.md;
 *   - the login function's folder, whose package.json carries the kit's description;
 *   - `<function>/wx-cloud-login-auth/index.js` in the functions folder.
 * A manifest that fails a check stops the run, naming the entry; nothing is touched.
 */
import path from 'node:path';
import { isJsonObject, type Json } from '../json-file';
import { parseJsonText } from './json-text';
import { isPlainRelative, OutsideProjectError, type ProjectPaths } from './project-paths';

export const MANIFEST_FILE = 'wx-cloud-login.install.json';
export const KIT_NAME = 'wx-cloud-login';
export const DEFAULT_FUNCTION_NAME = 'login';
/** The folder, inside each chosen function of the project's own, that holds the current-user module. */
export const AUTH_MODULE_FOLDER = 'wx-cloud-login-auth';
export const AUTH_MODULE_FILE = `${AUTH_MODULE_FOLDER}/index.js`;
/** The start of the description the kit writes into the login function's package.json. */
export const FUNCTION_MARKER = 'wx-cloud-login:';
/** The first line of the kit's INTEGRATION.md. */
export const GUIDE_MARKER = '# wx-cloud-login';

export interface InstallManifest {
  kit: 'wx-cloud-login';
  folder: string;
  pages: string[];
  /** The login function's folder name (absent in manifests written before --function-name: 'login'). */
  functionName?: string;
  /** The project's own functions that took the current-user module. */
  authFunctions?: string[];
  /** Product name, logo and operator the team gave (--app-name, --logo, --operator): an update keeps them. */
  brand?: { name?: string; logoUrl?: string; operator?: string };
  files: Record<string, string>;
}

export class ManifestError extends Error {
  constructor(detail: string, detailEnglish: string) {
    super(
      `${MANIFEST_FILE} 不可信：${detail}。没有删除或改动任何文件 / ${MANIFEST_FILE} is not trusted: ${detailEnglish}; nothing was removed or changed`,
    );
  }
}

export function renderManifest(manifest: InstallManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function isFunctionName(name: string): boolean {
  return FUNCTION_NAME.test(name);
}

/** The manifest's shape, from its text; throws ManifestError (duplicate keys included). */
export function parseManifest(text: string): InstallManifest {
  let value: Json;
  try {
    parseJsonText(text);
    value = JSON.parse(text) as Json;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestError(`不是合法的 JSON（${reason}）`, `not valid JSON (${reason})`);
  }
  if (!isJsonObject(value) || value.kit !== KIT_NAME)
    throw new ManifestError('不是 wx-cloud-login 的安装清单', 'not an install manifest of wx-cloud-login');
  const { folder, pages, files, functionName, authFunctions, brand } = value;
  if (typeof folder !== 'string') throw new ManifestError('folder 不是字符串', 'folder is not a string');
  if (!Array.isArray(pages) || !pages.every((page) => typeof page === 'string'))
    throw new ManifestError('pages 不是字符串数组', 'pages is not a list of strings');
  if (!isJsonObject(files)) throw new ManifestError('files 不是对象', 'files is not an object');
  for (const [file, hash] of Object.entries(files)) {
    if (typeof hash !== 'string' || !SHA256.test(hash))
      throw new ManifestError(`${file} 的哈希不是 SHA-256`, `the hash of ${file} is not a SHA-256`);
  }
  if (functionName !== undefined && (typeof functionName !== 'string' || !isFunctionName(functionName)))
    throw new ManifestError(`functionName 不是合法的云函数名`, 'functionName is not a function name');
  if (
    authFunctions !== undefined &&
    !(Array.isArray(authFunctions) && authFunctions.every((name) => typeof name === 'string' && isFunctionName(name)))
  )
    throw new ManifestError('authFunctions 不是云函数名数组', 'authFunctions is not a list of function names');
  if (brand !== undefined && !(isJsonObject(brand) && Object.values(brand).every((item) => typeof item === 'string')))
    throw new ManifestError('brand 不是字符串字段的对象', 'brand is not an object of strings');
  return {
    kit: KIT_NAME,
    folder,
    pages: pages as string[],
    ...(functionName === undefined ? {} : { functionName: functionName as string }),
    ...(authFunctions === undefined ? {} : { authFunctions: authFunctions as string[] }),
    ...(brand === undefined ? {} : { brand: brand as InstallManifest['brand'] & object }),
    files: files as Record<string, string>,
  };
}

/** Where the kit's things are in this project. */
export interface InstallPlaces {
  /** Relative to the project root, '' for the root. */
  miniprogramRoot: string;
  functionsFolder: string;
  /** The project's own pages (app.json). */
  pages: string[];
  /** The routes the kit's pages have under `folder` (folder-relative: 'pages/login/index'). */
  kitRoutes: string[];
}

/** Folders that hold a mini-program's own things by convention: never the kit's install folder. */
const PROJECT_FOLDERS = new Set(['pages', 'components', 'utils', 'miniprogram_npm', 'node_modules', 'images', 'assets', 'typings']);

/** Why `folder` (relative to miniprogramRoot) cannot be the kit's install folder, or null when it can. */
export function folderProblem(folder: string, places: Pick<InstallPlaces, 'pages' | 'kitRoutes'>): [string, string] | null {
  if (!isPlainRelative(folder)) return ['必须是 miniprogramRoot 下的相对子目录', 'must be a relative folder inside miniprogramRoot'];
  if (PROJECT_FOLDERS.has(folder.split('/')[0] as string))
    return [`${folder} 是项目自己的目录`, `${folder} is a folder of the project's own`];
  const kitRoutes = new Set(places.kitRoutes.map((route) => `${folder}/${route}`));
  const own = places.pages.find((page) => page.startsWith(`${folder}/`) && !kitRoutes.has(page));
  if (own) return [`${folder} 下有项目自己的页面 ${own}`, `${folder} holds the project's own page ${own}`];
  return null;
}

function join(...parts: string[]): string {
  return path.posix.join(...parts.filter((part) => part !== ''));
}

/**
 * Checks every entry of `manifest` against the places the kit owns (see the header); `readText`
 * reads a project file (null when absent). Throws ManifestError.
 */
export function validateManifest(
  manifest: InstallManifest,
  places: InstallPlaces,
  paths: ProjectPaths,
  readText: (file: string) => string | null,
): void {
  const { folder } = manifest;
  const problem = folderProblem(folder, places);
  if (problem) throw new ManifestError(`folder「${folder}」${problem[0]}`, `folder "${folder}": ${problem[1]}`);
  const installFolder = join(places.miniprogramRoot, folder);
  const guide = readText(`${installFolder}/INTEGRATION.md`);
  if (folder !== KIT_NAME && !guide?.startsWith(GUIDE_MARKER))
    throw new ManifestError(
      `${installFolder} 里没有 wx-cloud-login 的 INTEGRATION.md，无法确认它是安装目录`,
      `${installFolder} holds no INTEGRATION.md of wx-cloud-login: cannot tell it is the install folder`,
    );
  const functionName = manifest.functionName ?? DEFAULT_FUNCTION_NAME;
  const functionFolder = join(places.functionsFolder, functionName);
  let functionConfirmed: boolean | undefined;
  const confirmFunction = (): boolean => {
    if (functionConfirmed === undefined) {
      const text = readText(`${functionFolder}/package.json`);
      try {
        const description = text === null ? undefined : (JSON.parse(text) as { description?: unknown }).description;
        functionConfirmed = typeof description === 'string' && description.startsWith(FUNCTION_MARKER);
      } catch {
        functionConfirmed = false;
      }
    }
    return functionConfirmed;
  };
  const authFunctions = manifest.authFunctions;
  for (const file of Object.keys(manifest.files)) {
    if (!isPlainRelative(file))
      throw new ManifestError(`条目 ${file} 不是项目内的相对路径`, `entry ${file} is not a relative project path`);
    try {
      paths.resolve(file);
    } catch (error) {
      if (error instanceof OutsideProjectError) throw new ManifestError(`条目 ${file} ${error.why}`, `entry ${file} ${error.whyEnglish}`);
      throw error;
    }
    if (file.startsWith(`${installFolder}/`)) continue;
    if (file.startsWith(`${functionFolder}/`)) {
      if (!confirmFunction())
        throw new ManifestError(
          `${functionFolder}/package.json 不是 wx-cloud-login 写的，不能删除或升级 ${file}`,
          `${functionFolder}/package.json was not written by wx-cloud-login: ${file} is not the kit's`,
        );
      continue;
    }
    const auth = file.startsWith(`${places.functionsFolder}/`) ? file.slice(places.functionsFolder.length + 1).split('/') : [];
    if (
      auth.length === 3 &&
      `${auth[1]}/${auth[2]}` === AUTH_MODULE_FILE &&
      isFunctionName(auth[0] as string) &&
      (authFunctions === undefined || authFunctions.includes(auth[0] as string))
    )
      continue;
    throw new ManifestError(`条目 ${file} 不是 wx-cloud-login 会创建的文件`, `entry ${file} is not a file wx-cloud-login creates`);
  }
}

/** The functions that hold the current-user module per the manifest (older manifests: from its files). */
export function authFunctionsOf(manifest: InstallManifest, functionsFolder: string): string[] {
  if (manifest.authFunctions) return [...manifest.authFunctions];
  const suffix = `/${AUTH_MODULE_FILE}`;
  return Object.keys(manifest.files)
    .filter((file) => file.startsWith(`${functionsFolder}/`) && file.endsWith(suffix))
    .map((file) => file.slice(functionsFolder.length + 1, -suffix.length))
    .filter((name) => isFunctionName(name))
    .sort();
}
