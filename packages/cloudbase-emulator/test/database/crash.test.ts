/**
 * Durability against `kill -9`: a child process (fixtures/burst-writer.ts) writes concurrently and
 * prints each acknowledged write; it is killed mid-burst, the parent reopens the same dataDir and
 * every acknowledged write must be there — twice in a row, on the same directory.
 */
import { spawn } from 'node:child_process';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';
import { createDatabase } from '../../src/database';

const packageRoot = path.resolve(__dirname, '../..');

/**
 * fixtures/burst-writer.ts and the database code it runs as one CommonJS file for plain `node`: the
 * same code, compiled once for both writers instead of by tsx's hooks at each start (about half a
 * second of CPU per writer; the build costs about a quarter of one).
 */
const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'burst-writer-'));
const writer = path.join(bundleDir, 'burst-writer.js');
beforeAll(() => {
  buildSync({
    entryPoints: [path.join(__dirname, 'fixtures', 'burst-writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

interface Acknowledged {
  insert: Set<string>;
  update: Set<string>;
  commit: Set<string>;
}

/** Runs the writer until it has acknowledged `inserts` inserts, then SIGKILLs it. */
async function writeAndKill(dataDir: string, inserts: number): Promise<Acknowledged> {
  const child = spawn(process.execPath, [writer, dataDir], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: Acknowledged = { insert: new Set(), update: new Set(), commit: new Set() };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [kind, id] = line.split(' ');
    if ((kind === 'insert' || kind === 'update' || kind === 'commit') && id) acknowledged[kind].add(id);
    if (acknowledged.insert.size >= inserts && !child.killed) child.kill('SIGKILL');
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the writer stopped by itself (${String(signal)}): ${stderr}`);
  return acknowledged;
}

describe('kill -9 in the middle of a burst of writes', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'db-crash-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged write and always reopens, round after round on the same directory', async () => {
    const all: Acknowledged = { insert: new Set(), update: new Set(), commit: new Set() };
    for (let round = 0; round < 2; round += 1) {
      const acknowledged = await writeAndKill(dataDir, 150);
      expect(acknowledged.insert.size).toBeGreaterThanOrEqual(150);
      for (const kind of ['insert', 'update', 'commit'] as const) for (const id of acknowledged[kind]) all[kind].add(id);

      const warnings: string[] = [];
      const db = await createDatabase({ dataDir, onWarning: (message) => warnings.push(message) });
      try {
        const burst = new Map(db.documents('burst').map((doc) => [String(doc._id), doc]));
        const pairs = new Set(db.documents('pairs').map((doc) => String(doc._id)));
        for (const id of all.insert) expect(burst.has(id)).toBe(true);
        for (const id of all.update) expect(burst.get(id)?.acked).toBe(true);
        for (const id of all.commit) {
          expect(burst.has(`${id}-a`)).toBe(true);
          expect(pairs.has(`${id}-b`)).toBe(true);
        }
        // A transaction is all or nothing even when the kill cut it: never one half without the other.
        for (const id of pairs) expect(burst.has(id.replace(/-b$/, '-a'))).toBe(true);
        // The only damage a kill may leave is a torn last line.
        expect(warnings.every((warning) => warning.includes('torn last line'))).toBe(true);
      } finally {
        await db.close();
      }
    }
    expect(all.update.size).toBeGreaterThan(0);
    expect(all.commit.size).toBeGreaterThan(0);
  });
});
