/**
 * What `npm run build` last built for a function, so that running it again with nothing changed starts
 * no esbuild and writes nothing: `npm test` builds before every run (pretest), right after `npm ci`
 * (prepare) or the previous run built the very same files (about 4 s of CPU for the three functions).
 *
 * A record holds a key for everything that decides the build before it reads a source (esbuild's
 * version, the options, the build scripts, package-lock.json), the SHA-256 of every file the build
 * read (esbuild's metafile inputs) and of every configuration file esbuild may have consulted to read
 * them (each package.json and tsconfig*.json in their folders and above), and the SHA-256 of every
 * file it wrote. The function counts as built only while all of that still holds: an edited source or
 * config, a new lock, an output edited or removed — each builds again. A record that cannot be read
 * or written only means building again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeWhole } from './write-whole';

export interface BuildRecord {
  key: string;
  /** Every file the build read, and the configuration beside them, by absolute path: the SHA-256 of its content. */
  inputs: Record<string, string>;
  /** Every file the build wrote, by absolute path: the SHA-256 of its content. */
  outputs: Record<string, string>;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A hash of everything that decides a build before it reads a source; a plugin counts by its name (its code is in the scripts). */
export function buildKey(parts: unknown): string {
  return sha256(JSON.stringify(parts, (_key, value: unknown) => (typeof value === 'function' ? `function ${value.name}` : value)));
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

const CONFIG_FILE = /^(package|tsconfig.*)\.json$/;

/**
 * The files whose content a build depends on: `read` (metafile inputs resolved to absolute paths;
 * plugins' virtual modules, which are no files, left out) and the package.json and tsconfig files of
 * their folders and every folder above, which decide how esbuild resolves and compiles them.
 */
export function dependedOn(read: readonly string[]): string[] {
  const files = new Set(read.filter(isFile));
  const folders = new Set<string>();
  for (const file of files) {
    for (let folder = path.dirname(file); !folders.has(folder); folder = path.dirname(folder)) {
      folders.add(folder);
      if (path.dirname(folder) === folder) break;
    }
  }
  for (const folder of folders) {
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {}
    for (const name of names) if (CONFIG_FILE.test(name) && isFile(path.join(folder, name))) files.add(path.join(folder, name));
  }
  return [...files].sort();
}

function hashes(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, sha256(readFileSync(file))]));
}

/**
 * The files the build recorded at `file` wrote (absolute path → content), when it was made under `key`
 * and every file it names still has the content it had; otherwise null.
 */
export function recordedOutputs(file: string, key: string): Map<string, Buffer> | null {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as BuildRecord;
    if (record.key !== key || Object.keys(record.outputs).length === 0) return null;
    const outputs = new Map<string, Buffer>();
    for (const [name, hash] of Object.entries(record.outputs)) {
      const contents = readFileSync(name);
      if (sha256(contents) !== hash) return null;
      outputs.set(name, contents);
    }
    for (const [name, hash] of Object.entries(record.inputs)) if (!existsSync(name) || sha256(readFileSync(name)) !== hash) return null;
    return outputs;
  } catch {
    return null;
  }
}

/** Keeps the record of a build made under `key`: replaced whole by a rename, never half written. */
export function writeRecord(file: string, key: string, read: readonly string[], written: readonly string[]): void {
  try {
    const record: BuildRecord = { key, inputs: hashes(dependedOn(read)), outputs: hashes(written) };
    writeWhole(file, JSON.stringify(record));
  } catch {}
}
