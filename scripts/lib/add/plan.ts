/**
 * Decides what an install may write, and writes it. The rule: a file is written only when it is
 * absent, or when the manifest says the installer wrote it and its content still has the hash
 * recorded then (the team has not edited it). Anything else in the way is a conflict, and a plan
 * with a conflict writes nothing.
 *
 *   absent                                   -> create
 *   same content as the kit's                -> unchanged (adopted into the manifest)
 *   ours, untouched, kit has a newer version -> update with --update (always for derived files: INTEGRATION.md), else outdated
 *   ours, edited by the team                 -> kept; a conflict only when --update brings a newer version
 *   not ours                                 -> conflict
 *   ours, no longer part of the kit          -> removed by --update when untouched
 *
 * The manifest (manifest.ts) lists every installed file with its SHA-256; an earlier run's manifest
 * reaches this file only after every entry was checked. Every path is read through project-paths.ts
 * (a file that resolves outside the project is a conflict), and applying is all or nothing
 * (transaction.ts).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import type { InstallContext, Installable, JsonEdit } from './installables';
import { type InstallManifest, MANIFEST_FILE, renderManifest } from './manifest';
import { OutsideProjectError, type ProjectPaths, projectPaths } from './project-paths';
import { type CommitIo, commitOperations, type FileOperation, NODE_IO } from './transaction';

export type FileAction = 'create' | 'unchanged' | 'update' | 'outdated' | 'edited' | 'conflict' | 'remove';

export interface FileStep {
  path: string;
  action: FileAction;
  /** Why, for conflicts and kept files. */
  reason?: string;
  content?: string;
}

export interface EditStep {
  file: string;
  summary: string;
  /** The file's text after every edit of this file. */
  after: string;
}

