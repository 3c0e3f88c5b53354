/**
 * Offline validation of cloudbaserc.json — what the tcb CLI accepts silently but CloudBase then
 * runs wrongly: a function without `runtime` falls back to an ancient Node, an unbuilt TypeScript
 * function uploads no index.js, an `installDependency` that disagrees with the bundling choice
 * either ships no wx-server-sdk or installs 44 MB for nothing, a collection left readable by
 * clients exposes phone numbers, and a secret pasted into envVariables is visible in the console.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ACL_TAGS,
  CLOUDBASERC,
  databasePlugins,
  declaredCollections,
  functionEntries,
  functionRoot,
  INDEX_DIRECTIONS,
  isTemplate,
  MEMORY_SIZES,
  NODE_RUNTIMES,
  REQUIRED_ACL_TAG,
  type FunctionEntry,
} from '../cloudbase-config';
import { isJsonObject, relativePath, type Json, type JsonObject } from '../json-file';
import { problem, type Problem } from '../problem';
import type { ExportProber } from './function-exports';
import { findAppSecretLike } from './secret-hygiene';

const FILE = CLOUDBASERC;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const FRAMEWORK_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const SECRET_NAME = /SECRET|PASSW(?:OR)?D|TOKEN|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|SESSION_?KEY|CREDENTIAL/i;
/** Collection names reach a function as `process.env.<NAME>_COLLECTION || '<default>'`. */
const COLLECTION_ENV_READ = /process\.env\.([A-Z][A-Z0-9_]*_COLLECTION)\b(?:\s*(?:\|\||\?\?)\s*(['"`])([^'"`]+)\2)?/g;

/** The function's folder: `dir` when given (relative to the project root, as the CLI reads it), else `<functionRoot>/<name>`. */
export function functionDirectory(root: string, config: JsonObject, entry: FunctionEntry): string {
  const dir = entry.config.dir;
  return typeof dir === 'string' ? path.resolve(root, dir) : path.resolve(root, functionRoot(config), entry.name);
}

/** `index.main` -> the file CloudBase requires and the export it calls. */
export function parseHandler(handler: string): { file: string; exportName: string } | undefined {
  const match = /^([\w./-]+)\.([A-Za-z_$][\w$]*)$/.exec(handler);
  return match ? { file: `${match[1]}.js`, exportName: match[2] ?? '' } : undefined;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

function looksLikeSecretValue(value: string): boolean {
  if (findAppSecretLike(value).length > 0) return true;
  if (/^AKID[0-9A-Za-z]{16,}$/.test(value)) return true; // Tencent Cloud SecretId
  // Long opaque tokens: base64/base64url/hex mixing cases and digits. Collection names never do.
  return value.length >= 24 && /^[A-Za-z0-9+/=_-]+$/.test(value) && /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value);
}

function dependencyNames(functionDir: string): string[] | undefined {
  const manifest = path.join(functionDir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    return Object.keys(parsed.dependencies ?? {});
  } catch {
    return undefined;
  }
}

function checkEnvelope(config: JsonObject): Problem[] {
  const problems: Problem[] = [];
  const envId = config.envId;
  if (typeof envId !== 'string' || envId === '') {
    problems.push(
      problem(FILE, 'envId', '缺少 envId：CLI 要求配置文件包含它。请写成 "{{env.ENV_ID}}"，部署时由环境变量 ENV_ID 或 .env 提供'),
    );
  } else if (!isTemplate(envId)) {
    problems.push(
      problem(FILE, 'envId', `环境 ID "${envId}" 不应提交到仓库：请写成 "{{env.ENV_ID}}"，在环境变量 ENV_ID 或被 git 忽略的 .env 中提供`),
    );
  } else if (config.version !== '2.0') {
    problems.push(problem(FILE, 'version', '使用 {{…}} 模板变量的配置文件必须声明 "version": "2.0"'));
  }
  return problems;
}

function checkFunction(root: string, config: JsonObject, entry: FunctionEntry, probe: ExportProber, collections: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const at = `functions[${entry.index}]`;
  const fn = entry.config;
  const label = entry.name || `#${entry.index}`;

  if (!FUNCTION_NAME.test(entry.name)) {
    problems.push(problem(FILE, `${at}.name`, '函数名必须以字母开头，只含字母、数字、- 和 _，最长 60 个字符'));
    return problems;
  }
  const dir = functionDirectory(root, config, entry);
  const dirLabel = relativePath(root, dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push(problem(FILE, `${at}.name`, `函数目录 ${dirLabel}/ 不存在`));
    return problems;
  }

  // handler: explicit, built, up to date, exported.
  const handler = typeof fn.handler === 'string' ? parseHandler(fn.handler) : undefined;
  if (fn.handler === undefined) {
    problems.push(problem(FILE, `${at}.handler`, `函数 ${label} 未设置 handler，请写明 "index.main"`));
  } else if (!handler) {
    problems.push(problem(FILE, `${at}.handler`, `handler "${String(fn.handler)}" 格式应为 <文件名>.<导出名>，如 "index.main"`));
  } else {
    const builtFile = path.join(dir, handler.file);
    const builtLabel = relativePath(root, builtFile);
    if (!existsSync(builtFile)) {
      problems.push(problem(FILE, `${at}.handler`, `${builtLabel} 不存在：函数尚未构建，请先运行 npm run build`));
    } else {
      const builtAt = statSync(builtFile).mtimeMs;
      const newer = listFiles(path.join(dir, 'src')).filter((file) => statSync(file).mtimeMs > builtAt);
      if (newer.length > 0) {
        const first = relativePath(root, newer[0] ?? '');
        problems.push(problem(FILE, `${at}.handler`, `${builtLabel} 比源码旧（如 ${first}）：请重新运行 npm run build`));
      }
      const probed = probe(builtFile, handler.exportName);
      if (!probed.ok) {
        problems.push(problem(FILE, `${at}.handler`, `加载 ${builtLabel} 失败：${probed.reason}`));
      } else if (probed.type !== 'function') {
        const exported = probed.exportNames.length > 0 ? probed.exportNames.join(', ') : '无';
        problems.push(problem(FILE, `${at}.handler`, `${builtLabel} 没有导出函数 ${handler.exportName}（实际导出：${exported}）`));
      }
    }
  }

  // runtime: explicit and one CloudBase offers; the CLI's fallback is a Node long out of support.
  const runtime = fn.runtime;
  const runtimeChoices = Object.keys(NODE_RUNTIMES)
    .filter((name) => NODE_RUNTIMES[name] === 'stable')
    .join('、');
  if (runtime === undefined) {
    problems.push(
      problem(
        FILE,
        `${at}.runtime`,
        `未设置 runtime：CLI 会静默使用它的默认运行时（Nodejs8.9/10.15）。请设置为 Nodejs18.15（可选：${runtimeChoices}）`,
      ),
    );
  } else if (typeof runtime !== 'string' || NODE_RUNTIMES[runtime] === undefined) {
    problems.push(problem(FILE, `${at}.runtime`, `"${String(runtime)}" 不是云开发提供的 Node.js 运行时（可选：${runtimeChoices}）`));
  } else if (NODE_RUNTIMES[runtime] === 'beta') {
    problems.push(problem(FILE, `${at}.runtime`, `${runtime} 仍处于公测阶段，请选择正式运行时（${runtimeChoices}）`));
  }

  const timeout = fn.timeout;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 60) {
    problems.push(problem(FILE, `${at}.timeout`, '请设置 timeout：1–60 之间的整数（秒）'));
  }
  const memory = fn.memorySize;
  if (typeof memory !== 'number' || !MEMORY_SIZES.includes(memory)) {
    problems.push(problem(FILE, `${at}.memorySize`, `请设置 memorySize：${MEMORY_SIZES.join('、')} 之一（MB）`));
  }

  // installDependency follows the function's package.json, which is what the build reads too.
  const dependencies = dependencyNames(dir);
  const needsInstall = (dependencies ?? []).length > 0;
  if (typeof fn.installDependency !== 'boolean') {
    problems.push(
      problem(
        FILE,
        `${at}.installDependency`,
        `请明确设置 installDependency 为 ${needsInstall}（${relativePath(root, dir)}/package.json ${needsInstall ? `列出了依赖 ${(dependencies ?? []).join(', ')}` : '没有 dependencies，wx-server-sdk 已打包进 index.js'}）`,
      ),
    );
  } else if (fn.installDependency !== needsInstall) {
    problems.push(
      problem(
        FILE,
        `${at}.installDependency`,
        needsInstall
          ? `应为 true：${dirLabel}/package.json 列出了依赖 ${(dependencies ?? []).join(', ')}，构建时它们保持外部引用，必须在云端安装`
          : `应为 false：${dirLabel}/package.json 没有 dependencies，wx-server-sdk 已打包进 index.js，云端安装依赖只会白白增加部署时间`,
      ),
    );
  }

  problems.push(...checkEnvVariables(root, entry, dir, collections));
  return problems;
}

function checkEnvVariables(root: string, entry: FunctionEntry, dir: string, collections: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const at = `functions[${entry.index}].envVariables`;
  const raw = entry.config.envVariables;
  if (raw !== undefined && !isJsonObject(raw)) {
    problems.push(problem(FILE, at, 'envVariables 必须是 { 名称: 字符串值 } 对象'));
    return problems;
  }
  const variables: JsonObject = raw ?? {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') {
      problems.push(problem(FILE, `${at}.${name}`, '环境变量的值必须是字符串'));
      continue;
    }
    // A `{{env.NAME}}` template is filled by the tcb CLI from the environment or the git-ignored .env
    // at deploy time: the secret itself is never in the file (the wechat-push function's Token and
    // EncodingAESKey are declared this way).
    if (!isTemplate(value) && (SECRET_NAME.test(name) || looksLikeSecretValue(value))) {
      problems.push(
        problem(
          FILE,
          `${at}.${name}`,
          '疑似密钥：函数环境变量会提交到仓库。请写成 "{{env.NAME}}"，部署时由环境变量或被 git 忽略的 .env 提供',
        ),
      );
    }
    if (name.endsWith('_COLLECTION') && !collections.has(value)) {
      problems.push(problem(FILE, `${at}.${name}`, `集合 "${value}" 没有在数据库插件（framework.plugins）中声明`));
    }
  }

  // Collections the function's source can name: the configured value, or the default it falls back to.
  for (const file of listFiles(path.join(dir, 'src')).filter((name) => /\.[cm]?[jt]s$/.test(name))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(COLLECTION_ENV_READ)) {
      const variable = match[1] ?? '';
      const fallback = match[3];
      const configured = variables[variable];
      if (typeof configured === 'string') continue; // checked above
      if (fallback === undefined) {
        problems.push(
          problem(FILE, `${at}.${variable}`, `${relativePath(root, file)} 读取 ${variable} 且没有默认值，请在 envVariables 中设置它`),
        );
      } else if (!collections.has(fallback)) {
        problems.push(
          problem(
            relativePath(root, file),
            `process.env.${variable}`,
            `默认集合 "${fallback}" 没有在 cloudbaserc.json 的数据库插件（framework.plugins）中声明`,
          ),
        );
      }
    }
  }
  return problems;
}

