/**
 * A cache file written whole or not at all: written beside its place, then renamed into it, so that
 * another process reading it at any moment sees the old content or the new, never half. A cache that
 * cannot be written is only slower: a failure is swallowed, and the caller makes its answer again next time.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeWhole(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch {}
}