export interface InstallPlan {
  files: FileStep[];
  edits: EditStep[];
  notes: string[];
  conflicts: string[];
  manifest: InstallManifest;
  /** Whether applying writes anything at all (the manifest included). */
  changes: boolean;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A project file as the plan sees it: its text, absent, or something it must not or cannot read as a file. */
export type ProjectText = { kind: 'text'; text: string } | { kind: 'absent' } | { kind: 'refused'; reason: string };

export function projectText(paths: ProjectPaths, file: string): ProjectText {
  let target: string;
  try {
    target = paths.resolve(file);
  } catch (error) {
    if (error instanceof OutsideProjectError)
      return { kind: 'refused', reason: `${error.why}，不会写入 / ${error.whyEnglish}: not written` };
    throw error;
  }
  let isFile: boolean;
  try {
    isFile = lstatSync(target).isFile();
  } catch {
    return { kind: 'absent' };
  }
  if (!isFile)
    return { kind: 'refused', reason: '这里是目录或特殊文件，需要的是普通文件 / a folder or special file where a file should be' };
  return { kind: 'text', text: readFileSync(target, 'utf8') };
}

/** The text of a project file, null when absent or not readable as a file of the project. */
export function readProjectText(paths: ProjectPaths, file: string): string | null {
  const read = projectText(paths, file);
  return read.kind === 'text' ? read.text : null;
}

export async function planInstall(
  context: InstallContext,
  installables: readonly Installable[],
  previous: InstallManifest | null,
  update: boolean,
): Promise<InstallPlan> {
  const paths = projectPaths(context.project.root);
  const parts = await Promise.all(installables.map((installable) => installable.plan(context)));
  const wanted = parts.flatMap((part) => part.files);
  const notes = parts.flatMap((part) => part.notes);
  const recorded = previous?.files ?? {};
  const files: FileStep[] = [];
  const nextFiles: Record<string, string> = {};

  for (const file of wanted) {
    const hash = sha256(file.content);
    const read = projectText(paths, file.path);
    if (read.kind === 'refused') {
      files.push({ path: file.path, action: 'conflict', reason: read.reason });
      continue;
    }
    const current = read.kind === 'text' ? read.text : null;
    const installedHash = recorded[file.path];
    if (current === null) {
      files.push({ path: file.path, action: 'create', content: file.content });
      nextFiles[file.path] = hash;
    } else if (sha256(current) === hash) {
      files.push({ path: file.path, action: 'unchanged' });
      nextFiles[file.path] = hash;
    } else if (installedHash === undefined) {
      files.push({ path: file.path, action: 'conflict', reason: '文件已存在，且不是 wx-cloud-login 安装的' });
    } else if (sha256(current) === installedHash) {
      const upgrade = update || file.derived === true;
      files.push(upgrade ? { path: file.path, action: 'update', content: file.content } : { path: file.path, action: 'outdated' });
      nextFiles[file.path] = upgrade ? hash : installedHash;
    } else if (update && hash !== installedHash) {
      files.push({ path: file.path, action: 'conflict', reason: '你改过这个文件，而新版本也改了它' });
    } else {
      files.push({ path: file.path, action: 'edited', reason: '你改过这个文件，保留不动' });
      nextFiles[file.path] = installedHash;
    }
  }
  const wantedPaths = new Set(wanted.map((file) => file.path));
  for (const [file, installedHash] of Object.entries(recorded)) {
    if (wantedPaths.has(file)) continue;
    const current = readProjectText(paths, file);
    if (current === null) continue;
    if (update && sha256(current) === installedHash) files.push({ path: file, action: 'remove' });
    else nextFiles[file] = installedHash;
  }

  const edits: EditStep[] = [];
  const conflicts = files.filter((step) => step.action === 'conflict').map((step) => `${step.path}：${step.reason}`);
  const byFile = new Map<string, JsonEdit[]>();
  for (const edit of parts.flatMap((part) => part.edits)) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  for (const [file, fileEdits] of byFile) {
    const read = projectText(paths, file);
    if (read.kind !== 'text') {
      conflicts.push(`${file}：${read.kind === 'absent' ? '文件不存在，无法登记' : read.reason}`);
      continue;
    }
    let text = read.text;
    for (const edit of fileEdits) {
      try {
        const after = edit.apply(text);
        if (after !== text) edits.push({ file, summary: edit.summary, after });
        text = after;
      } catch (error) {
        conflicts.push(`${file}：无法自动修改（${error instanceof Error ? error.message : String(error)}），请手动：${edit.summary}`);
      }
    }
  }

  const manifest: InstallManifest = {
    kit: 'wx-cloud-login',
    folder: context.folder,
    pages: [...context.pages].sort(),
    functionName: context.functionName,
    authFunctions: [...context.authFunctions].sort(),
    brand: context.brand,
    files: Object.fromEntries(Object.entries(nextFiles).sort(([a], [b]) => a.localeCompare(b))),
  };
  const manifestRead = projectText(paths, MANIFEST_FILE);
  if (manifestRead.kind === 'refused') conflicts.push(`${MANIFEST_FILE}：${manifestRead.reason}`);
  const manifestChanged = manifestRead.kind !== 'text' || manifestRead.text !== renderManifest(manifest);
  const changes =
    manifestChanged ||
    edits.length > 0 ||
    files.some((step) => step.action === 'create' || step.action === 'update' || step.action === 'remove');
  return { files, edits, notes, conflicts, manifest, changes };
}

/** The plan as file operations: files, then each edited JSON file once with its final text, the manifest last. */
function installOperations(plan: InstallPlan): FileOperation[] {
  const operations: FileOperation[] = [];
  for (const step of plan.files) {
    if ((step.action === 'create' || step.action === 'update') && step.content !== undefined)
      operations.push({ kind: 'write', file: step.path, content: step.content });
    else if (step.action === 'remove') operations.push({ kind: 'remove', file: step.path });
  }
  const finalText = new Map<string, string>();
  for (const edit of plan.edits) finalText.set(edit.file, edit.after);
  for (const [file, content] of finalText) operations.push({ kind: 'write', file, content });
  operations.push({ kind: 'write', file: MANIFEST_FILE, content: renderManifest(plan.manifest) });
  return operations;
}

/** Writes the plan (never one with conflicts), all or nothing (transaction.ts). */
export function applyInstall(root: string, plan: InstallPlan, io: CommitIo = NODE_IO): void {
  if (plan.conflicts.length > 0) throw new Error('a plan with conflicts is never applied');
  commitOperations(projectPaths(root), installOperations(plan), io);
}

const LABELS: Record<FileAction, string> = {
  create: '新建',
  unchanged: '不变',
  update: '升级',
  outdated: '有新版',
  edited: '已改动',
  conflict: '冲突',
  remove: '删除',
};

/** The plan as the person reads it: changes listed one by one, unchanged files counted. */
export function describePlan(plan: InstallPlan, projectRoot: string): string {
  const lines = [`wx-cloud-login → ${projectRoot}`];
  const shown = plan.files.filter((step) => step.action !== 'unchanged');
  const unchanged = plan.files.length - shown.length;
  for (const step of shown) lines.push(`  ${LABELS[step.action]}  ${step.path}${step.reason ? `（${step.reason}）` : ''}`);
  if (unchanged > 0) lines.push(`  不变  ${unchanged} 个已安装的文件`);
  for (const edit of plan.edits) lines.push(`  修改  ${edit.file}：${edit.summary}`);
  for (const note of plan.notes) lines.push(`  · ${note}`);
  const outdated = plan.files.filter((step) => step.action === 'outdated').length;
  if (outdated > 0) lines.push(`  ${outdated} 个文件有新版本：加 --update 升级`);
  if (plan.conflicts.length > 0) {
    lines.push('', `发现 ${plan.conflicts.length} 处冲突，什么都没有写入 / ${plan.conflicts.length} conflict(s), nothing written:`);
    for (const conflict of plan.conflicts) lines.push(`  ✗ ${conflict}`);
  } else if (!plan.changes) {
    lines.push('已是最新，没有需要改动的 / Up to date: nothing to change');
  }
  return `${lines.join('\n')}\n`;
}

export interface RemovalPlan {
  /** Installed files still as installed: deleted. */
  remove: string[];
  /** Installed files the team changed: kept, and named. */
  kept: string[];
  edits: EditStep[];
  notes: string[];
}

/**
 * `--remove`: takes out what the manifest lists, but never a file the team changed since, and the
 * pages registered in app.json under the install folder. Settings the team may rely on by now
 * (cloudbaserc.json entries, cloudfunctionRoot, __usePrivacyCheck__) stay, and are named.
 */
export function planRemoval(root: string, manifest: InstallManifest, appJson: string, removePages: (text: string) => string): RemovalPlan {
  const paths = projectPaths(root);
  const remove: string[] = [];
  const kept: string[] = [];
  for (const [file, hash] of Object.entries(manifest.files)) {
    const current = readProjectText(paths, file);
    if (current === null) continue;
    if (sha256(current) === hash) remove.push(file);
    else kept.push(file);
  }
  const edits: EditStep[] = [];
  const before = readProjectText(paths, appJson);
  if (before !== null) {
    const after = removePages(before);
    if (after !== before) edits.push({ file: appJson, summary: `pages 中去掉 ${manifest.folder}/ 下的页面`, after });
  }
  const name = manifest.functionName ?? 'login';
  const notes = [
    `cloudbaserc.json 中的 ${name} 函数与集合、project.config.json 的 cloudfunctionRoot、app.json 的 __usePrivacyCheck__ 保留不动（如不再需要请手动删除）`,
    `云端已部署的 ${name} 函数和集合里的数据不受影响：在云开发控制台删除`,
  ];
  return { remove, kept, edits, notes };
}

export function describeRemoval(plan: RemovalPlan, projectRoot: string): string {
  const lines = [`移除 wx-cloud-login ← ${projectRoot}`];
  for (const file of plan.remove) lines.push(`  删除  ${file}`);
  for (const file of plan.kept) lines.push(`  保留  ${file}（你改过这个文件）`);
  for (const edit of plan.edits) lines.push(`  修改  ${edit.file}：${edit.summary}`);
  lines.push(`  删除  ${MANIFEST_FILE}`);
  for (const note of plan.notes) lines.push(`  · ${note}`);
  return `${lines.join('\n')}\n`;
}

/** Removes the files, edits app.json and removes the manifest, all or nothing; emptied folders go too. */
export function applyRemoval(root: string, plan: RemovalPlan, io: CommitIo = NODE_IO): void {
  commitOperations(
    projectPaths(root),
    [
      ...plan.remove.map((file): FileOperation => ({ kind: 'remove', file })),
      ...plan.edits.map((edit): FileOperation => ({ kind: 'write', file: edit.file, content: edit.after })),
      { kind: 'remove', file: MANIFEST_FILE },
    ],
    io,
  );
}
