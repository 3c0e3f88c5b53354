/**
 * Where a path of the project really is. The installer writes, edits and removes only paths that,
 * with every symlink on the way followed (a dangling one too: writing through it would create its
 * target), lie inside the project's real root. A path given as relative to the project is checked
 * lexically first (no `..`, not absolute), then resolved component by component.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** A path the installer must not touch; `file` is the project-relative path asked for. */
export class OutsideProjectError extends Error {
  /** Why, in Chinese and in English, for messages that name the file themselves. */
  readonly why: string;
  readonly whyEnglish: string;
  constructor(
    readonly file: string,
    readonly resolved: string,
    /** A symlink loop: where it leads cannot be known, so it counts as outside. */
    loop = false,
  ) {
    const why = loop ? `经过的符号链接太多（循环？），无法确认在项目之内（${resolved}）` : `指向项目之外（${resolved}）`;
    const whyEnglish = loop
      ? `passes too many symbolic links (a loop?): cannot tell it is inside the project (${resolved})`
      : `resolves outside the project (${resolved})`;
    super(`${file} ${why}，不会写入或删除 / ${file} ${whyEnglish}: not touched`);
    this.why = why;
    this.whyEnglish = whyEnglish;
  }
}

/** More symlinks on the way than the kernel would follow. */
export class SymlinkLoopError extends Error {
  constructor(readonly at: string) {
    super(`${at}：符号链接层数过多（循环？）/ too many symbolic links`);
  }
}

/** Symlink hops followed before giving up (the kernel's own limit is 40). */
const MAX_LINKS = 40;

/**
 * The real location of `absolute`: every existing component resolved through symlinks, dangling
 * ones included; the part that does not exist yet appended as written. Given `realBase`, a real
 * path (realpath's answer: no symlink in it), a path inside it is resolved from there: its
 * components above are known, and each install resolves every file of the project again.
 */
export function resolveLoosely(absolute: string, hops = 0, realBase?: string): string {
  if (hops > MAX_LINKS) throw new SymlinkLoopError(absolute);
  const wanted = path.resolve(absolute);
  let current = realBase !== undefined && isInside(realBase, wanted) ? realBase : path.parse(wanted).root;
  const parts = path.relative(current, wanted).split(path.sep).filter(Boolean);
  for (let index = 0; index < parts.length; index += 1) {
    const next = path.join(current, parts[index] as string);
    let stat: ReturnType<typeof lstatSync> | undefined;
    try {
      stat = lstatSync(next);
    } catch {
      // Nothing here yet: the rest cannot hold symlinks.
      return path.join(next, ...parts.slice(index + 1));
    }
    if (stat.isSymbolicLink()) {
      const target = path.resolve(current, readlinkSync(next));
      current = resolveLoosely(target, hops + 1, realBase);
    } else {
      current = next;
    }
  }
  return current;
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** A project-relative path ('/'-separated) is plain: not absolute, no '..', no empty or '.' parts. */
export function isPlainRelative(file: string): boolean {
  if (file === '' || path.posix.isAbsolute(file) || path.win32.isAbsolute(file) || file.includes('\\')) return false;
  return file.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export interface ProjectPaths {
  /** The project's real root. */
  root: string;
  /** The real absolute path of a project-relative file, or OutsideProjectError. */
  resolve(file: string): string;
}

export function projectPaths(rootInput: string): ProjectPaths {
  const root = realpathSync(rootInput);
  return {
    root,
    resolve(file) {
      if (!isPlainRelative(file)) throw new OutsideProjectError(file, path.resolve(root, file));
      const absolute = path.join(root, ...file.split('/'));
      let resolved: string;
      try {
        resolved = resolveLoosely(absolute, 0, root);
      } catch (error) {
        if (error instanceof SymlinkLoopError) throw new OutsideProjectError(file, absolute, true);
        throw error;
      }
      if (!isInside(root, resolved)) throw new OutsideProjectError(file, resolved);
      return resolved;
    },
  };
}
