/**
 * Temporary copies of the DevTools-shaped projects in test/fixtures, and `npm run add` run on them
 * in-process with its output captured.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runAdd } from '../../../scripts/add';
import { SCRATCH_PARENT } from './scratch';

export const KIT_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(KIT_ROOT, 'test', 'fixtures');
export const JS_QUICKSTART = 'js-cloud-quickstart';
export const TS_TEMPLATE = 'ts-template';

const copies: string[] = [];

/** A copy of test/fixtures/<name> under `parent` (default the scratch folder, support/scratch.ts). */
export function copyFixture(name: string, parent = SCRATCH_PARENT): string {
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(path.join(parent, `${name}-`));
  cpSync(path.join(FIXTURES, name), root, { recursive: true });
  copies.push(root);
  return root;
}

export function removeFixtureCopies(): void {
  for (const root of copies.splice(0)) rmSync(root, { recursive: true, force: true });
}

export interface AddRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function add(...argv: string[]): Promise<AddRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAdd(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, KIT_ROOT);
  return { code, stdout, stderr };
}

export function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(root, relative) : [relative];
    })
    .sort();
}

/** Every file's SHA-256 by path: two equal snapshots mean nothing was written, created or removed. */
export function snapshot(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((file) => [
      file,
      createHash('sha256')
        .update(readFileSync(path.join(root, file)))
        .digest('hex'),
    ]),
  );
}

export function readJson(root: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
}

/** Relative imports/requires in `file` that do not resolve to a file inside `projectRoot`. */
export function unresolvedImports(projectRoot: string, file: string, extensions: string[]): string[] {
  const text = readFileSync(path.join(projectRoot, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*)\1/gm)].map(
    (match) => match[2] as string,
  );
  return specifiers.filter((specifier) => {
    const base = path.resolve(path.dirname(path.join(projectRoot, file)), specifier);
    if (path.relative(projectRoot, base).startsWith('..')) return true;
    return !extensions.some((extension) => existsSync(`${base}${extension}`));
  });
}
