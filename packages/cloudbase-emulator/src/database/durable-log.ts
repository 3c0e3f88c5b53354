/**
 * Persistence: one append-only log of JSON lines under `<dataDir>/database/`.
 *
 * Every action that changes data appends exactly one line, `{"ops":[...]}`, holding the resulting
 * documents (not the operators), so replay is deterministic and a transaction's commit — several
 * documents, maybe several collections — is one line: it is there entirely or not at all.
 * One log for the whole database (rather than one per collection) is what makes that atomicity
 * free, and lets concurrent writes to different collections share one fsync.
 *
 * Durability: an action answers only after its line is written and fdatasync'ed. Appends made
 * while a flush is in flight are written together by the next flush (group commit), so a burst of
 * N concurrent writes costs about two fsyncs, not N. With `fsync: false` a line is still written to
 * the kernel before the answer: that survives `kill -9` of the process, not a power cut.
 *
 * Recovery: a crash can leave a torn last line; loading ignores it (it was never acknowledged).
 * Any other line that does not read back (bad JSON, bad UTF-8, an invalid op: bit rot or a hand
 * edit) held acknowledged writes, so it is never dropped for good: its exact bytes are copied to
 * `db.jsonl.corrupt-<time>` beside the log, the line stays where it is in the log, compaction is
 * held back while it is there, and a warning names both files and the two ways out (repair the
 * line and restart, or delete it to accept the loss). The emulator starts without that line's
 * changes rather than refusing to start. When the log holds superseded entries (or a torn line)
 * and no such line, startup rewrites it compactly: write a temporary file, fsync it, rename it
 * over the log, fsync the directory — so a restart always finds either the old complete log or
 * the new complete one.
 *
 * A LOCK file with the owner's pid stops two live processes from appending to the same log; a lock
 * left by a killed process is taken over.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { collectionNameProblem } from './collection-name';
import { decodeStoredDocument, decodeStoredValue, encodeEjson, idKey } from './ejson';
import type { Change } from './store';

const LOG_FILE = 'db.jsonl';
const TMP_FILE = 'db.jsonl.tmp';
const LOCK_FILE = 'LOCK';

/** One log line: the changes of one action, with documents in canonical EJSON. */
export function encodeRecord(changes: readonly Change[]): string {
  const ops = changes.map((change) => {
    const c = JSON.stringify(change.collection);
    if (change.kind === 'create') return `{"op":"create","c":${c}}`;
    if (change.kind === 'put') return `{"op":"put","c":${c},"doc":${encodeEjson(change.doc)}}`;
    return `{"op":"del","c":${c},"id":${encodeEjson(change.id)}}`;
  });
  return `{"ops":[${ops.join(',')}]}\n`;
}

export function decodeRecord(line: string): Change[] {
  const record: unknown = JSON.parse(line);
  const ops = (record as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) throw new Error('a log record needs an "ops" array');
  return ops.map((op: unknown): Change => {
    const { op: kind, c, doc, id } = op as { op?: unknown; c?: unknown; doc?: unknown; id?: unknown };
    const problem = collectionNameProblem(c);
    if (problem !== null || typeof c !== 'string') throw new Error(`a log op needs a valid collection name: ${problem}`);
    if (kind === 'create') return { kind: 'create', collection: c };
    if (kind === 'put') {
      const decoded = decodeStoredDocument(doc);
      return { kind: 'put', collection: c, key: idKey(decoded._id), doc: decoded };
    }
    if (kind === 'del') {
      const decodedId = decodeStoredValue(id);
      return { kind: 'delete', collection: c, key: idKey(decodedId), id: decodedId };
    }
    throw new Error(`unknown log op ${String(kind)}`);
  });
}

export interface DurableLogOptions {
  /** The directory that holds the log (created if missing). */
  dir: string;
  /** fdatasync before acknowledging a write. Default true. */
  fsync?: boolean;
  onWarning?: (message: string) => void;
  /** Names the copy of unreadable lines (ms since the epoch). Default Date.now. */
  now?: () => number;
}

export interface RecoveryHooks {
  /** Applies the changes of one log line, in order. */
  replay(changes: Change[]): void;
  /** Number of collections + documents now loaded: more log ops than this means superseded entries. */
  liveEntries(): number;
  /** The loaded state as log lines, for compaction. */
  snapshot(): Iterable<string>;
}

