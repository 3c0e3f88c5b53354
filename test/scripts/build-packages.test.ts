/**
 * What `npm pack` ships, checked without packing (test/packages/ installs the real tarballs in CI):
 * every workspace package is publishable, points its entry points into the dist/ that
 * scripts/build-packages.ts builds, and needs no tsx; the kit files the CLI package copies exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KIT_FILES, PACKAGE_NAMES } from '../../scripts/build-packages';

const REPO = path.resolve(__dirname, '..', '..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  exports?: Record<string, string | { types: string; default: string }>;
  bin?: Record<string, string>;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifestOf = (name: string): Manifest =>
  JSON.parse(readFileSync(path.join(REPO, 'packages', name, 'package.json'), 'utf8')) as Manifest;

describe.each(PACKAGE_NAMES)('packages/%s', (name) => {
  const manifest = manifestOf(name);

  test('is publishable: not private, versioned, shipping only what its files list names, built by prepack', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(existsSync(path.join(REPO, 'packages', name, 'README.md'))).toBe(true);
    expect(manifest.scripts?.['prepack']).toBe(`tsx ../../scripts/build-packages.ts ${name}`);
  });

  test('points every entry point and type declaration into dist/', () => {
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.entries(manifest.exports ?? {})
        .filter(([subpath]) => subpath !== './package.json')
        .flatMap(([, target]) => (typeof target === 'string' ? [target] : [target.types, target.default])),
    ].filter((target): target is string => target !== undefined);
    for (const target of targets) expect(target).toMatch(/^\.\/dist\//);
  });

  test('needs no tsx when installed, and its bins exist', () => {
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).not.toContain('tsx');
    for (const bin of Object.values(manifest.bin ?? {})) {
      expect(existsSync(path.join(REPO, 'packages', name, bin))).toBe(true);
      expect(manifest.files).toContain(bin.split('/')[0]);
    }
  });

  test('depends on the other kit packages at their own version', () => {
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      const sibling = PACKAGE_NAMES.find((other) => manifestOf(other).name === dependency);
      if (sibling) expect(range).toBe(manifestOf(sibling).version);
    }
  });
});

test('every file the CLI package copies into its kit exists in this repository', () => {
  const missing = KIT_FILES.filter((file) => !existsSync(path.join(REPO, file)));
  expect(missing).toEqual([]);
});