const COLLECTION_KEYS = new Set(['collectionName', 'description', 'createIndexes', 'dropIndexes', 'aclTag', 'aclRule']);
const INDEX_KEYS = new Set(['name', 'unique', 'keys']);

function checkIndex(index: Json, at: string, seen: Set<string>): Problem[] {
  if (!isJsonObject(index)) return [problem(FILE, at, '索引必须是 { name, unique, keys } 对象')];
  const problems: Problem[] = [];
  for (const key of Object.keys(index)) {
    if (key === 'sparse') {
      problems.push(
        problem(
          FILE,
          `${at}.sparse`,
          '不支持稀疏索引：数据库插件只有 name/unique/keys，CloudBase 的索引接口（MgoKeySchema）也只有 MgoIsUnique',
        ),
      );
    } else if (!INDEX_KEYS.has(key)) {
      problems.push(problem(FILE, `${at}.${key}`, `数据库插件不认识索引字段 "${key}"（只有 name、unique、keys）`));
    }
  }
  if (typeof index.name !== 'string' || index.name.length < 1 || index.name.length > 64) {
    problems.push(problem(FILE, `${at}.name`, '索引名必须是 1–64 个字符'));
  } else if (seen.has(index.name)) {
    problems.push(problem(FILE, `${at}.name`, `索引名 "${index.name}" 重复`));
  } else {
    seen.add(index.name);
  }
  if (typeof index.unique !== 'boolean') problems.push(problem(FILE, `${at}.unique`, 'unique 必须写明 true 或 false'));
  if (!Array.isArray(index.keys) || index.keys.length === 0) {
    problems.push(problem(FILE, `${at}.keys`, '索引至少要有一个字段 { name, direction }'));
  } else {
    index.keys.forEach((key, k) => {
      if (!isJsonObject(key) || typeof key.name !== 'string' || key.name === '') {
        problems.push(problem(FILE, `${at}.keys[${k}].name`, '索引字段需要 name'));
      } else if (typeof key.direction !== 'string' || !INDEX_DIRECTIONS.includes(key.direction)) {
        problems.push(
          problem(FILE, `${at}.keys[${k}].direction`, `direction 必须是字符串 ${INDEX_DIRECTIONS.map((d) => `"${d}"`).join('、')} 之一`),
        );
      }
    });
  }
  return problems;
}

