/**
 * All or nothing. An install, an update and a removal are each one list of file operations, run as:
 *
 *   1. resolve: every path through symlinks (project-paths.ts); one outside the project stops here;
 *   2. check: every file written is a file (or nothing yet) in a folder that exists or can be made
 *      (no file where a folder should be), and it and its folder are writable;
 *   3. stage: every new content written to a staging folder in the project root, so a full disk
 *      or a write error happens before the project is touched;
 *   4. commit: renames only — the previous file moved into the staging folder, the staged one into
 *      place; a removed file moved aside the same way. A failing step undoes the steps before it in
 *      reverse order (renames back, created folders removed), so the project is byte-for-byte as it
 *      was, and the error names the file and why.
 *
 * Permissions: root ignores permission bits, so a file or folder with no write bit at all counts as
 * read-only here too — the team made it so on purpose.
 */
import {
  accessSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import path from 'node:path';
import { OutsideProjectError, type ProjectPaths } from './project-paths';

export type FileOperation =
  | { kind: 'write'; file: string; content: string }
  /** Removes the file, then every folder it leaves empty up to the project root. */
  | { kind: 'remove'; file: string };

/** What the commit step does to the file system: the real one, or one a test makes fail. */
export interface CommitIo {
  rename(from: string, to: string): void;
  mkdir(dir: string): void;
  rmdir(dir: string): void;
}

export const NODE_IO: CommitIo = {
  rename: renameSync,
  mkdir: (dir) => mkdirSync(dir),
  rmdir: rmdirSync,
};

/** A run that stopped: `file` (project-relative) and `reason` say where and why; nothing was changed. */
export class TransactionError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly reasonEnglish: string,
  ) {
    super(`${file}：${reason}。项目没有任何改动 / ${file}: ${reasonEnglish}; nothing was changed`);
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : String(error);
}

function writable(target: string): boolean {
  try {
    accessSync(target, constants.W_OK);
  } catch {
    return false;
  }
  return (statSync(target).mode & 0o222) !== 0;
}

interface Resolved {
  op: FileOperation;
  target: string;
  /** Folders missing on the way to a written file, outermost first. */
  missing: string[];
}

function kindOf(target: string): 'file' | 'directory' | 'other' | null {
  try {
    const stat = lstatSync(target);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    return null;
  }
}

function check(paths: ProjectPaths, op: FileOperation): Resolved {
  let target: string;
  try {
    target = paths.resolve(op.file);
  } catch (error) {
    if (error instanceof OutsideProjectError) throw new TransactionError(op.file, error.why, error.whyEnglish);
    throw error;
  }
  const kind = kindOf(target);
  if (op.kind === 'remove') {
    if (kind !== 'file') throw new TransactionError(op.file, '不是普通文件，无法删除', 'is not a regular file: cannot remove it');
    if (!writable(path.dirname(target)))
      throw new TransactionError(op.file, '所在目录不可写，无法删除', 'its folder is not writable: cannot remove it');
    return { op, target, missing: [] };
  }
  if (kind === 'directory') throw new TransactionError(op.file, '这里是一个目录，需要的是文件', 'is a folder where a file should be');
  if (kind === 'other') throw new TransactionError(op.file, '不是普通文件', 'is not a regular file');
  if (kind === 'file' && !writable(target)) throw new TransactionError(op.file, '文件只读，不可写入', 'is read-only');
  const missing: string[] = [];
  let dir = path.dirname(target);
  for (;;) {
    const dirKind = kindOf(dir);
    if (dirKind === 'directory') break;
    if (dirKind !== null) {
      const relative = path.relative(paths.root, dir).split(path.sep).join('/');
      throw new TransactionError(op.file, `${relative} 是文件，这里需要一个目录`, `${relative} is a file where a folder should be`);
    }
    missing.unshift(dir);
    dir = path.dirname(dir);
  }
  if (!writable(dir)) {
    const relative = path.relative(paths.root, dir).split(path.sep).join('/') || '.';
    throw new TransactionError(op.file, `目录 ${relative} 不可写`, `folder ${relative} is not writable`);
  }
  return { op, target, missing };
}

/** Runs `operations` all or nothing (see the header). Throws TransactionError; the project is then as it was. */
export function commitOperations(paths: ProjectPaths, operations: readonly FileOperation[], io: CommitIo = NODE_IO): void {
  if (operations.length === 0) return;
  const resolved = operations.map((op) => check(paths, op));
  const targets = new Set<string>();
  for (const step of resolved) {
    if (targets.has(step.target)) throw new TransactionError(step.op.file, '同一个文件出现了两次', 'appears twice in one run');
    targets.add(step.target);
  }

  let staging: string;
  try {
    staging = mkdtempSync(path.join(paths.root, '.wx-cloud-login-staging-'));
  } catch (error) {
    throw new TransactionError(
      '.',
      `无法在项目根目录建暂存目录（${codeOf(error)}）`,
      `cannot stage in the project root (${codeOf(error)})`,
    );
  }
  const undo: Array<() => void> = [];
  try {
    resolved.forEach((step, index) => {
      if (step.op.kind !== 'write') return;
      const staged = path.join(staging, `new-${index}`);
      try {
        writeFileSync(staged, step.op.content);
        if (kindOf(step.target) === 'file') chmodSync(staged, statSync(step.target).mode & 0o7777);
      } catch (error) {
        throw new TransactionError(step.op.file, `暂存失败（${codeOf(error)}）`, `staging failed (${codeOf(error)})`);
      }
    });
    resolved.forEach((step, index) => {
      const current = step.target;
      try {
        for (const dir of step.missing) {
          if (kindOf(dir) === 'directory') continue; // made by an earlier step
          io.mkdir(dir);
          undo.push(() => rmdirSync(dir));
        }
        if (kindOf(current) === 'file') {
          const aside = path.join(staging, `old-${index}`);
          io.rename(current, aside);
          undo.push(() => renameSync(aside, current));
        }
        if (step.op.kind === 'write') {
          io.rename(path.join(staging, `new-${index}`), current);
          undo.push(() => rmSync(current, { force: true }));
        } else {
          let dir = path.dirname(current);
          while (dir !== paths.root && dir.startsWith(paths.root) && readdirSync(dir).length === 0) {
            const emptied = dir;
            io.rmdir(emptied);
            undo.push(() => mkdirSync(emptied));
            dir = path.dirname(dir);
          }
        }
      } catch (error) {
        if (error instanceof TransactionError) throw error;
        throw new TransactionError(
          step.op.file,
          `写入失败（${codeOf(error)}），已全部撤销`,
          `failed (${codeOf(error)}), every step undone`,
        );
      }
    });
    undo.length = 0;
  } finally {
    let undone = true;
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Undo goes on with the other steps; the staging folder keeps what could not be moved back.
        undone = false;
      }
    }
    if (undone) rmSync(staging, { recursive: true, force: true });
  }
}
