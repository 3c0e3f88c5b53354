/**
 * Where tests put their scratch projects: memory (/dev/shm) where the system has it, else the system
 * temp folder. A test of the installer creates and deletes thousands of files; on a disk each of
 * those waits on the file system (its journal, and discards on a virtual disk), which made most of
 * such a test's wall time on this project's 2-core machine: add-hostile and add 17.5 s → 9–13 s,
 * with half a second less system CPU. What the tests prove is the same on either: the same system
 * calls, symlinks, modes and named pipes.
 */
import { accessSync, constants, statSync, statfsSync } from 'node:fs';
import os from 'node:os';

/** Free memory the scratch folder must have: a container's /dev/shm is often only 64 MiB. */
const MIN_FREE_BYTES = 1024 ** 3;

function inMemory(): string | null {
  const shm = '/dev/shm';
  try {
    if (process.platform !== 'linux' || !statSync(shm).isDirectory()) return null;
    accessSync(shm, constants.W_OK);
    const { bavail, bsize } = statfsSync(shm);
    return bavail * bsize >= MIN_FREE_BYTES ? shm : null;
  } catch {
    return null;
  }
}

export const SCRATCH_PARENT = inMemory() ?? os.tmpdir();