function checkDatabase(config: JsonObject): Problem[] {
  const problems: Problem[] = [];
  const framework = config.framework;
  const plugins = databasePlugins(config);
  if (plugins.length === 0) {
    problems.push(
      problem(
        FILE,
        'framework.plugins',
        '没有声明数据库插件（use: "@cloudbase/framework-plugin-database"）：集合、索引与权限无法随部署创建',
      ),
    );
    return problems;
  }
  if (!isJsonObject(framework) || typeof framework.name !== 'string' || !FRAMEWORK_NAME.test(framework.name)) {
    problems.push(
      problem(FILE, 'framework.name', '需要应用名（字母开头，只含字母、数字、- 和 _），否则 tcb framework deploy 会交互式询问'),
    );
  }
  const names = new Set<string>();
  for (const { key, collections } of plugins) {
    const base = `framework.plugins.${key}.inputs.collections`;
    if (collections.length === 0) problems.push(problem(FILE, base, '数据库插件没有声明任何集合'));
    collections.forEach((collection, j) => {
      const at = `${base}[${j}]`;
      if (!isJsonObject(collection)) {
        problems.push(problem(FILE, at, '集合必须是对象'));
        return;
      }
      for (const field of Object.keys(collection)) {
        if (!COLLECTION_KEYS.has(field)) problems.push(problem(FILE, `${at}.${field}`, `数据库插件不认识集合字段 "${field}"`));
      }
      const name = collection.collectionName;
      if (typeof name !== 'string' || name.length < 1 || name.length > 64) {
        problems.push(problem(FILE, `${at}.collectionName`, '集合名必须是 1–64 个字符'));
      } else if (names.has(name)) {
        problems.push(problem(FILE, `${at}.collectionName`, `集合 "${name}" 重复声明`));
      } else {
        names.add(name);
      }
      if (collection.aclTag !== REQUIRED_ACL_TAG) {
        const current =
          typeof collection.aclTag === 'string' && ACL_TAGS.includes(collection.aclTag)
            ? `当前为 ${collection.aclTag}`
            : '当前未设置（新集合默认允许客户端读写自己创建的记录）';
        problems.push(
          problem(
            FILE,
            `${at}.aclTag`,
            `必须为 "${REQUIRED_ACL_TAG}"（仅管理端可读写）：数据只经云函数访问，客户端不得直接读取，${current}`,
          ),
        );
      }
      const indexes = collection.createIndexes;
      if (indexes !== undefined && !Array.isArray(indexes)) {
        problems.push(problem(FILE, `${at}.createIndexes`, 'createIndexes 必须是数组'));
      } else {
        const seen = new Set<string>();
        for (const [k, index] of (indexes ?? []).entries()) problems.push(...checkIndex(index, `${at}.createIndexes[${k}]`, seen));
      }
    });
  }
  return problems;
}

