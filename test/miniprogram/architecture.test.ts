import fs from 'node:fs';
import path from 'node:path';

/**
 * Rules of the mini-program's layout that a compiler cannot check:
 * - only platform/ touches `wx` (everything else runs in tests and in the browser preview as is);
 * - services/ is domain logic: it reaches the platform through ports.ts only;
 * - pages and components reach everything through the composition root, behaviors/, presenters/
 *   and navigation/ (pure routes); types may come from anywhere (`import type` is erased);
 * - contract/ imports nothing, so either side loads it without the other's platform;
 * - every runtime import is a relative path to a file under miniprogram/: DevTools uploads only
 *   miniprogramRoot and its TypeScript plugin only strips types, it resolves nothing else;
 * - the profile APIs WeChat withdrew in 2022 are used nowhere (WeChat review rejects them).
 */

const ROOT = path.resolve(__dirname, '../../miniprogram');

function filesUnder(dir: string, extensions: string[]): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, extensions);
    return extensions.some((extension) => entry.name.endsWith(extension)) ? [full] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

interface ImportStatement {
  /** The file that imports, relative to miniprogram/. */
  file: string;
  /** As written, e.g. '../../composition-root'. */
  specifier: string;
  /** Erased by the compiler: `import type` / `export type ... from`. */
  typeOnly: boolean;
  /** The imported module relative to miniprogram/ (without extension), when the specifier is relative. */
  target: string | null;
}

function importsOf(file: string): ImportStatement[] {
  const source = withoutComments(fs.readFileSync(file, 'utf8'));
  const statements = source.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm);
  const bare = source.matchAll(/^\s*import\s+'([^']+)'|\brequire\(\s*'([^']+)'\s*\)/gm);
  const relative = path.relative(ROOT, file);
  const toStatement = (specifier: string, typeOnly: boolean): ImportStatement => ({
    file: relative,
    specifier,
    typeOnly,
    target: specifier.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(file), specifier)) : null,
  });
  return [
    ...[...statements].map((match) => toStatement(match[3] ?? '', match[2] !== undefined)),
    ...[...bare].map((match) => toStatement(match[1] ?? match[2] ?? '', false)),
  ];
}

const SOURCES = filesUnder(ROOT, ['.ts']);
const IMPORTS = SOURCES.flatMap(importsOf);

function under(folder: string): (statement: ImportStatement) => boolean {
  return (statement) => statement.file.startsWith(folder + path.sep) || statement.file === folder;
}

function describeImport(statement: ImportStatement): string {
  return `${statement.file} -> ${statement.specifier}`;
}

describe('miniprogram layout', () => {
  it('only platform/ reaches the wx global (and getCurrentPages)', () => {
    const offenders = filesUnder(ROOT, ['.ts'])
      .filter((file) => !file.startsWith(path.join(ROOT, 'platform') + path.sep))
      .filter((file) => /\bwx\s*\.|\bgetCurrentPages\b/.test(withoutComments(fs.readFileSync(file, 'utf8'))))
      .map((file) => path.relative(ROOT, file));

    expect(offenders).toEqual([]);
  });

  it('services/ reaches the platform through ports.ts only: no platform/, pages, composition root or behaviors', () => {
    const offenders = IMPORTS.filter(under('services'))
      .filter(({ target }) => target !== null && /^(platform|pages|components|behaviors)\/|^composition-root$/.test(target))
      .map(describeImport);

    expect(offenders).toEqual([]);
  });

  it('pages and components import at run time only the composition root, behaviors/, presenters/ and navigation/', () => {
    const allowed = /^(composition-root|behaviors\/.+|presenters\/.+|navigation\/.+)$/;
    const offenders = IMPORTS.filter((statement) => under('pages')(statement) || under('components')(statement))
      .filter((statement) => !statement.typeOnly)
      // A page's own helpers (pages/agreement/documents.ts) sit next to it.
      .filter(({ file, target }) => target === null || (!allowed.test(target) && path.dirname(target) !== path.dirname(file)))
      .map(describeImport);

    expect(offenders).toEqual([]);
  });

  it('the contract module imports nothing', () => {
    const contract = SOURCES.filter((file) => file.startsWith(path.join(ROOT, 'contract') + path.sep));

    expect(contract.length).toBeGreaterThan(0);
    expect(contract.flatMap(importsOf).map(describeImport)).toEqual([]);
  });

  it('runtime imports are relative paths to files under miniprogram/ (what DevTools uploads)', () => {
    const offenders = IMPORTS.filter((statement) => !statement.typeOnly)
      .filter(({ target }) => target === null || target.startsWith('..') || !fs.existsSync(path.join(ROOT, `${target}.ts`)))
      .map(describeImport);

    expect(offenders).toEqual([]);
  });

  it('no page or component uses the withdrawn profile APIs', () => {
    const offenders = filesUnder(ROOT, ['.ts', '.wxml', '.json'])
      .filter((file) => /getUserProfile|getUserInfo|open-type="getUserInfo"/.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));

    expect(offenders).toEqual([]);
  });
});
