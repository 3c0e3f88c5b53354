/**
 * project.config.json, read by WeChat DevTools and miniprogram-ci: the roots must exist (DevTools
 * opens an empty project rather than complain), the TypeScript compiler plugin must be on (without
 * it DevTools serves the .ts files untranspiled), and a placeholder appid must say it is one —
 * `touristappid` opens the project but has no cloud development, which looks like a broken login.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, type JsonObject } from '../json-file';
import { problem, type Problem } from '../problem';

export const PROJECT_CONFIG = 'project.config.json';
const FILE = PROJECT_CONFIG;

/** A mini-program AppID: `wx` and 16 hex digits. */
const APP_ID = /^wx[0-9a-f]{16}$/;
/** Values DevTools templates and tutorials leave in place of a real AppID. */
const PLACEHOLDER_APP_IDS = new Set(['touristappid', '', 'wx0000000000000000', 'your-appid', 'YOUR_APPID']);

function isDirectory(root: string, relative: string): boolean {
  const full = path.resolve(root, relative);
  return existsSync(full) && statSync(full).isDirectory();
}

/** Same folder, however it is spelled ("./cloudfunctions", "cloudfunctions/"). */
function sameFolder(root: string, a: string, b: string): boolean {
  return path.resolve(root, a) === path.resolve(root, b);
}

function usesTypescriptPlugin(setting: JsonObject): boolean {
  const plugins = setting.useCompilerPlugins;
  if (!Array.isArray(plugins)) return false;
  return plugins.some(
    (plugin) => plugin === 'typescript' || (isJsonObject(plugin) && (plugin.type === 'typescript' || plugin.name === 'typescript')),
  );
}

/** `cloudbaseFunctionRoot` is cloudbaserc.json's functionRoot, when that file could be read. */
export function checkProjectConfig(root: string, config: JsonObject, cloudbaseFunctionRoot: string | undefined): Problem[] {
  const problems: Problem[] = [];

  if (config.compileType !== 'miniprogram') {
    problems.push(problem(FILE, 'compileType', '应为 "miniprogram"'));
  }
  for (const field of ['miniprogramRoot', 'srcMiniprogramRoot'] as const) {
    const value = config[field];
    if (value === undefined && field === 'srcMiniprogramRoot') continue;
    if (typeof value !== 'string' || value === '') {
      problems.push(problem(FILE, field, '请设置小程序源码目录，如 "miniprogram/"'));
    } else if (!isDirectory(root, value)) {
      problems.push(problem(FILE, field, `目录 ${value} 不存在`));
    }
  }
  const cloudRoot = config.cloudfunctionRoot;
  if (typeof cloudRoot !== 'string' || cloudRoot === '') {
    problems.push(problem(FILE, 'cloudfunctionRoot', '请设置云函数目录，如 "cloudfunctions/"（开发者工具据此显示「上传并部署」）'));
  } else if (!isDirectory(root, cloudRoot)) {
    problems.push(problem(FILE, 'cloudfunctionRoot', `目录 ${cloudRoot} 不存在`));
  } else if (cloudbaseFunctionRoot !== undefined && !sameFolder(root, cloudRoot, cloudbaseFunctionRoot)) {
    problems.push(
      problem(
        FILE,
        'cloudfunctionRoot',
        `与 cloudbaserc.json 的 functionRoot（${cloudbaseFunctionRoot}）不是同一个目录：开发者工具和 tcb 会部署不同的代码`,
      ),
    );
  }

  const setting = isJsonObject(config.setting) ? config.setting : {};
  if (!usesTypescriptPlugin(setting)) {
    problems.push(problem(FILE, 'setting.useCompilerPlugins', '需要包含 "typescript"：否则开发者工具不会编译 .ts 页面'));
  }

  const appid = config.appid;
  const description = typeof config.description === 'string' ? config.description : '';
  if (typeof appid !== 'string') {
    problems.push(problem(FILE, 'appid', '缺少 appid'));
  } else if (PLACEHOLDER_APP_IDS.has(appid)) {
    if (!/appid/i.test(description)) {
      problems.push(
        problem(FILE, 'appid', `"${appid}" 是占位值（游客模式没有云开发，登录会失败）：请在 description 中说明需替换为自己的小程序 AppID`),
      );
    }
  } else if (!APP_ID.test(appid)) {
    problems.push(problem(FILE, 'appid', `"${appid}" 不是小程序 AppID（wx 加 16 位十六进制）`));
  }
  return problems;
}
