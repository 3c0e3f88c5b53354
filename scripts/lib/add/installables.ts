/**
 * What `npm run add` can put into a project, one entry per part. Each entry answers the files it
 * wants (path relative to the project, exact content) and the edits it needs in the project's own
 * JSON files (insertions only, each a no-op once present); plan.ts decides what of that may be
 * written. Adding a part to the kit is adding an entry to INSTALLABLES.
 */
import { build, type BuildOptions, version as esbuildVersion } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUILD_SCRIPTS, buildRecordsOf, esbuildOptions, lazyFileOptions, recordedBuild } from '../../build';
import { collectionNamesFrom } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import {
  CLOUDBASERC,
  DATABASE_PLUGIN,
  databasePlugins as allDatabasePlugins,
  functionEntries,
  functionRoot,
  REQUIRED_ACL_TAG,
} from '../cloudbase-config';
import { isJsonObject, type Json, type JsonObject } from '../json-file';
import { BUNDLE_CACHE_VARIABLE, bundleKey, readBundle, writeBundle } from './bundle-cache';
import { type Brand, clientFiles, type KitLayout } from './client-files';
import { integrationGuide } from './integration-guide';
import { addProperty, appendToArray, nodeAt, parseJsonText } from './json-text';
import { AUTH_MODULE_FOLDER, FUNCTION_MARKER } from './manifest';
import { normalizeFolder, PROJECT_CONFIG_FILE, readJsonObject, type DevToolsProject } from './project';
import { COMPAT_FILE, projectTypingsVersion, typingsCompat } from './typings-compat';

export const LOGIN_FUNCTION = 'login';

export interface InstallContext {
  kit: KitLayout;
  project: DevToolsProject;
  /** Install folder relative to the project's miniprogramRoot. */
  folder: string;
  /** Pages asked for (their dependencies are added by the client part). */
  pages: string[];
  /** The project's cloud function folder, relative to its root: its own, else 'cloudfunctions'. */
  functionsFolder: string;
  /** The login function's folder and deployed name ('login' unless --function-name). */
  functionName: string;
  /** The project's own functions that get the current-user module (--auth-functions). */
  authFunctions: string[];
  /** Product name, logo and the agreement's operator, as far as the team gave them (the rest stays a step to do). */
  brand: Brand;
}

export interface PlannedFile {
  /** Relative to the project root, forward slashes. */
  path: string;
  content: string;
  /** Made from the install's own data (INTEGRATION.md): rewritten whenever the install changes, unless the team edited it. */
  derived?: boolean;
}

export interface JsonEdit {
  /** Relative to the project root. */
  file: string;
  summary: string;
  /** The file's text with the edit made; the same text when it is already there. */
  apply(text: string): string;
}

export interface InstallablePlan {
  files: PlannedFile[];
  edits: JsonEdit[];
  /** Lines for the person: what was chosen and why, what to check by hand. */
  notes: string[];
}

export interface Installable {
  id: string;
  title: string;
  plan(context: InstallContext): Promise<InstallablePlan>;
}

function join(...parts: string[]): string {
  return path.posix.join(...parts.filter((part) => part !== ''));
}

function parseObject(text: string): JsonObject {
  const value = JSON.parse(text) as Json;
  if (!isJsonObject(value)) throw new Error('top level is not an object');
  return value;
}

/** The kit's own cloudbaserc.json: the one source of the function's settings and the collections. */
function kitCloudbase(kit: KitLayout): JsonObject {
  return parseObject(readFileSync(path.join(kit.root, CLOUDBASERC), 'utf8'));
}

const bundles = new Map<string, Promise<Map<string, string>>>();

/** The build script and the modules its plugins run: part of a cached bundle's key (bundle-cache.ts). */
export const LOGIN_BUILD_SCRIPTS = BUILD_SCRIPTS;

/** The login bundle as `npm run build` makes it, built in memory (source map paths relative to the function); once per process. */
function loginBundle(kit: KitLayout): Promise<Map<string, string>> {
  let bundle = bundles.get(kit.root);
  if (!bundle) {
    bundle = buildLoginBundle(kit);
    bundles.set(kit.root, bundle);
  }
  return bundle;
}

