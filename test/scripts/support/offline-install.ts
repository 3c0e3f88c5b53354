/**
 * A scratch npm project that installs this repository's packed tarballs with no network: its
 * package-lock.json is written from this repository's own (every third-party package at the version
 * and integrity this repository installs), so `npm ci --offline` takes the tarballs from the npm
 * cache that installing this repository filled, and the kit's packages from the .tgz files.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

export interface PackedPackage {
  /** The .tgz file `npm pack` wrote. */
  tarball: string;
  /** The package.json it contains. */
  manifest: LockEntry & { name: string; version: string };
}

/** Where npm finds `name` for the package installed at `from` ('' for the project itself). */
function locate(lock: Lockfile, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    const entry = lock.packages[candidate];
    if (entry && !entry.link) return candidate;
    if (!base) return null;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** Every package `roots` need, by its location in the repository's lockfile. */
function closure(lock: Lockfile, roots: Record<string, string>): Set<string> {
  const needed = new Set<string>();
  const visit = (from: string, names: string[], optional: (name: string) => boolean) => {
    for (const name of names) {
      const found = locate(lock, from, name);
      if (!found) {
        if (optional(name)) continue;
        throw new Error(`${name} (needed by ${from || 'the scratch project'}) is not in this repository's package-lock.json`);
      }
      if (needed.has(found)) continue;
      needed.add(found);
      const entry = lock.packages[found] as LockEntry;
      const optionalNames = new Set(Object.keys(entry.optionalDependencies ?? {}));
      const peers = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional);
      visit(found, [...Object.keys(entry.dependencies ?? {}), ...optionalNames, ...peers], (dependency) => optionalNames.has(dependency));
    }
  };
  visit('', Object.keys(roots), () => false);
  return needed;
}

function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * Writes package.json and package-lock.json into `projectDir`: the packed packages (as file:
 * dependencies) and `registryDependencies` (names at the version this repository's lockfile has).
 */
export function writeOfflineProject(repoRoot: string, projectDir: string, packed: PackedPackage[], registryDependencies: string[]): void {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const packedNames = new Set(packed.map((item) => item.manifest.name));
  const dependencies: Record<string, string> = {};
  for (const item of packed) dependencies[item.manifest.name] = `file:${path.relative(projectDir, item.tarball).split(path.sep).join('/')}`;
  for (const name of registryDependencies) {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not installed by this repository`);
    dependencies[name] = entry.version;
  }
  // What the packed packages need from the registry, resolved as from the project root (npm hoists).
  const thirdParty: Record<string, string> = {};
  for (const item of packed) {
    for (const [name, range] of Object.entries({ ...item.manifest.dependencies, ...item.manifest.peerDependencies })) {
      if (!packedNames.has(name) && !item.manifest.peerDependenciesMeta?.[name]?.optional) thirdParty[name] = range;
    }
  }
  for (const name of registryDependencies) thirdParty[name] = dependencies[name] as string;

  const packages: Record<string, LockEntry> = {
    '': { name: path.basename(projectDir), version: '1.0.0', dependencies },
  };
  for (const location of closure(lock, thirdParty)) {
    const { dev: _dev, devOptional, ...entry } = lock.packages[location] as LockEntry;
    packages[location] = devOptional ? { ...entry, optional: true } : entry;
  }
  for (const item of packed) {
    const { manifest } = item;
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: dependencies[manifest.name] as string,
      integrity: integrityOf(item.tarball),
      ...(manifest.license ? { license: manifest.license } : {}),
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
      ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
      ...(manifest['bin'] ? { bin: manifest['bin'] } : {}),
      ...(manifest['engines'] ? { engines: manifest['engines'] } : {}),
    };
  }
  const name = path.basename(projectDir);
  writeFileSync(
    path.join(projectDir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, dependencies }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(projectDir, 'package-lock.json'),
    `${JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}
