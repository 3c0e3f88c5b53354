/**
 * Which emulators run for a project, whatever their data folder: every `start` / `exec` writes
 * `<tmp>/cloudbase-emulator-running/<project key>/<pid>.json` and removes it on exit; `invoke` reads
 * them all. The project key is a hash of the functions folder (what the emulator runs), so two
 * checkouts never see each other's emulators. A record whose process is gone (killed with -9) is
 * removed by the next reader.
 *
 * The data folder keeps its own `emulator.json` as well, which is what says "this folder is in
 * use" to a second `start` on the same folder.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningRecord {
  url: string;
  pid: number;
  env: string;
  /** null: in memory. */
  dataDir: string | null;
  functionsRoot: string;
  startedAt: string;
}

function projectKey(functionsRoot: string): string {
  let resolved = path.resolve(functionsRoot);
  try {
    resolved = realpathSync(resolved);
  } catch {
    // A functions folder that does not exist yet still names the project.
  }
  return createHash('sha256').update(resolved).digest('hex').slice(0, 16);
}

/** Default `<os tmp>/cloudbase-emulator-running`; tests pass their own. */
export function defaultRegistryRoot(): string {
  return path.join(os.tmpdir(), 'cloudbase-emulator-running');
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

export interface RunningRegistry {
  /** Records this emulator; returns the function that removes the record. */
  register(record: RunningRecord): () => void;
  /** Live records for the project, newest first (stale ones are removed). */
  list(functionsRoot: string): RunningRecord[];
}

export function createRunningRegistry(root: string = defaultRegistryRoot()): RunningRegistry {
  const folderFor = (functionsRoot: string) => path.join(root, projectKey(functionsRoot));
  return {
    register(record) {
      const folder = folderFor(record.functionsRoot);
      mkdirSync(folder, { recursive: true });
      const file = path.join(folder, `${record.pid}-${new URL(record.url).port}.json`);
      const staging = `${file}.tmp`;
      writeFileSync(staging, `${JSON.stringify(record, null, 2)}\n`);
      renameSync(staging, file);
      return () => rmSync(file, { force: true });
    },
    list(functionsRoot) {
      const folder = folderFor(functionsRoot);
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch {
        return [];
      }
      const records: RunningRecord[] = [];
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        const file = path.join(folder, name);
        let record: RunningRecord | null = null;
        try {
          const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningRecord>;
          if (typeof parsed.url === 'string' && typeof parsed.pid === 'number') record = parsed as RunningRecord;
        } catch {
          // Torn or foreign: removed below.
        }
        if (record && isProcessAlive(record.pid)) records.push(record);
        else rmSync(file, { force: true });
      }
      return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
  };
}
