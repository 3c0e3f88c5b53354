import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectPaths } from '../../../../scripts/lib/add/project-paths';
import { type CommitIo, commitOperations, NODE_IO, TransactionError } from '../../../../scripts/lib/add/transaction';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A project with a few files of its own. */
function project(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'transaction-'));
  roots.push(root);
  mkdirSync(path.join(root, 'miniprogram', 'pages'), { recursive: true });
  writeFileSync(path.join(root, 'miniprogram', 'app.json'), '{ "pages": [] }\n');
  writeFileSync(path.join(root, 'miniprogram', 'pages', 'own.js'), '// the team\n');
  mkdirSync(path.join(root, 'kit', 'old'), { recursive: true });
  writeFileSync(path.join(root, 'kit', 'old', 'gone.js'), '// installed before\n');
  return root;
}

function state(root: string, dir = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const relative = dir ? `${dir}/${name}` : name;
    const full = path.join(root, relative);
    if (statSync(full).isDirectory()) Object.assign(out, { [relative]: 'dir' }, state(root, relative));
    else out[relative] = `${createHash('sha256').update(readFileSync(full)).digest('hex')} ${statSync(full).ino}`;
  }
  return out;
}

const OPERATIONS = [
  { kind: 'write', file: 'kit/new/a.js', content: 'a' },
  { kind: 'write', file: 'kit/new/deeper/b.js', content: 'b' },
  { kind: 'remove', file: 'kit/old/gone.js' },
  { kind: 'write', file: 'miniprogram/app.json', content: '{ "pages": ["kit/pages/login/index"] }\n' },
  { kind: 'write', file: 'manifest.json', content: '{}\n' },
] as const;

/** The real file system, except that the rename into `failOn` fails as a full disk would. */
function failingRenameInto(failOn: string): CommitIo {
  return {
    ...NODE_IO,
    rename(from, to) {
      if (to.endsWith(failOn)) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      NODE_IO.rename(from, to);
    },
  };
}

describe('commitOperations', () => {
  it('writes, removes and edits, pruning the folders a removal empties', () => {
    const root = project();
    commitOperations(projectPaths(root), OPERATIONS);
    expect(readFileSync(path.join(root, 'kit/new/deeper/b.js'), 'utf8')).toBe('b');
    expect(readFileSync(path.join(root, 'miniprogram/app.json'), 'utf8')).toContain('kit/pages/login/index');
    expect(readdirSync(path.join(root, 'kit'))).toEqual(['new']);
    expect(readdirSync(root).filter((name) => name.startsWith('.wx-cloud-login-staging'))).toEqual([]);
  });

  it.each(['miniprogram/app.json', 'manifest.json', 'deeper/b.js'])(
    'given a commit step that fails at %s, undoes every step before it: the same files, bytes and inodes',
    (failOn) => {
      const root = project();
      const before = state(root);
      let error: unknown;
      try {
        commitOperations(projectPaths(root), OPERATIONS, failingRenameInto(failOn));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TransactionError);
      expect((error as TransactionError).message).toMatch(/：写入失败（ENOSPC），已全部撤销。项目没有任何改动 \/ /);
      expect(state(root)).toEqual(before);
    },
  );

  it('given a read-only target, fails before staging anything', () => {
    const root = project();
    const before = state(root);
    const io: CommitIo = {
      rename: () => {
        throw new Error('no commit step may run');
      },
      mkdir: () => {
        throw new Error('no commit step may run');
      },
      rmdir: () => {
        throw new Error('no commit step may run');
      },
    };
    chmodSync(path.join(root, 'miniprogram', 'app.json'), 0o444);
    expect(() => commitOperations(projectPaths(root), OPERATIONS, io)).toThrow('miniprogram/app.json：文件只读');
    expect(state(root)).toEqual(before);
  });

  it('refuses a path with .. or a symlink out of the project before anything', () => {
    const root = project();
    expect(() => commitOperations(projectPaths(root), [{ kind: 'write', file: '../escape.js', content: 'x' }])).toThrow('指向项目之外');
  });
});