async function buildLoginBundle(kit: KitLayout): Promise<Map<string, string>> {
  const functionDir = path.join(kit.root, 'cloudfunctions', LOGIN_FUNCTION);
  // What `npm run build` wrote into the kit, while its record says nothing it read or wrote has changed:
  // the same options, so the same files (this repository: the build before every test run made them).
  const built = recordedBuild(functionDir, buildRecordsOf(kit.root));
  if (built) return built;
  const builds = [esbuildOptions(functionDir), ...lazyFileOptions(functionDir)];
  // Between processes only when asked (bundle-cache.ts): this repository's tests.
  const folder = process.env[BUNDLE_CACHE_VARIABLE];
  const textOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
  const key = folder
    ? bundleKey({
        esbuild: esbuildVersion,
        builds,
        scripts: LOGIN_BUILD_SCRIPTS.map((file) => textOf(path.join(kit.root, file))),
        lock: textOf(path.join(kit.root, 'package-lock.json')),
      })
    : '';
  const cached = folder ? readBundle(folder, key) : null;
  if (cached) return cached;
  const [result, ...lazy] = await Promise.all(
    builds.map((options) => build({ ...options, write: false, logLevel: 'silent', metafile: true })),
  );
  if (!result) throw new Error('the login build did not run');
  const files = new Map<string, string>();
  // Paths relative to the function folder, '/'-separated (lazy/*.js beside index.js).
  for (const output of [...result.outputFiles, ...lazy.flatMap((built) => built.outputFiles)]) {
    files.set(path.relative(functionDir, output.path).split(path.sep).join('/'), output.text);
  }
  if (!files.has('index.js')) throw new Error('the login build produced no index.js');
  if (folder) {
    const inputs = [result, ...lazy].flatMap((built, index) =>
      Object.keys(built.metafile.inputs).map((input) => path.resolve(builds[index]?.absWorkingDir ?? process.cwd(), input)),
    );
    writeBundle(folder, key, inputs, files);
  }
  return files;
}

function ensureFunctionsFolder(context: InstallContext): JsonEdit[] {
  if (context.project.cloudfunctionRoot !== null) return [];
  return [
    {
      file: PROJECT_CONFIG_FILE,
      summary: `cloudfunctionRoot: "${context.functionsFolder}/"（项目还没有云函数目录）`,
      apply: (text) =>
        nodeAt(parseJsonText(text), ['cloudfunctionRoot'])
          ? text
          : addProperty(text, [], 'cloudfunctionRoot', `${context.functionsFolder}/`),
    },
  ];
}

/** The collections the login function itself uses: the kit's other functions' (notes) are not installed. */
const LOGIN_COLLECTIONS = new Set(Object.values(collectionNamesFrom({})));

/** One collection the login needs, as the kit's cloudbaserc.json declares it: what cloudbaserc edits and INTEGRATION.md say. */
export interface KitCollection {
  name: string;
  aclTag: string;
  indexes: number;
}

export function loginCollections(kit: KitLayout): KitCollection[] {
  return databasePlugins(kitCloudbase(kit)).flatMap((plugin) =>
    plugin.collections.flatMap((collection) =>
      isJsonObject(collection) && typeof collection.collectionName === 'string'
        ? [
            {
              name: collection.collectionName,
              aclTag: typeof collection.aclTag === 'string' ? collection.aclTag : '',
              indexes: Array.isArray(collection.createIndexes) ? collection.createIndexes.length : 0,
            },
          ]
        : [],
    ),
  );
}

function databasePlugins(kit: Parameters<typeof allDatabasePlugins>[0]): ReturnType<typeof allDatabasePlugins> {
  return allDatabasePlugins(kit).map((plugin) => ({
    ...plugin,
    collections: plugin.collections.filter(
      (collection) =>
        isJsonObject(collection) && typeof collection.collectionName === 'string' && LOGIN_COLLECTIONS.has(collection.collectionName),
    ),
  }));
}

