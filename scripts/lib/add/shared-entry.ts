/**
 * One entry of a cache folder that several processes share (the installer's declarations, when
 * WX_CLOUD_LOGIN_DECLARATIONS_CACHE names a folder): made by one of them while the others wait for
 * it, instead of each making the same entry at once. This repository's test suite starts its jest
 * workers together, and two first installs would each run tsc over the kit for the same answer.
 *
 * The maker holds `<entry>.lock` (created exclusively, holding its pid) while it works. A waiter
 * takes the entry as soon as it is there; it makes the entry itself when the lock is gone without
 * one (the maker failed), when the lock's process is no longer alive (killed mid-way: the lock
 * stays behind), or after `waitMs`. A cache that cannot be read or written is only slower: every
 * failure here ends in the caller making its own answer.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeWhole } from '../write-whole';

export interface SharedEntryOptions {
  /** The longest a process waits for another one's entry (default a minute: tsc on a loaded machine). */
  waitMs?: number;
  /** How often a waiter looks for the entry. */
  pollMs?: number;
  /** Whether the process holding a lock still runs. */
  isAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The entry's text: read when there, else made by `make` — here, or by another process while this one waits. */
export async function sharedEntry(file: string, make: () => string, options: SharedEntryOptions = {}): Promise<string> {
  const { waitMs = 60_000, pollMs = 50, isAlive = processAlive } = options;
  const known = readText(file);
  if (known !== null) return known;
  const lock = `${file}.lock`;
  let holding = false;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    holding = true;
  } catch {}
  if (!holding) {
    const until = Date.now() + waitMs;
    for (;;) {
      const made = readText(file);
      if (made !== null) return made;
      const owner = readText(lock);
      // Empty: the maker has created its lock and not yet written its pid.
      const alive = owner === '' || (owner !== null && isAlive(Number(owner)));
      if (owner !== null && !alive) rmSync(lock, { force: true });
      if (!alive || Date.now() >= until) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    // The maker may have finished between the two reads above.
    const made = readText(file);
    if (made !== null) return made;
  }
  try {
    const text = make();
    writeWhole(file, text);
    return text;
  } finally {
    if (holding) rmSync(lock, { force: true });
  }
}
