/**
 * `add <path to a DevTools project>`: installs the login into an existing mini-program — the bundled
 * login function, the client (service, platform layer, contract) in one folder, the chosen pages and
 * the privacy popup, registered in app.json — printing the plan first; `--remove` takes it out again.
 * `runAdd` is the one entry (the CLI in scripts/add.ts and any package bin only wire it to a terminal).
 *
 * Order of a run: read the project (roots must stay inside it, JSON must be unambiguous), read and
 * check the manifest of an earlier run (manifest.ts), plan, then commit all or nothing (transaction.ts).
 */
import path from 'node:path';
import { type Brand, installablePages, kitLayout } from './client-files';
import { INSTALLABLES, type InstallContext, ownFunctions } from './installables';
import { removeFromArray } from './json-text';
import {
  authFunctionsOf,
  DEFAULT_FUNCTION_NAME,
  folderProblem,
  type InstallManifest,
  isFunctionName,
  MANIFEST_FILE,
  ManifestError,
  parseManifest,
  validateManifest,
} from './manifest';
import { applyInstall, applyRemoval, describePlan, describeRemoval, planInstall, planRemoval, projectText, readProjectText } from './plan';
import { detectProject, type DevToolsProject, normalizeFolder, ProjectError } from './project';
import { projectPaths } from './project-paths';
import { TransactionError } from './transaction';

export const DEFAULT_FOLDER = 'wx-cloud-login';
export const DEFAULT_PAGES = ['login'];

export interface AddOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks a person a question and resolves with the answer; only given when a person is at a terminal. */
  ask?(question: string): Promise<string>;
}

export interface AddArgs {
  project: string;
  pages: string[] | null;
  folder: string | null;
  functionName: string | null;
  /** null: not given (prompt at a terminal, else none on a first install, the recorded ones on --update). */
  authFunctions: string[] | null;
  /** --app-name, --logo, --operator as given. */
  brand: Brand;
  dryRun: boolean;
  update: boolean;
  remove: boolean;
}

export function addUsage(pages: string[]): string {
  return `用法 Usage: npm run add -- <开发者工具项目路径> [--pages ${pages.join(',')}] [--folder DIR] [--function-name NAME]
       [--auth-functions a,b] [--dry-run] [--update | --remove]
  --pages LIST           安装的页面（默认 login；会一并安装它们打开的页面）/ pages to install (default: login)
  --folder DIR           小程序端代码放在 miniprogramRoot 下的哪个目录（默认 ${DEFAULT_FOLDER}）/ install folder
  --function-name NAME   登录云函数的名字（默认 login；项目已有 login 时用）/ the login function's name when login is taken
  --auth-functions LIST  把当前用户模块装进项目自己的哪些云函数（默认不装；在终端中会询问）/ functions that get the current-user module
  --app-name NAME        登录页显示的产品名（默认「微信云登录」）/ the product name the login page shows
  --logo PATH            登录页的标志图片，如 /images/logo.png / the login page's logo
  --operator NAME        用户协议与隐私政策中的运营者（主体全称）/ the operator named in the agreement
  --dry-run              只打印计划，不写入 / print the plan only
  --update               升级之前安装且未被改动的文件 / upgrade what an earlier run installed
  --remove               移除之前安装且未被改动的文件和登记的页面 / take out what an earlier run installed
`;
}

const BRAND_OPTIONS: Readonly<Record<string, keyof Brand>> = { '--app-name': 'name', '--logo': 'logoUrl', '--operator': 'operator' };

export type ParsedAdd = { ok: true; args: AddArgs } | { ok: false; message: string };

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function parseAddArgs(argv: string[]): ParsedAdd {
  const args: AddArgs = {
    project: '',
    pages: null,
    folder: null,
    functionName: null,
    authFunctions: null,
    brand: {},
    dryRun: false,
    update: false,
    remove: false,
  };
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    const [name, inline] = argument.startsWith('--')
      ? argument.includes('=')
        ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)]
        : [argument, undefined]
      : [argument, undefined];
    const value = () => inline ?? argv[++index];
    if (name === '--help') return { ok: false, message: '' };
    if (name === '--dry-run') args.dryRun = true;
    else if (name === '--update') args.update = true;
    else if (name === '--remove') args.remove = true;
    else if (BRAND_OPTIONS[name]) {
      const given = value();
      if (!given) return { ok: false, message: `${name} 缺少值 / needs a value` };
      args.brand[BRAND_OPTIONS[name]] = given;
    } else if (name === '--pages' || name === '--folder' || name === '--function-name' || name === '--auth-functions') {
      const given = value();
      // --auth-functions "" means none, explicitly.
      if (given === undefined || (given === '' && name !== '--auth-functions'))
        return { ok: false, message: `${name} 缺少值 / needs a value` };
      if (name === '--pages') args.pages = list(given);
      else if (name === '--folder') args.folder = given;
      else if (name === '--function-name') args.functionName = given;
      else args.authFunctions = list(given);
    } else if (name.startsWith('--')) return { ok: false, message: `未知参数 / unknown option: ${argument}` };
    else positionals.push(argument);
  }
  if (positionals.length !== 1)
    return {
      ok: false,
      message: positionals.length === 0 ? '缺少项目路径 / missing the project path' : `多余的参数 / unexpected argument: ${positionals[1]}`,
    };
  args.project = positionals[0] as string;
  if (
    args.remove &&
    (args.update || args.pages || args.folder || args.functionName || args.authFunctions || Object.keys(args.brand).length > 0)
  )
    return { ok: false, message: '--remove 只与 --dry-run 同用 / --remove takes only --dry-run' };
  if (args.functionName !== null && !isFunctionName(args.functionName))
    return { ok: false, message: `--function-name 不是合法的云函数名 / not a function name: ${args.functionName}` };
  return { ok: true, args };
}