function cloudbaseEdits(context: InstallContext, notes: string[]): JsonEdit[] {
  const file = path.join(context.project.root, CLOUDBASERC);
  if (!existsSync(file)) return [];
  const kit = kitCloudbase(context.kit);
  const kitEntry = functionEntries(kit).find((candidate) => candidate.name === LOGIN_FUNCTION)?.config;
  if (!kitEntry) throw new Error(`the kit's ${CLOUDBASERC} has no ${LOGIN_FUNCTION} function`);
  const name = context.functionName;
  const entry: JsonObject = { ...kitEntry, name };
  const collections = databasePlugins(kit).flatMap((plugin) => plugin.collections);
  const names = collections.flatMap((collection) =>
    isJsonObject(collection) && typeof collection.collectionName === 'string' ? [collection.collectionName] : [],
  );

  const project = readJsonObject(file, CLOUDBASERC);
  if (normalizeFolder(functionRoot(project)) !== context.functionsFolder) {
    notes.push(
      `注意：${CLOUDBASERC} 的 functionRoot（${functionRoot(project)}）与 project.config.json 的云函数目录（${context.functionsFolder}）不同，tcb 会到前者部署`,
    );
  }
  for (const plugin of databasePlugins(project)) {
    for (const collection of plugin.collections) {
      if (isJsonObject(collection) && names.includes(String(collection.collectionName)) && collection.aclTag !== REQUIRED_ACL_TAG) {
        notes.push(
          `注意：${CLOUDBASERC} 中集合 ${String(collection.collectionName)} 的 aclTag 不是 ${REQUIRED_ACL_TAG}；登录数据必须仅管理端可读写`,
        );
      }
    }
  }

  const functionEdit: JsonEdit = {
    file: CLOUDBASERC,
    summary: `functions[] 增加 ${name}（运行时、超时、installDependency: false）`,
    apply(text) {
      const current = parseObject(text);
      if (functionEntries(current).some((candidate) => candidate.name === name)) return text;
      return Array.isArray(current.functions) ? appendToArray(text, ['functions'], [entry]) : addProperty(text, [], 'functions', [entry]);
    },
  };
  const collectionsEdit: JsonEdit = {
    file: CLOUDBASERC,
    summary: `数据库集合 ${names.join('、')}（${REQUIRED_ACL_TAG}，含索引）`,
    apply(text) {
      const current = parseObject(text);
      const declared = new Set(
        databasePlugins(current).flatMap((plugin) =>
          plugin.collections.flatMap((collection) =>
            isJsonObject(collection) && typeof collection.collectionName === 'string' ? [collection.collectionName] : [],
          ),
        ),
      );
      const missing = collections.filter((collection) => isJsonObject(collection) && !declared.has(String(collection.collectionName)));
      if (missing.length === 0) return text;
      const plugin = databasePlugins(current)[0];
      if (plugin) {
        const inputs = nodeAt(parseJsonText(text), ['framework', 'plugins', plugin.key, 'inputs', 'collections']);
        if (inputs?.kind === 'array') return appendToArray(text, ['framework', 'plugins', plugin.key, 'inputs', 'collections'], missing);
      }
      const pluginValue: JsonObject = { use: DATABASE_PLUGIN, inputs: { collections: missing } };
      const framework = current.framework;
      if (isJsonObject(framework) && isJsonObject(framework.plugins)) {
        const key = 'database' in framework.plugins ? 'wx-cloud-login-database' : 'database';
        return addProperty(text, ['framework', 'plugins'], key, pluginValue);
      }
      if (isJsonObject(framework)) return addProperty(text, ['framework'], 'plugins', { database: pluginValue });
      return addProperty(text, [], 'framework', { plugins: { database: pluginValue } });
    },
  };
  return [functionEdit, collectionsEdit];
}

const loginFunction: Installable = {
  id: 'login-function',
  title: '云函数 login（已打包，含 wx-server-sdk）',
  async plan(context) {
    const notes: string[] = [];
    const bundle = await loginBundle(context.kit);
    const folder = join(context.functionsFolder, context.functionName);
    const manifest = parseObject(readFileSync(path.join(context.kit.root, 'cloudfunctions', LOGIN_FUNCTION, 'package.json'), 'utf8'));
    if (context.functionName !== LOGIN_FUNCTION) manifest.name = context.functionName;
    // The marker a manifest's entries under this folder are checked against (manifest.ts).
    manifest.description = `${FUNCTION_MARKER} 微信登录 cloud function, bundled (installed by npm run add; upgrade with npm run add -- <project> --update)`;
    if (context.functionName !== LOGIN_FUNCTION)
      notes.push(`登录云函数装为 ${context.functionName}（--function-name）：小程序端的 config 已指向它，部署时用这个名字`);
    const files: PlannedFile[] = [
      ...[...bundle].sort(([a], [b]) => a.localeCompare(b)).map(([name, content]) => ({ path: join(folder, name), content })),
      { path: join(folder, 'package.json'), content: `${JSON.stringify(manifest, null, 2)}\n` },
    ];
    const edits = [...ensureFunctionsFolder(context), ...cloudbaseEdits(context, notes)];
    if (!existsSync(path.join(context.project.root, CLOUDBASERC))) {
      const names = loginCollections(context.kit).map((collection) => collection.name);
      notes.push(`项目没有 ${CLOUDBASERC}：在云开发控制台建集合 ${names.join('、')}，权限选「仅管理端可读写」（见 INTEGRATION.md）`);
    }
    return { files, edits, notes };
  },
};

