/**
 * `npm run add -- <path to a DevTools project> [--pages login,profile,…] [--folder DIR] [--dry-run] [--update]`:
 * installs the login into an existing mini-program — the bundled login function, the client
 * (service, platform layer, contract) in one folder, the chosen pages and the privacy popup,
 * registered in app.json — printing the plan first; `--remove` takes it out again. See scripts/lib/add/ for each part and the
 * rules for what may be written (plan.ts).
 */
import path from 'node:path';
import { installablePages, kitLayout } from './lib/add/client-files';
import { INSTALLABLES, type InstallContext } from './lib/add/installables';
import { removeFromArray } from './lib/add/json-text';
import {
  applyInstall,
  applyRemoval,
  describePlan,
  describeRemoval,
  type InstallManifest,
  planInstall,
  planRemoval,
  readManifest,
} from './lib/add/plan';
import { detectProject, type DevToolsProject, normalizeFolder, ProjectError } from './lib/add/project';

export const DEFAULT_FOLDER = 'wx-cloud-login';
export const DEFAULT_PAGES = ['login'];

export interface AddOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface AddArgs {
  project: string;
  pages: string[] | null;
  folder: string | null;
  dryRun: boolean;
  update: boolean;
  remove: boolean;
}

export function addUsage(pages: string[]): string {
  return `用法 Usage: npm run add -- <开发者工具项目路径> [--pages ${pages.join(',')}] [--folder DIR] [--dry-run] [--update | --remove]
  --pages LIST   安装的页面（默认 login；会一并安装它们打开的页面）/ pages to install (default: login)
  --folder DIR   小程序端代码放在 miniprogramRoot 下的哪个目录（默认 ${DEFAULT_FOLDER}）/ install folder
  --dry-run      只打印计划，不写入 / print the plan only
  --update       升级之前安装且未被改动的文件 / upgrade what an earlier run installed
  --remove       移除之前安装且未被改动的文件和登记的页面 / take out what an earlier run installed
`;
}

export type ParsedAdd = { ok: true; args: AddArgs } | { ok: false; message: string };

export function parseAddArgs(argv: string[]): ParsedAdd {
  const args: AddArgs = { project: '', pages: null, folder: null, dryRun: false, update: false, remove: false };
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
    else if (name === '--pages') {
      const list = value();
      if (!list) return { ok: false, message: '--pages 缺少值 / needs a value' };
      args.pages = list
        .split(',')
        .map((page) => page.trim())
        .filter(Boolean);
    } else if (name === '--folder') {
      const folder = value();
      if (!folder) return { ok: false, message: '--folder 缺少值 / needs a value' };
      args.folder = folder;
    } else if (name.startsWith('--')) return { ok: false, message: `未知参数 / unknown option: ${argument}` };
    else positionals.push(argument);
  }
  if (positionals.length !== 1)
    return {
      ok: false,
      message: positionals.length === 0 ? '缺少项目路径 / missing the project path' : `多余的参数 / unexpected argument: ${positionals[1]}`,
    };
  args.project = positionals[0] as string;
  if (args.remove && (args.update || args.pages || args.folder))
    return { ok: false, message: '--remove 不与 --update、--pages、--folder 同用 / --remove takes only --dry-run' };
  return { ok: true, args };
}

function remove(project: DevToolsProject, manifest: InstallManifest | null, dryRun: boolean, output: AddOutput): number {
  if (!manifest) {
    output.stderr('这个项目没有 wx-cloud-login 的安装清单，没有可移除的 / no install manifest: nothing to remove\n');
    return 1;
  }
  const prefix = `${manifest.folder}/`;
  const plan = planRemoval(project.root, manifest, path.posix.join(project.miniprogramRoot, 'app.json'), (text) =>
    removeFromArray(text, ['pages'], (page) => typeof page === 'string' && page.startsWith(prefix)),
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

/** The whole command; resolves with the exit code (0 done or up to date, 1 conflicts or errors, 2 usage). */
export async function runAdd(
  argv: string[],
  output: AddOutput,
  kitRoot = path.resolve(__dirname, '..'),
  cwd = process.cwd(),
): Promise<number> {
  const kit = kitLayout(kitRoot);
  const parsed = parseAddArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${addUsage(installablePages(kit))}`);
    return parsed.message ? 2 : 0;
  }
  const args = parsed.args;
  try {
    const project = detectProject(path.resolve(cwd, args.project));
    const previous = readManifest(project.root);
    if (args.update && !previous) {
      output.stderr('这个项目还没有安装 wx-cloud-login：去掉 --update 先安装 / nothing installed yet: run without --update first\n');
      return 1;
    }
    if (args.remove) return remove(project, previous, args.dryRun, output);
    const folder = normalizeFolder(args.folder ?? previous?.folder ?? DEFAULT_FOLDER);
    if (folder === '' || folder.startsWith('..') || path.posix.isAbsolute(folder)) {
      output.stderr(`--folder 必须是 miniprogramRoot 下的子目录 / must be a folder inside miniprogramRoot: ${args.folder}\n`);
      return 2;
    }
    if (previous && previous.folder !== folder) {
      output.stderr(`之前安装在 ${previous.folder}，不能改为 ${folder}（先按 README 移除）/ installed in ${previous.folder} before\n`);
      return 1;
    }
    const pages = [...new Set([...(previous?.pages ?? []), ...(args.pages ?? (previous ? [] : DEFAULT_PAGES))])];
    const context: InstallContext = {
      kit,
      project,
      folder,
      pages,
      functionsFolder: project.cloudfunctionRoot ?? 'cloudfunctions',
    };
    output.stdout(
      `项目 Project: ${project.language === 'typescript' ? 'TypeScript' : 'JavaScript'}，miniprogramRoot: ${project.miniprogramRoot || '.'}/，` +
        `云函数 functions: ${context.functionsFolder}/${project.cloudfunctionRoot === null ? '（新建）' : ''}，` +
        `miniprogram_npm: ${project.usesMiniprogramNpm ? '是' : '否'}\n`,
    );
    const plan = await planInstall(context, INSTALLABLES, previous, args.update);
    output.stdout(describePlan(plan, project.root));
    if (plan.conflicts.length > 0) return 1;
    if (args.dryRun) {
      output.stdout('--dry-run：只打印了计划，没有写入 / plan only, nothing written\n');
      return 0;
    }
    if (!plan.changes) return 0;
    applyInstall(project.root, plan);
    output.stdout(`完成。下一步见 ${path.posix.join(project.miniprogramRoot, folder, 'INTEGRATION.md')} / Done; see INTEGRATION.md\n`);
    return 0;
  } catch (error) {
    output.stderr(`${error instanceof ProjectError || error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  runAdd(process.argv.slice(2), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