/** The app.json routes the kit's pages have in `folder`: the only pages --remove takes out. */
function kitRoutes(kitPages: string[]): string[] {
  return kitPages.map((page) => `pages/${page}/index`);
}

/** The manifest of an earlier run, checked entry by entry before anything may act on it; null when there is none. */
function readCheckedManifest(project: DevToolsProject, kitPages: string[]): InstallManifest | null {
  const paths = projectPaths(project.root);
  const read = projectText(paths, MANIFEST_FILE);
  if (read.kind === 'absent') return null;
  if (read.kind === 'refused') throw new ManifestError(read.reason, 'it is not a regular file inside the project');
  const manifest = parseManifest(read.text);
  validateManifest(
    manifest,
    {
      miniprogramRoot: project.miniprogramRoot,
      functionsFolder: project.cloudfunctionRoot ?? 'cloudfunctions',
      pages: project.pages,
      kitRoutes: kitRoutes(kitPages),
    },
    paths,
    (file) => readProjectText(paths, file),
  );
  return manifest;
}

function remove(
  project: DevToolsProject,
  manifest: InstallManifest | null,
  kitPages: string[],
  dryRun: boolean,
  output: AddOutput,
): number {
  if (!manifest) {
    output.stderr('这个项目没有 wx-cloud-login 的安装清单，没有可移除的 / no install manifest: nothing to remove\n');
    return 1;
  }
  const routes = new Set(kitRoutes(kitPages).map((route) => `${manifest.folder}/${route}`));
  const plan = planRemoval(project.root, manifest, path.posix.join(project.miniprogramRoot, 'app.json'), (text) =>
    removeFromArray(text, ['pages'], (page) => typeof page === 'string' && routes.has(page)),
  );
  output.stdout(describeRemoval(plan, project.root));
  if (dryRun) {
    output.stdout('--dry-run：只打印了计划，没有改动 / plan only, nothing changed\n');
    return 0;
  }
  applyRemoval(project.root, plan);
  output.stdout('已移除 / Removed\n');
  return 0;
}

/** Which of the project's own functions get the current-user module. */
async function chooseAuthFunctions(
  args: AddArgs,
  previous: InstallManifest | null,
  available: string[],
  functionsFolder: string,
  output: AddOutput,
): Promise<string[] | { error: string }> {
  const recorded = previous ? authFunctionsOf(previous, functionsFolder) : [];
  let chosen = args.authFunctions;
  if (chosen === null && !previous && output.ask && available.length > 0) {
    const answer = await output.ask(
      `把当前用户模块（requireUser / protectedFunction，约 24 KB）装进哪些云函数？可选：${available.join(', ')}\n` +
        '用逗号分隔，直接回车表示都不装 / Functions to get the current-user module (comma-separated, Enter for none): ',
    );
    chosen = list(answer);
  }
  const names = [...new Set([...recorded, ...(chosen ?? [])])].sort();
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0)
    return {
      error: `--auth-functions 中的 ${unknown.join('、')} 不是 ${functionsFolder}/ 下项目自己的云函数（可选：${available.join('、') || '无'}）/ not a function of the project: ${unknown.join(', ')}`,
    };
  return names;
}

/** The brand given now, over the one recorded; at a terminal, a first install asks for the name, the logo and the operator. */
async function chooseBrand(args: AddArgs, previous: InstallManifest | null, output: AddOutput): Promise<Brand> {
  const brand: Brand = { ...(previous?.brand ?? {}), ...args.brand };
  if (previous || !output.ask) return brand;
  if (brand.name === undefined) {
    const name = (await output.ask('登录页显示的产品名（直接回车保留「微信云登录」，以后再改）/ Product name (Enter to keep): ')).trim();
    if (name) brand.name = name;
  }
  if (brand.logoUrl === undefined) {
    const logo = (
      await output.ask('登录页的标志图片，如 /images/logo.png（直接回车用文字方块，以后再改）/ Logo image path (Enter for a text badge): ')
    ).trim();
    if (logo) brand.logoUrl = logo;
  }
  if (brand.operator === undefined) {
    const operator = (
      await output.ask('用户协议中的运营者，即小程序的主体全称（直接回车以后再填）/ Operator for the agreement (Enter to fill in later): ')
    ).trim();
    if (operator) brand.operator = operator;
  }
  return brand;
}