interface Batch {
  lines: string[];
  done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function createBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers await `done`; this only keeps an unobserved failure from becoming an unhandled rejection.
  done.catch(() => undefined);
  return { lines: [], done, resolve, reject };
}

export class DurableLog {
  private pending: Batch | null = null;
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly fsync: boolean,
    private readonly lockPath: string,
  ) {}

  /** Opens (and if needed recovers and compacts) the log in `options.dir`. */
  static async open(options: DurableLogOptions, hooks: RecoveryHooks): Promise<DurableLog> {
    const warn = options.onWarning ?? ((message: string) => console.warn(`[database] ${message}`));
    await fs.mkdir(options.dir, { recursive: true });
    const lockPath = path.join(options.dir, LOCK_FILE);
    await acquireLock(lockPath);
    try {
      const logPath = path.join(options.dir, LOG_FILE);
      const tmpPath = path.join(options.dir, TMP_FILE);
      // A leftover temporary file is an interrupted compaction; the log itself is still whole.
      await fs.rm(tmpPath, { force: true });
      const loaded = await replayLog(logPath, hooks);
      if (loaded.unreadable.length > 0) {
        // Compaction would rewrite the log from what loaded, and the unreadable lines with it
        // would be gone: keep them, in place and in a copy, until someone decides.
        const copy = await keepUnreadableLines(options.dir, loaded.unreadable, (options.now ?? Date.now)());
        if (loaded.tail) await repairTail(logPath, loaded.tail);
        warn(unreadableWarning(logPath, copy, loaded.unreadable));
      } else if (loaded.tail || loaded.ops > hooks.liveEntries()) {
        await writeSnapshot(tmpPath, hooks.snapshot());
        await fs.rename(tmpPath, logPath);
        await syncDirectory(options.dir);
      }
      if (loaded.tail?.kind === 'torn') {
        warn(`ignored a torn last line in ${logPath} (a write interrupted by a crash; it was never acknowledged)`);
      }
      const handle = await fs.open(logPath, 'a');
      if (!loaded.existed) await syncDirectory(options.dir);
      return new DurableLog(handle, options.fsync ?? true, lockPath);
    } catch (error) {
      await fs.rm(lockPath, { force: true });
      throw error;
    }
  }

  /** Appends one line; resolves once it is durable. */
  append(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the database log is closed'));
    let batch = this.pending;
    if (!batch) {
      batch = createBatch();
      this.pending = batch;
      // Start on the next turn so every append made in this one (a burst of requests) joins the batch.
      if (!this.flushing) setImmediate(() => this.startFlushing());
    }
    batch.lines.push(line);
    return batch.done;
  }

  /** Resolves when everything appended so far is durable. */
  barrier(): Promise<void> {
    if (this.pending) return this.pending.done;
    return this.flushing ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.barrier().catch(() => undefined);
    await this.handle.close();
    await fs.rm(this.lockPath, { force: true });
  }

  private startFlushing(): void {
    if (this.flushing || !this.pending) return;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = null;
      if (this.pending) this.startFlushing();
    });
  }

  private async flushAll(): Promise<void> {
    while (this.pending) {
      const batch = this.pending;
      this.pending = null;
      try {
        if (this.failure) throw this.failure;
        await writeAll(this.handle, batch.lines.join(''));
        if (this.fsync) await this.handle.datasync();
        batch.resolve();
      } catch (error) {
        // After a failed write the file's tail is unknown: refuse further writes rather than guess.
        this.failure = error;
        batch.reject(error);
      }
    }
  }
}

/** A line of the log that did not read back: where it is, its exact bytes, and why. */
export interface UnreadableLine {
  /** 1-based line number in the log. */
  line: number;
  bytes: Buffer;
  reason: string;
}

/**
 * The last line when the log does not end with a newline: written by a crash mid-append. `torn`
 * did not read back (never acknowledged, dropped); `whole` did and was loaded, only its newline is
 * missing.
 */
type Tail = { kind: 'torn' | 'whole'; offset: number };

interface LoadedLog {
  ops: number;
  existed: boolean;
  unreadable: UnreadableLine[];
  tail: Tail | null;
}

