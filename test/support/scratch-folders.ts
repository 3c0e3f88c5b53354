/**
 * Temporary folders of a test file, removed after its last test: a run leaves nothing in the
 * system's temporary folder (a developer running the suite all day would otherwise collect a folder
 * per file and run, with exported personal data among them).
 *
 * Import it at the top of the test file: the removal is registered as the file's own afterAll when
 * the module loads, so every folder made in the file's hooks and tests goes with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

afterAll(() => {
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary folder, named `<prefix>-XXXXXX`, removed after the file's tests. */
export function scratchFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(folder);
  return folder;
}
