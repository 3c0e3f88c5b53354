/**
 * app.json and what it reaches: every page needs its four files (DevTools compiles a page without
 * .wxss but this project keeps each page complete), tab pages must be pages, and every
 * usingComponents entry must resolve the way DevTools resolves it — `/x` from the mini-program
 * root, `./x` and `../x` from the json's folder, a bare `x` from the folder and then miniprogram_npm.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, readJsonFile, relativePath, type Json, type JsonObject } from '../json-file';
import { problem, type Problem } from '../problem';

const SCRIPT_EXTENSIONS = ['.ts', '.js'];
const PAGE_FILES = ['.wxml', '.wxss', '.json'];

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

/** The page's missing files, as `index.wxml`-style names; its script may be .ts or .js. */
function missingPageFiles(base: string): string[] {
  const missing: string[] = [];
  if (!SCRIPT_EXTENSIONS.some((ext) => isFile(base + ext))) missing.push(`${path.basename(base)}.ts`);
  for (const ext of PAGE_FILES) if (!isFile(base + ext)) missing.push(path.basename(base) + ext);
  return missing;
}

function isComponentAt(base: string): boolean {
  return isFile(`${base}.json`) && isFile(`${base}.wxml`) && SCRIPT_EXTENSIONS.some((ext) => isFile(base + ext));
}

/** The component's base path (without extension), or undefined when nothing is there. */
export function resolveComponent(miniprogramRoot: string, jsonFile: string, reference: string): string | undefined {
  const candidates: string[] = [];
  if (reference.startsWith('/')) {
    candidates.push(path.join(miniprogramRoot, reference));
  } else {
    candidates.push(path.resolve(path.dirname(jsonFile), reference));
    if (!reference.startsWith('.')) {
      // npm components: miniprogram_npm in the json's folder or any parent up to the root.
      for (let dir = path.dirname(jsonFile); dir.startsWith(miniprogramRoot); dir = path.dirname(dir)) {
        candidates.push(path.join(dir, 'miniprogram_npm', reference));
        if (dir === miniprogramRoot) break;
      }
    }
  }
  for (const candidate of candidates) {
    if (isComponentAt(candidate)) return candidate;
    if (isComponentAt(path.join(candidate, 'index'))) return path.join(candidate, 'index');
  }
  return undefined;
}

interface Walk {
  root: string;
  miniprogramRoot: string;
  visited: Set<string>;
  problems: Problem[];
}

/** Checks `usingComponents` of one json file, then of every component it reaches (once each). */
function walkComponents(walk: Walk, jsonFile: string, json: JsonObject): void {
  const using = json.usingComponents;
  if (using === undefined) return;
  const file = relativePath(walk.root, jsonFile);
  if (!isJsonObject(using)) {
    walk.problems.push(problem(file, 'usingComponents', '必须是 { 组件名: 路径 } 对象'));
    return;
  }
  for (const [name, reference] of Object.entries(using)) {
    if (typeof reference !== 'string' || reference === '') {
      walk.problems.push(problem(file, `usingComponents.${name}`, '组件路径必须是非空字符串'));
      continue;
    }
    if (/^plugin(-private)?:\/\//.test(reference)) continue; // resolved by WeChat at run time
    const resolved = resolveComponent(walk.miniprogramRoot, jsonFile, reference);
    if (!resolved) {
      walk.problems.push(
        problem(
          file,
          `usingComponents.${name}`,
          `找不到组件 "${reference}"（需要 .json、.wxml 与 .ts/.js；"/" 开头相对小程序根目录，其余相对本文件所在目录）`,
        ),
      );
      continue;
    }
    if (walk.visited.has(resolved)) continue;
    walk.visited.add(resolved);
    const read = readJsonFile(walk.root, relativePath(walk.root, `${resolved}.json`));
    if (!read.ok) walk.problems.push(read.problem);
    else if (isJsonObject(read.value)) walkComponents(walk, `${resolved}.json`, read.value);
  }
}

function pageList(value: Json | undefined): Json[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function checkAppJson(root: string, miniprogramRoot: string): Problem[] {
  const appJsonFile = path.join(miniprogramRoot, 'app.json');
  const file = relativePath(root, appJsonFile);
  const read = readJsonFile(root, file);
  if (!read.ok) return [read.problem];
  if (!isJsonObject(read.value)) return [problem(file, '(file)', 'app.json 必须是对象')];
  const app = read.value;
  const walk: Walk = { root, miniprogramRoot, visited: new Set(), problems: [] };

  if (!SCRIPT_EXTENSIONS.some((ext) => isFile(path.join(miniprogramRoot, `app${ext}`)))) {
    walk.problems.push(problem(relativePath(root, path.join(miniprogramRoot, 'app.ts')), '(file)', '缺少 app.ts（小程序入口）'));
  }

  const mainPages = pageList(app.pages);
  if (!mainPages || mainPages.length === 0) walk.problems.push(problem(file, 'pages', '至少需要一个页面'));

  const checkPages = (pages: Json[], packageRoot: string, field: string): void => {
    pages.forEach((page, i) => {
      if (typeof page !== 'string' || page === '') {
        walk.problems.push(problem(file, `${field}[${i}]`, '页面路径必须是非空字符串'));
        return;
      }
      const base = path.join(miniprogramRoot, packageRoot, page);
      const missing = missingPageFiles(base);
      if (missing.length > 0) {
        walk.problems.push(problem(file, `${field}[${i}]`, `页面 ${path.posix.join(packageRoot, page)} 缺少 ${missing.join('、')}`));
        return;
      }
      const pageJson = readJsonFile(root, relativePath(root, `${base}.json`));
      if (!pageJson.ok) walk.problems.push(pageJson.problem);
      else if (isJsonObject(pageJson.value)) walkComponents(walk, `${base}.json`, pageJson.value);
    });
  };
  checkPages(mainPages ?? [], '', 'pages');

  for (const key of ['subpackages', 'subPackages'] as const) {
    const subpackages = pageList(app[key]) ?? [];
    subpackages.forEach((subpackage, j) => {
      if (!isJsonObject(subpackage) || typeof subpackage.root !== 'string') {
        walk.problems.push(problem(file, `${key}[${j}].root`, '分包需要 root'));
        return;
      }
      checkPages(pageList(subpackage.pages) ?? [], subpackage.root, `${key}[${j}].pages`);
    });
  }

  const tabBar = app.tabBar;
  if (isJsonObject(tabBar) && Array.isArray(tabBar.list)) {
    tabBar.list.forEach((item, k) => {
      if (!isJsonObject(item)) return;
      if (typeof item.pagePath !== 'string' || !(mainPages ?? []).includes(item.pagePath)) {
        walk.problems.push(problem(file, `tabBar.list[${k}].pagePath`, `"${String(item.pagePath)}" 不在 pages 中（tab 页必须是主包页面）`));
      }
      for (const icon of ['iconPath', 'selectedIconPath'] as const) {
        const value = item[icon];
        if (typeof value === 'string' && !isFile(path.join(miniprogramRoot, value))) {
          walk.problems.push(problem(file, `tabBar.list[${k}].${icon}`, `图标 ${value} 不存在`));
        }
      }
    });
  }

  if (typeof app.sitemapLocation === 'string' && !isFile(path.join(miniprogramRoot, app.sitemapLocation))) {
    walk.problems.push(problem(file, 'sitemapLocation', `${app.sitemapLocation} 不存在`));
  }

  walkComponents(walk, appJsonFile, app);
  return walk.problems;
}