async function replayLog(logPath: string, hooks: RecoveryHooks): Promise<LoadedLog> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(logPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ops: 0, existed: false, unreadable: [], tail: null };
    throw error;
  }
  const unreadable: UnreadableLine[] = [];
  let tail: Tail | null = null;
  let ops = 0;
  let start = 0;
  for (let line = 1; start < bytes.length; line += 1) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const raw = bytes.subarray(start, end);
    const text = raw.toString('utf8');
    let changes: Change[] | null = null;
    let reason = '';
    if (text.trim() !== '') {
      try {
        // Every line was written from a JS string, so it is valid UTF-8: a line that does not
        // survive the round trip has bytes the decoder replaced, and its contents are not to be trusted.
        if (!Buffer.from(text, 'utf8').equals(raw)) throw new Error('the line is not valid UTF-8');
        changes = decodeRecord(text);
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    if (newline === -1) tail = { kind: changes ? 'whole' : 'torn', offset: start };
    else if (changes === null && reason !== '') unreadable.push({ line, bytes: Buffer.from(raw), reason });
    if (changes) {
      ops += changes.length;
      hooks.replay(changes);
    }
    start = end + 1;
  }
  return { ops, existed: true, unreadable, tail };
}

const CORRUPT_COPY_PREFIX = `${LOG_FILE}.corrupt-`;

/**
 * Writes the unreadable lines, byte for byte and one per line, to `db.jsonl.corrupt-<time>` and
 * makes the copy durable; returns its path. A copy with exactly these bytes kept by an earlier
 * start is reused, so restarting with the same damage does not pile up copies.
 */
async function keepUnreadableLines(dir: string, lines: readonly UnreadableLine[], now: number): Promise<string> {
  const content = Buffer.concat(lines.flatMap((entry) => [entry.bytes, Buffer.from('\n')]));
  for (const name of (await fs.readdir(dir)).filter((entry) => entry.startsWith(CORRUPT_COPY_PREFIX)).sort()) {
    const existing = await fs.readFile(path.join(dir, name)).catch(() => null);
    if (existing?.equals(content)) return path.join(dir, name);
  }
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let copyPath = path.join(dir, `${CORRUPT_COPY_PREFIX}${stamp}`);
  for (let n = 2; await exists(copyPath); n += 1) copyPath = path.join(dir, `${CORRUPT_COPY_PREFIX}${stamp}-${n}`);
  const handle = await fs.open(copyPath, 'wx');
  try {
    await handle.writeFile(content);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await syncDirectory(dir);
  return copyPath;
}

/**
 * Without compaction, the next append must not run into an unterminated last line: a torn one is
 * cut off (it was never acknowledged), a whole one gets its newline.
 */
async function repairTail(logPath: string, tail: Tail): Promise<void> {
  if (tail.kind === 'torn') {
    await fs.truncate(logPath, tail.offset);
  } else {
    await fs.appendFile(logPath, '\n');
  }
  const handle = await fs.open(logPath, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export function unreadableWarning(logPath: string, copyPath: string, lines: readonly UnreadableLine[]): string {
  const first = lines[0];
  const which = lines.map((entry) => entry.line).join(', ');
  return [
    `${lines.length === 1 ? 'line' : 'lines'} ${which} of ${logPath} could not be read, so the changes ${lines.length === 1 ? 'it holds are' : 'they hold are'} NOT loaded` +
      (first ? ` (line ${first.line}: ${first.reason})` : ''),
    `  the exact bytes are kept in ${copyPath}; the log is left as it is and will not be compacted while the line is there`,
    `  to recover: repair the line in ${logPath} (the copy shows what was there) and restart the emulator;`,
    `  to accept the loss: delete the line from ${logPath} and restart (the copy stays)`,
  ].join('\n');
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function writeSnapshot(tmpPath: string, lines: Iterable<string>): Promise<void> {
  const handle = await fs.open(tmpPath, 'w');
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += line;
      if (chunk.length > 1 << 20) {
        await writeAll(handle, chunk);
        chunk = '';
      }
    }
    await writeAll(handle, chunk);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function acquireLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await fs.readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      const who = owner === process.pid ? 'this process (close the other database first)' : `process ${owner}`;
      throw new Error(`the database in ${path.dirname(lockPath)} is already open in ${who}`);
    }
    // Left by a process that died (kill -9, crash): take it over.
    await fs.rm(lockPath, { force: true });
  }
  throw new Error(`could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
