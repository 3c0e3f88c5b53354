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

/**
 * Every package the roots need, by its location in the repository's lockfile. A root is resolved
 * from where it lives there: a workspace package from `packages/<dir>`, so a dependency npm nested
 * under it (another version than the one at the top) is the one it gets.
 */
function closure(lock: Lockfile, roots: { from: string; names: string[] }[]): Set<string> {
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
  for (const root of roots) visit(root.from, root.names, () => false);
  return needed;
}

/** The workspace folder (`packages/<dir>`) holding package `name` in the repository's lockfile, or '' . */
function workspaceOf(lock: Lockfile, name: string): string {
  const found = Object.entries(lock.packages).find(
    ([location, entry]) => location.startsWith('packages/') && !location.includes('node_modules/') && entry.name === name,
  );
  return found ? found[0] : '';
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
  // Each packed package's third-party dependencies, resolved from its workspace folder; what npm
  // nested there goes under the package in the scratch project (node_modules/<name>/node_modules/…).
  const roots = packed.map((item) => ({
    from: workspaceOf(lock, item.manifest.name),
    names: Object.keys({ ...item.manifest.dependencies, ...item.manifest.peerDependencies }).filter(
      (name) => !packedNames.has(name) && !item.manifest.peerDependenciesMeta?.[name]?.optional,
    ),
  }));
  roots.push({ from: '', names: registryDependencies });
  const scratchLocation = (location: string): string => {
    for (const item of packed) {
      const workspace = workspaceOf(lock, item.manifest.name);
      if (workspace && location.startsWith(`${workspace}/node_modules/`))
        return `node_modules/${item.manifest.name}${location.slice(workspace.length)}`;
    }
    return location;
  };

  const packages: Record<string, LockEntry> = {
    '': { name: path.basename(projectDir), version: '1.0.0', dependencies },
  };
  for (const location of closure(lock, roots)) {
    const { dev: _dev, devOptional, ...entry } = lock.packages[location] as LockEntry;
    packages[scratchLocation(location)] = devOptional ? { ...entry, optional: true } : entry;
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
