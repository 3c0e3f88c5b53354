/**
 * Whether a folder can hold the emulator's data, asked before anything opens it: a folder that
 * cannot be used gets one sentence saying why and what to do, instead of an `ENOENT … mkdir` from
 * deep inside the durable log, or a wait on a file system that never answers.
 *
 * The check creates the folder (and its parents) and writes, syncs and removes a probe file, all
 * synchronously: every failure is an errno at once. Pseudo file systems (/proc, /sys), where
 * writes can be accepted and then mean something else, are refused by path.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Kernel pseudo file systems: never a place for data. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

function errnoOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';
}

/** The nearest existing ancestor of `dir` (itself if it exists). */
function existingAncestor(dir: string): string {
  let current = dir;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

function underPseudoRoot(dir: string): boolean {
  let real = dir;
  try {
    real = realpathSync(existingAncestor(dir));
  } catch {
    // Unreadable: judged by the path as given.
  }
  return [dir, real].some((candidate) => PSEUDO_ROOTS.some((root) => candidate === root || candidate.startsWith(`${root}/`)));
}

/** null when `dir` is usable (it exists afterwards), else a message for people (Chinese, then English). */
export function dataDirProblem(dir: string): string | null {
  const shown = JSON.stringify(dir);
  const advice =
    '请用 --data-dir 换一个可写的文件夹，或用 --memory 只在内存中运行 / Pick a writable folder with --data-dir, or run with --memory';
  if (underPseudoRoot(dir)) {
    return `数据目录 ${shown} 位于系统的虚拟文件系统中，不能存放数据 / The data folder ${shown} is on a kernel pseudo file system.\n${advice}`;
  }
  try {
    if (!statSync(dir).isDirectory())
      return `数据目录 ${shown} 是一个文件，不是文件夹 / The data folder ${shown} is a file, not a folder.\n${advice}`;
  } catch (error) {
    if (errnoOf(error) === 'ENOTDIR')
      return `数据目录 ${shown} 的上级路径中有文件 / A parent of the data folder ${shown} is a file.\n${advice}`;
    // ENOENT: created below.
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    return `${reasonFor(errnoOf(error), shown, 'create')}\n${advice}`;
  }
  const probe = path.join(dir, `.write-check-${process.pid}`);
  try {
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'ok');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return `${reasonFor(errnoOf(error), shown, 'write')}\n${advice}`;
  } finally {
    rmSync(probe, { force: true });
  }
  return null;
}

function reasonFor(code: string, shown: string, step: 'create' | 'write'): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `没有权限${step === 'create' ? '创建' : '写入'}数据目录 ${shown} / No permission to ${step} the data folder ${shown} (${code})`;
    case 'EROFS':
      return `数据目录 ${shown} 在只读文件系统上 / The data folder ${shown} is on a read-only file system`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `数据目录 ${shown} 的路径中有文件 / A part of the data folder's path ${shown} is a file`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `磁盘已满，无法写入数据目录 ${shown} / No space left for the data folder ${shown}`;
    case 'ENOENT':
      return `无法在这里创建数据目录 ${shown} / The data folder ${shown} cannot be created there`;
    default:
      return `数据目录 ${shown} 不可用 / The data folder ${shown} cannot be used${code ? ` (${code})` : ''}`;
  }
}