const client: Installable = {
  id: 'client',
  title: '小程序端：登录服务、平台层、契约、页面与隐私弹窗',
  async plan(context) {
    const { project } = context;
    const install = await clientFiles(context.kit, context.pages, {
      folder: context.folder,
      language: project.language,
      homePage: project.homePage,
      tabPages: project.tabPages,
      functionName: context.functionName,
      brand: context.brand,
      customNavigation: project.customNavigation,
    });
    const base = join(project.miniprogramRoot, context.folder);
    const todos = brandSteps(context);
    const guide = integrationGuide(context, {
      pages: install.pages,
      collections: loginCollections(context.kit),
      privacy: install.privacy,
      todos,
    });
    const files = [
      ...install.files.map((file) => ({ path: join(base, file.path), content: file.content })),
      { path: join(base, 'INTEGRATION.md'), content: guide, derived: true },
    ];
    const notes: string[] = [];
    for (const [page, reason] of install.reasons) if (reason) notes.push(`页面 ${page}：${reason} 页面会打开它，一并安装`);
    const appJson = join(project.miniprogramRoot, 'app.json');
    const routes = install.pages.map((page) => `${context.folder}/pages/${page}/index`);
    const edits: JsonEdit[] = [
      {
        file: appJson,
        summary: `pages 末尾登记 ${routes.join('、')}（项目自己的页面顺序不变）`,
        apply(text) {
          const pages = parseObject(text).pages;
          const present = new Set(Array.isArray(pages) ? pages : []);
          const missing = routes.filter((route) => !present.has(route));
          return missing.length === 0 ? text : appendToArray(text, ['pages'], missing);
        },
      },
    ];
    if (project.usePrivacyCheck === undefined) {
      edits.push({
        file: appJson,
        summary: '"__usePrivacyCheck__": true（隐私弹窗在用户同意前挂起头像、昵称、手机号接口）',
        apply: (text) => ('__usePrivacyCheck__' in parseObject(text) ? text : addProperty(text, [], '__usePrivacyCheck__', true)),
      });
    } else if (project.usePrivacyCheck === false) {
      notes.push('注意：app.json 设置了 "__usePrivacyCheck__": false，未改动；开发者工具中不会出现隐私弹窗（线上微信始终检查隐私授权）');
    }
    notes.push(`上线前在公众平台「用户隐私保护指引」中声明（按安装的页面）：${install.privacy.map((use) => use.info).join('、') || '无'}`);
    for (const todo of todos) notes.push(`待办：${todo}`);
    if (project.language === 'javascript' && !project.transpilesModernSyntax) {
      notes.push(
        '注意：project.config.json 关闭了「将 JS 编译成 ES5」（setting.es6），安装的 ES2020 代码在旧版基础库上可能无法运行：请打开它',
      );
    }
    if (project.language === 'typescript') {
      const typings = projectTypingsVersion(project.root);
      const compat = typings ? typingsCompat(typings) : null;
      if (typings && compat) {
        files.push({ path: join(base, COMPAT_FILE), content: compat });
        notes.push(
          `项目的 miniprogram-api-typings 是 ${typings.major}.x：安装的代码用到的较新类型补在 ${COMPAT_FILE}（仅类型）；升级到 4.x 以上后 --update 会移除它`,
        );
      } else if (!typings) {
        notes.push('注意：没有找到项目的 miniprogram-api-typings（node_modules 或 package.json）：tsc 检查安装的代码需要 4.x 以上');
      }
    }
    if (project.customNavigation)
      notes.push('app.json 设置了 "navigationStyle": "custom"：安装的每个页面顶部加了自己的导航栏（标题与返回，components/nav-bar）');
    if (project.usesMiniprogramNpm) notes.push('项目使用 miniprogram_npm：本工具包在小程序端没有 npm 依赖，无需重新「构建 npm」');
    return { files, edits, notes };
  },
};