export function checkCloudbaseConfig(root: string, config: JsonObject, probe: ExportProber): Problem[] {
  const problems = [...checkEnvelope(config)];

  const rootDir = path.resolve(root, functionRoot(config));
  if (typeof config.functionRoot !== 'string') {
    problems.push(
      problem(FILE, 'functionRoot', '请设置 functionRoot（与 project.config.json 的 cloudfunctionRoot 相同，如 "./cloudfunctions"）'),
    );
  } else if (!existsSync(rootDir)) {
    problems.push(problem(FILE, 'functionRoot', `目录 ${relativePath(root, rootDir)}/ 不存在`));
  }

  const entries = functionEntries(config);
  if (entries.length === 0) problems.push(problem(FILE, 'functions', '没有声明任何云函数'));
  const collections = new Set(declaredCollections(config));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.name !== '' && seen.has(entry.name)) {
      problems.push(problem(FILE, `functions[${entry.index}].name`, `函数 ${entry.name} 重复声明`));
      continue;
    }
    seen.add(entry.name);
    problems.push(...checkFunction(root, config, entry, probe, collections));
  }

  // A function folder the config does not list is never deployed (`npm run deploy` deploys the list).
  if (existsSync(rootDir)) {
    for (const name of readdirSync(rootDir).sort()) {
      if (seen.has(name) || !existsSync(path.join(rootDir, name, 'src', 'index.ts'))) continue;
      problems.push(
        problem(FILE, 'functions', `云函数目录 ${relativePath(root, path.join(rootDir, name))}/ 没有在 functions 中声明，部署时会被漏掉`),
      );
    }
  }

  problems.push(...checkDatabase(config));
  return problems;
}
