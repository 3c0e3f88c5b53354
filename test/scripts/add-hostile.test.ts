/**
 * `npm run add` against hostile projects: symlinks out of the project, `..` roots, tampered
 * manifests, read-only files, a file where a folder should be, malformed and ambiguous JSON.
 * Each project sits beside a sentinel tree (`outside/`) in one scratch folder; after every run
 * nothing outside the project changed, and a run that fails leaves the project exactly as it was.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../scripts/lib/add/plan';
import { add, FIXTURES, JS_QUICKSTART, readJson } from './support/fixture-projects';
import { SCRATCH_PARENT } from './support/scratch';

const MANIFEST = 'wx-cloud-login.install.json';
const scratch = mkdtempSync(path.join(SCRATCH_PARENT, 'add-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every entry under `root`: files by content hash and mode, folders, symlinks by target (never followed), pipes by mode. */
function treeState(root: string, dir = ''): Record<string, string> {
  const state: Record<string, string> = {};
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const relative = dir ? `${dir}/${name}` : name;
    const full = path.join(root, relative);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) state[relative] = `link → ${readlinkSync(full)}`;
    else if (stat.isDirectory()) Object.assign(state, { [relative]: 'dir' }, treeState(root, relative));
    else if (!stat.isFile()) state[relative] = `special ${(stat.mode & 0o777).toString(8)}`;
    else state[relative] = `${createHash('sha256').update(readFileSync(full)).digest('hex')} ${(stat.mode & 0o777).toString(8)}`;
  }
  return state;
}

interface Scene {
  /** The scratch folder holding both. */
  base: string;
  project: string;
  outside: string;
}

let installed: string | undefined;

/** A fresh JS quickstart (or a copy of it with the login installed) beside a fresh sentinel tree. */
function scene(options: { installed?: boolean } = {}): Scene {
  const base = mkdtempSync(path.join(scratch, 'scene-'));
  const project = path.join(base, 'project');
  const outside = path.join(base, 'outside');
  cpSync(options.installed ? (installed as string) : path.join(FIXTURES, JS_QUICKSTART), project, {
    recursive: true,
    verbatimSymlinks: true,
  });
  mkdirSync(path.join(outside, 'dir'), { recursive: true });
  writeFileSync(path.join(outside, 'empty.txt'), '');
  writeFileSync(path.join(outside, 'known.txt'), 'a file whose hash anyone can compute\n');
  writeFileSync(path.join(outside, 'dir', 'keep.js'), '// not the project\n');
  cpSync(path.join(project, 'miniprogram', 'app.json'), path.join(outside, 'app.json'));
  return { base, project, outside };
}

function expectUntouched(sceneOf: Scene, run: () => Promise<{ code: number; stdout: string; stderr: string }>) {
  return async (): Promise<{ code: number; stdout: string; stderr: string }> => {
    const projectBefore = treeState(sceneOf.project);
    const outsideBefore = treeState(sceneOf.outside);
    const result = await run();
    expect(treeState(sceneOf.outside)).toEqual(outsideBefore);
    expect(treeState(sceneOf.project)).toEqual(projectBefore);
    expect(result.code).not.toBe(0);
    return result;
  };
}