/** What the login page and the agreement still show of the kit, as steps for the team (empty once all were given). */
export function brandSteps(context: InstallContext): string[] {
  const ext = context.project.language === 'typescript' ? 'ts' : 'js';
  const folder = join(context.project.miniprogramRoot, context.folder);
  const steps: string[] = [];
  if (context.brand.name === undefined)
    steps.push(
      `登录页显示的产品名还是本工具包的「微信云登录」：改 ${folder}/config.${ext} 的 BRAND.name，或重新运行时加 --app-name 你的小程序名`,
    );
  if (context.brand.logoUrl === undefined)
    steps.push(`登录页的标志还是一个文字方块：在 ${folder}/config.${ext} 的 BRAND.logoUrl 填标志图片路径，或加 --logo /images/logo.png`);
  if (context.brand.operator === undefined)
    steps.push(
      `用户协议与隐私政策中的运营者还是「本小程序的运营者」：在 ${folder}/pages/agreement/documents.${ext} 的 LEGAL_DETAILS 填主体全称、联系方式与生效日期，或加 --operator 主体全称`,
    );
  return steps;
}

export { AUTH_MODULE_FOLDER };

let authBundle: Promise<string> | undefined;

/**
 * packages/server-auth as one CommonJS file (ES2020, readable, no SDK inside: protectedFunction is
 * given the function's own `cloud`). Every function folder deploys alone, so each gets its copy.
 */
function serverAuthBundle(kit: KitLayout): Promise<string> {
  authBundle ??= buildServerAuthBundle(kit);
  return authBundle;
}

async function buildServerAuthBundle(kit: KitLayout): Promise<string> {
  const options: BuildOptions = {
    entryPoints: [path.join(kit.root, 'packages', 'server-auth', 'src', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'silent',
    banner: { js: '// wx-cloud-login: the current user in this cloud function (installed by npm run add; do not edit).' },
  };
  // Between processes only when asked, like the login bundle (bundle-cache.ts).
  const folder = process.env[BUNDLE_CACHE_VARIABLE];
  const lock = path.join(kit.root, 'package-lock.json');
  const key = folder ? bundleKey({ esbuild: esbuildVersion, options, lock: existsSync(lock) ? readFileSync(lock, 'utf8') : null }) : '';
  const cached = folder ? readBundle(folder, key)?.get('index.js') : undefined;
  if (cached !== undefined) return cached;
  const result = await build(options);
  const output = result.outputFiles?.[0];
  if (!output) throw new Error('the server-auth build produced nothing');
  if (folder) {
    const inputs = Object.keys(result.metafile?.inputs ?? {}).map((input) => path.resolve(input));
    writeBundle(folder, key, inputs, new Map([['index.js', output.text]]));
  }
  return output.text;
}

/** A folder, or a symlink to one; false for anything else, a dangling or looping symlink included. */
function isFolder(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/** The project's own function folders: every folder of its functions folder but the kit's login function. */
export function ownFunctions(project: DevToolsProject, functionsFolder: string, functionName: string): string[] {
  const root = path.join(project.root, functionsFolder);
  // Absent, or a file where the folder should be (the install then names it, writing nothing).
  if (!isFolder(root)) return [];
  return readdirSync(root)
    .filter((name) => name !== functionName && !name.startsWith('.') && isFolder(path.join(root, name)))
    .sort();
}

const serverAuth: Installable = {
  id: 'server-auth',
  title: '云函数中的当前用户（requireUser / protectedFunction），只装进 --auth-functions 指定的云函数',
  async plan(context) {
    const functions = context.authFunctions;
    if (functions.length === 0) {
      const available = ownFunctions(context.project, context.functionsFolder, context.functionName);
      return {
        files: [],
        edits: [],
        notes: [
          available.length === 0
            ? '项目还没有自己的云函数：以后要在云函数里识别当前用户时，运行 npm run add -- <项目> --update --auth-functions <函数名> 装入当前用户模块'
            : `当前用户模块没有装进任何云函数（可选：${available.join('、')}）：需要时运行 npm run add -- <项目> --update --auth-functions 函数1,函数2`,
        ],
      };
    }
    const content = await serverAuthBundle(context.kit);
    return {
      files: functions.map((name) => ({ path: join(context.functionsFolder, name, AUTH_MODULE_FOLDER, 'index.js'), content })),
      edits: [],
      notes: [
        `当前用户模块装进了 ${functions.join('、')}：在其中 require('./${AUTH_MODULE_FOLDER}')，用法见 INTEGRATION.md（与 login 同一条用户解析规则）`,
      ],
    };
  },
};

/** Everything `npm run add` installs, in plan order. */
export const INSTALLABLES: readonly Installable[] = [loginFunction, client, serverAuth];