/** The whole command; resolves with the exit code (0 done or up to date, 1 conflicts or errors, 2 usage). */
export async function runAdd(
  argv: string[],
  output: AddOutput,
  kitRoot = path.resolve(__dirname, '..', '..', '..'),
  cwd = process.cwd(),
): Promise<number> {
  const kit = kitLayout(kitRoot);
  const kitPages = installablePages(kit);
  const parsed = parseAddArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${addUsage(kitPages)}`);
    return parsed.message ? 2 : 0;
  }
  const args = parsed.args;
  try {
    const project = detectProject(path.resolve(cwd, args.project));
    const previous = readCheckedManifest(project, kitPages);
    if (args.update && !previous) {
      output.stderr('这个项目还没有安装 wx-cloud-login：去掉 --update 先安装 / nothing installed yet: run without --update first\n');
      return 1;
    }
    if (args.remove) return remove(project, previous, kitPages, args.dryRun, output);
    const folder = normalizeFolder(args.folder ?? previous?.folder ?? DEFAULT_FOLDER);
    const problem = folderProblem(folder, { pages: project.pages, kitRoutes: kitRoutes(kitPages) });
    if (problem) {
      output.stderr(`--folder「${args.folder ?? folder}」${problem[0]} / ${problem[1]}\n`);
      return 2;
    }
    if (previous && previous.folder !== folder) {
      output.stderr(`之前安装在 ${previous.folder}，不能改为 ${folder}（先 --remove）/ installed in ${previous.folder} before\n`);
      return 1;
    }
    const previousName = previous ? (previous.functionName ?? DEFAULT_FUNCTION_NAME) : null;
    const functionName = args.functionName ?? previousName ?? DEFAULT_FUNCTION_NAME;
    if (previousName !== null && previousName !== functionName) {
      output.stderr(
        `之前的登录云函数名是 ${previousName}，不能改为 ${functionName}（先 --remove）/ the login function was installed as ${previousName}\n`,
      );
      return 1;
    }
    const functionsFolder = project.cloudfunctionRoot ?? 'cloudfunctions';
    const available = ownFunctions(project, functionsFolder, functionName);
    const authFunctions = await chooseAuthFunctions(args, previous, available, functionsFolder, output);
    if ('error' in authFunctions) {
      output.stderr(`${authFunctions.error}\n`);
      return 2;
    }
    const pages = [...new Set([...(previous?.pages ?? []), ...(args.pages ?? (previous ? [] : DEFAULT_PAGES))])];
    const brand = await chooseBrand(args, previous, output);
    const context: InstallContext = { kit, project, folder, pages, functionsFolder, functionName, authFunctions, brand };
    output.stdout(
      `项目 Project: ${project.language === 'typescript' ? 'TypeScript' : 'JavaScript'}，miniprogramRoot: ${project.miniprogramRoot || '.'}/，` +
        `云函数 functions: ${functionsFolder}/${project.cloudfunctionRoot === null ? '（新建）' : ''}，` +
        `miniprogram_npm: ${project.usesMiniprogramNpm ? '是' : '否'}\n`,
    );
    const plan = await planInstall(context, INSTALLABLES, previous, args.update);
    output.stdout(describePlan(plan, project.root));
    if (plan.conflicts.length > 0) {
      if (plan.files.some((step) => step.path.startsWith(`${functionsFolder}/${functionName}/`) && step.action === 'conflict'))
        output.stdout(
          `项目已有自己的 ${functionName} 云函数：用 --function-name 换一个名字安装，例如 --function-name wxCloudLogin / the project has its own ${functionName} function: pick another name with --function-name\n`,
        );
      return 1;
    }
    if (args.dryRun) {
      output.stdout('--dry-run：只打印了计划，没有写入 / plan only, nothing written\n');
      return 0;
    }
    if (!plan.changes) return 0;
    applyInstall(project.root, plan);
    output.stdout(`完成。下一步见 ${path.posix.join(project.miniprogramRoot, folder, 'INTEGRATION.md')} / Done; see INTEGRATION.md\n`);
    return 0;
  } catch (error) {
    if (error instanceof TransactionError) output.stderr(`失败 / Failed: ${error.message}\n`);
    else output.stderr(`${error instanceof ProjectError || error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