function editManifest(project: string, edit: (manifest: { folder: string; files: Record<string, string> }) => void): void {
  const manifest = readJson(project, MANIFEST) as { folder: string; files: Record<string, string> };
  edit(manifest);
  writeFileSync(path.join(project, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

beforeAll(async () => {
  const { project } = scene();
  const run = await add(project);
  if (run.code !== 0) throw new Error(`the base install failed:\n${run.stdout}${run.stderr}`);
  installed = project;
  // The first install of a process builds the function and the client's declarations (most of a minute on a busy machine).
}, 180_000);

describe('npm run add never writes outside the project', () => {
  it('given an install folder that is a symlink out of the project, refuses it and writes nothing anywhere', async () => {
    const s = scene();
    symlinkSync(path.join(s.outside, 'dir'), path.join(s.project, 'miniprogram', 'wx-cloud-login'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('指向项目之外');
  });

  it('given app.json as a symlink to a file outside, reads it but never edits it', async () => {
    const s = scene();
    rmSync(path.join(s.project, 'miniprogram', 'app.json'));
    symlinkSync(path.join(s.outside, 'app.json'), path.join(s.project, 'miniprogram', 'app.json'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('miniprogram/app.json：指向项目之外');
  });

  it('given a dangling symlink where an installed file goes, creates nothing at its target', async () => {
    const s = scene();
    mkdirSync(path.join(s.project, 'miniprogram', 'wx-cloud-login'));
    symlinkSync(path.join(s.outside, 'created-by-installer.js'), path.join(s.project, 'miniprogram', 'wx-cloud-login', 'config.js'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('miniprogram/wx-cloud-login/config.js：指向项目之外');
  });

  it.each([
    ['miniprogramRoot', '../outside/'],
    ['cloudfunctionRoot', '../outside/dir/'],
    ['cloudfunctionRoot', '/tmp/'],
  ])('given %s "%s", refuses with a message naming it', async (field, value) => {
    const s = scene();
    const config = readJson(s.project, 'project.config.json');
    config[field] = value;
    writeFileSync(path.join(s.project, 'project.config.json'), JSON.stringify(config, null, 2));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain(`${field}「${value.replace(/\/$/, '')}」`);
    expect(run.stderr).toContain('只在项目目录内写入');
  });

  it('given a cloudfunctionRoot that is a symlink out of the project, refuses it', async () => {
    const s = scene();
    rmSync(path.join(s.project, 'cloudfunctions'), { recursive: true });
    symlinkSync(path.join(s.outside, 'dir'), path.join(s.project, 'cloudfunctions'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('cloudfunctionRoot');
    expect(run.stderr).toContain('指向项目之外');
  });
});

describe('npm run add says in Chinese first which file and why, never a bare errno', () => {
  it('given a symlink loop where the install folder goes, refuses it by name', async () => {
    const s = scene();
    symlinkSync('wx-cloud-login', path.join(s.project, 'miniprogram', 'wx-cloud-login'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('miniprogram/wx-cloud-login/config.js：经过的符号链接太多（循环？）');
  });

  it('given a dangling symlink among the functions, installs around it', async () => {
    const s = scene();
    symlinkSync(path.join(s.base, 'gone'), path.join(s.project, 'cloudfunctions', 'gone'));
    const run = await add(s.project, '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('given a function folder that is a symlink out of the project, puts no current-user module behind it', async () => {
    const s = scene();
    symlinkSync(path.join(s.outside, 'dir'), path.join(s.project, 'cloudfunctions', 'shop'));
    const run = await expectUntouched(s, () => add(s.project, '--auth-functions', 'shop'))();
    expect(run.stdout).toContain('cloudfunctions/shop/wx-cloud-login-auth/index.js：指向项目之外');
  });

  it('given a file where the functions folder should be, writes nothing and names it', async () => {
    const s = scene();
    rmSync(path.join(s.project, 'cloudfunctions'), { recursive: true });
    writeFileSync(path.join(s.project, 'cloudfunctions'), 'a file, not a folder\n');
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('cloudfunctions 是文件，这里需要一个目录');
  });

  it('given a malformed cloudbaserc.json, names it', async () => {
    const s = scene();
    writeFileSync(path.join(s.project, 'cloudbaserc.json'), '{ "envId": "x", ');
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toMatch(/^cloudbaserc\.json：无法读取或不是合法的 JSON/);
  });

  it('given cloudbaserc.json as a symlink to a file outside, never edits it', async () => {
    const s = scene();
    writeFileSync(path.join(s.outside, 'cloudbaserc.json'), '{\n  "envId": "x",\n  "functions": []\n}\n');
    symlinkSync(path.join(s.outside, 'cloudbaserc.json'), path.join(s.project, 'cloudbaserc.json'));
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('cloudbaserc.json：指向项目之外');
  });

  (process.platform === 'win32' ? it.skip : it)('given app.json as a named pipe, refuses it instead of waiting on it forever', async () => {
    const s = scene();
    rmSync(path.join(s.project, 'miniprogram', 'app.json'));
    execFileSync('mkfifo', [path.join(s.project, 'miniprogram', 'app.json')]);
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('miniprogram/app.json：不是普通文件');
  });
});

describe('npm run add trusts no manifest entry the kit would not have written', () => {
  it.each([
    ['an outside empty file by its known hash', (_s: Scene) => ({ '../outside/empty.txt': sha256('') })],
    ['an absolute path', (s: Scene) => ({ [path.join(s.outside, 'known.txt')]: sha256('a file whose hash anyone can compute\n') })],
    [
      'a project file of its own by its hash',
      (s: Scene) => ({ 'miniprogram/app.js': sha256(readFileSync(path.join(s.project, 'miniprogram', 'app.js'), 'utf8')) }),
    ],
    [
      "the team's own function",
      (s: Scene) => ({
        'cloudfunctions/quickstartFunctions/index.js': sha256(
          readFileSync(path.join(s.project, 'cloudfunctions', 'quickstartFunctions', 'index.js'), 'utf8'),
        ),
      }),
    ],
  ])('given a manifest listing %s, --remove and --update refuse and delete nothing', async (_what, entries) => {
    const s = scene({ installed: true });
    editManifest(s.project, (manifest) => Object.assign(manifest.files, entries(s)));
    const removal = await expectUntouched(s, () => add(s.project, '--remove'))();
    expect(removal.stderr).toContain('wx-cloud-login.install.json 不可信');
    const update = await expectUntouched(s, () => add(s.project, '--update'))();
    expect(update.stderr).toContain('不可信');
  });

  it('given a manifest whose entry is a symlink out of the project, deletes nothing behind it', async () => {
    const s = scene({ installed: true });
    const link = 'miniprogram/wx-cloud-login/leak.js';
    symlinkSync(path.join(s.outside, 'known.txt'), path.join(s.project, link));
    editManifest(s.project, (manifest) => Object.assign(manifest.files, { [link]: sha256('a file whose hash anyone can compute\n') }));
    const run = await expectUntouched(s, () => add(s.project, '--remove'))();
    expect(run.stderr).toContain(`条目 ${link} 指向项目之外`);
  });

  it('given a manifest whose folder is "pages", keeps every page of the project', async () => {
    const s = scene({ installed: true });
    editManifest(s.project, (manifest) => {
      manifest.folder = 'pages';
    });
    const run = await expectUntouched(s, () => add(s.project, '--remove'))();
    expect(run.stderr).toContain('folder「pages」');
  });

  it('refuses "pages" as --folder on a first install', async () => {
    const s = scene();
    const run = await expectUntouched(s, () => add(s.project, '--folder', 'pages'))();
    expect(run.stderr).toContain('项目自己的目录');
  });
});

describe('npm run add installs all or nothing', () => {
  it('given a read-only app.json, writes no file, says which file and why, and --remove then finds nothing', async () => {
    const s = scene();
    chmodSync(path.join(s.project, 'miniprogram', 'app.json'), 0o444);
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toMatch(/^失败 \/ Failed: miniprogram\/app\.json：文件只读，不可写入。项目没有任何改动 \/ .*read-only/);
    const removal = await add(s.project, '--remove');
    expect(removal.stderr).toContain('没有可移除的');
  });

  it('given a file where the install folder should be, writes nothing and names it', async () => {
    const s = scene();
    writeFileSync(path.join(s.project, 'miniprogram', 'wx-cloud-login'), 'a file, not a folder\n');
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('miniprogram/wx-cloud-login 是文件，这里需要一个目录');
  });

  it('given a folder where an installed file goes, writes nothing and names it', async () => {
    const s = scene();
    mkdirSync(path.join(s.project, 'cloudfunctions', 'login', 'index.js'), { recursive: true });
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stdout).toContain('cloudfunctions/login/index.js：这里是目录或特殊文件');
  });

  it('given a read-only functions folder, writes nothing (not even the mini-program part)', async () => {
    const s = scene();
    chmodSync(path.join(s.project, 'cloudfunctions'), 0o555);
    try {
      const run = await expectUntouched(s, () => add(s.project))();
      expect(run.stderr).toContain('目录 cloudfunctions 不可写');
    } finally {
      chmodSync(path.join(s.project, 'cloudfunctions'), 0o755);
    }
  });
});

describe('npm run add refuses JSON it would have to guess about', () => {
  it('given app.json with two "pages" keys, refuses instead of editing the one DevTools ignores', async () => {
    const s = scene();
    writeFileSync(
      path.join(s.project, 'miniprogram', 'app.json'),
      '{\n  "pages": ["pages/index/index"],\n  "window": {},\n  "pages": ["pages/index/index", "pages/example/index"]\n}\n',
    );
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('miniprogram/app.json：无法读取或不是合法的 JSON（duplicate key "pages" at line 4）');
  });

  it('given a malformed project.config.json, says which file', async () => {
    const s = scene();
    writeFileSync(path.join(s.project, 'project.config.json'), '{ "miniprogramRoot": "miniprogram/", }');
    const run = await expectUntouched(s, () => add(s.project))();
    expect(run.stderr).toContain('project.config.json：无法读取或不是合法的 JSON');
  });

  it('given a manifest with duplicate keys, trusts none of it', async () => {
    const s = scene({ installed: true });
    const text = readFileSync(path.join(s.project, MANIFEST), 'utf8');
    writeFileSync(
      path.join(s.project, MANIFEST),
      text.replace('"folder": "wx-cloud-login",', '"folder": "wx-cloud-login",\n  "folder": "pages",'),
    );
    const run = await expectUntouched(s, () => add(s.project, '--remove'))();
    expect(run.stderr).toContain('duplicate key "folder"');
  });
});
