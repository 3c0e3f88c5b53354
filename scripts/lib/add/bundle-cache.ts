/**
 * The login bundle kept between processes, when WX_CLOUD_LOGIN_BUNDLE_CACHE names a folder: this
 * repository's test suite installs in many processes (a jest worker loads the installer afresh for
 * each test file), and each built the same bundle (about 0.8 s of esbuild's CPU); unset, nothing is
 * kept. An entry is found by what decides the build before it runs (esbuild's version, the build
 * options, the build script, package-lock.json) and used only while every file the build read
 * (esbuild's metafile inputs) has the content it had then: an edited source is built afresh.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeWhole } from '../write-whole';

export const BUNDLE_CACHE_VARIABLE = 'WX_CLOUD_LOGIN_BUNDLE_CACHE';

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The entry's name: a hash of everything that decides the build before it reads a source. */
export function bundleKey(parts: unknown): string {
  return sha256(JSON.stringify(parts, (_key, value: unknown) => (typeof value === 'function' ? `function ${value.name}` : value)));
}

interface Entry {
  /** Every file the build read, by absolute path: the SHA-256 of its content. */
  inputs: Record<string, string>;
  /** The output, by path relative to the function folder. */
  files: Record<string, string>;
}

/** The files of entry `key`, or null when there is none or a file the build read has changed or gone. */
export function readBundle(folder: string, key: string): Map<string, string> | null {
  try {
    const entry = JSON.parse(readFileSync(path.join(folder, `${key}.json`), 'utf8')) as Entry;
    for (const [file, hash] of Object.entries(entry.inputs)) if (sha256(readFileSync(file)) !== hash) return null;
    return new Map(Object.entries(entry.files));
  } catch {
    return null;
  }
}

/**
 * Keeps `files` under `key` with the content of `inputs` (esbuild's metafile inputs, absolute:
 * the virtual modules of the build's plugins, which are no files, are left out). Whole or not at
 * all, as another process may read it at any moment; a cache that cannot be written is only slower.
 */
export function writeBundle(folder: string, key: string, inputs: string[], files: Map<string, string>): void {
  try {
    const entry: Entry = { inputs: {}, files: Object.fromEntries(files) };
    for (const input of new Set(inputs)) {
      let isFile = false;
      try {
        isFile = statSync(input).isFile();
      } catch {}
      if (isFile) entry.inputs[input] = sha256(readFileSync(input));
    }
    writeWhole(path.join(folder, `${key}.json`), JSON.stringify(entry));
  } catch {}
}
