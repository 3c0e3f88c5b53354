/**
 * Which project `npm start` runs: this repository, or with `--project <path>` any WeChat DevTools
 * project (one `npm run add` installed into, or any other). For a project, the emulator runs every
 * function in its cloudfunctionRoot (its own and the installed login alike) and the preview shows
 * its miniprogramRoot; the emulator's data and the preview's build stay in this repository
 * (.cloudbase/projects/<name>, .build/preview-projects/<name>), never in the team's project.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { detectProject } from './add/project';

export interface StartTarget {
  /** The arguments for the emulator's own parser, `--project` taken out and the project's folders put in. */
  argv: string[];
  /** Set for `--project`: what the banner names. */
  projectRoot: string | null;
  functionsRoot: string;
  /** undefined: the preview's default (./miniprogram of this repository). */
  miniprogramRoot: string | undefined;
  previewOutDir: string | undefined;
}

export type StartTargetResult = { ok: true; target: StartTarget } | { ok: false; message: string };

function hasOption(argv: string[], names: string[]): boolean {
  return argv.some((argument) => names.some((name) => argument === name || argument.startsWith(`${name}=`)));
}

/** A folder name for the project: its base name plus a short hash of its path, so two 'app' folders never share data. */
function projectKey(root: string): string {
  const base = path.basename(root).replace(/[^A-Za-z0-9_-]+/g, '-') || 'project';
  return `${base}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
}

export function resolveStartTarget(argv: string[], kitRoot: string, cwd = process.cwd()): StartTargetResult {
  const index = argv.findIndex((argument) => argument === '--project' || argument.startsWith('--project='));
  if (index < 0)
    return {
      ok: true,
      target: {
        argv,
        projectRoot: null,
        functionsRoot: path.join(kitRoot, 'cloudfunctions'),
        miniprogramRoot: undefined,
        previewOutDir: undefined,
      },
    };
  const argument = argv[index] as string;
  const value = argument.includes('=') ? argument.slice(argument.indexOf('=') + 1) : argv[index + 1];
  if (!value) return { ok: false, message: '--project 缺少项目路径 / --project needs the path of a DevTools project' };
  const rest = [...argv.slice(0, index), ...argv.slice(index + (argument.includes('=') ? 1 : 2))];

  let project: ReturnType<typeof detectProject>;
  try {
    project = detectProject(path.resolve(cwd, value));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const key = projectKey(project.root);
  const functionsRoot = path.join(project.root, project.cloudfunctionRoot ?? 'cloudfunctions');
  const extra: string[] = [];
  if (!hasOption(rest, ['--functions'])) extra.push('--functions', functionsRoot);
  // The data folder flag of the emulator's start command (packages/cloudbase-emulator/src/cli.ts).
  if (!hasOption(rest, ['--data', '--data-dir', '--memory'])) extra.push('--data-dir', path.join(kitRoot, '.cloudbase', 'projects', key));
  return {
    ok: true,
    target: {
      argv: [...rest, ...extra],
      projectRoot: project.root,
      functionsRoot,
      miniprogramRoot: path.join(project.root, project.miniprogramRoot),
      previewOutDir: path.join(kitRoot, '.build', 'preview-projects', key),
    },
  };
}
