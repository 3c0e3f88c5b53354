/**
 * Where the emulator keeps uploaded files: in memory, or under `<dir>` on disk.
 *
 * Disk layout:
 *   <dir>/index.json     { version: 1, secret, files: { [cloudPath]: StoredFile } }
 *   <dir>/blobs/<blob>   the bytes, one file per upload, named by a random id (never by the
 *                        cloud path, so no path from a request ever reaches the file system)
 * Every change writes the new blob first (as `<blob>.tmp`, renamed once whole), then the whole
 * index to a temporary file renamed over index.json (atomic on POSIX), and only then removes a
 * replaced blob: a crash leaves at worst an unreferenced blob or a temporary file, which the next
 * open deletes; neither is ever in the index, so neither is ever served. Changes are serialized in
 * one queue.
 *
 * Who may write (CloudBase's storage rule "only the creator or an admin may write"): every file
 * records the openid of the mini-program user who uploaded it, '' when an admin did (wx-server-sdk
 * in a function, the console). A user may overwrite or delete only a file they created; an admin
 * any. The check runs inside the queue, so two users racing for a new path cannot both win.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredFile {
  cloudPath: string;
  /** Name of the bytes in the blob store. */
  blob: string;
  size: number;
  contentType: string;
  /** Milliseconds since the epoch. */
  uploadedAt: number;
  /** Quoted MD5 of the bytes, as COS sends it. */
  etag: string;
  /** The uploader's openid; '' when an admin wrote it. */
  openid: string;
}

/** Who writes: a mini-program user by openid, or an admin (server SDK, console, the emulator's own API). */
export type Writer = { admin: true } | { admin: false; openid: string };
export const ADMIN: Writer = { admin: true };

/** A user wrote to, or deleted, a file someone else created: CloudBase's STORAGE_EXCEED_AUTHORITY. */
export class StorageAccessDenied extends Error {
  constructor(readonly cloudPath: string) {
    super(`only the creator of ${cloudPath} or an admin may overwrite or delete it`);
    this.name = 'StorageAccessDenied';
  }
}

export interface FileStore {
  /** Key for signing upload and download URLs; stable across restarts of a disk store. */
  readonly secret: string;
  get(cloudPath: string): StoredFile | undefined;
  list(): StoredFile[];
  read(file: StoredFile): Promise<Buffer>;
  /** Creates or replaces the file at cloudPath; throws StorageAccessDenied for another user's file. */
  put(cloudPath: string, bytes: Buffer, contentType: string, uploadedAt: number, writer: Writer): Promise<StoredFile>;
  /** False when there was no such file; throws StorageAccessDenied for another user's file. */
  delete(cloudPath: string, writer: Writer): Promise<boolean>;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

interface IndexFile {
  version: 1;
  secret: string;
  /** `openid` is missing in indexes written before creators were recorded. */
  files: Record<string, Omit<StoredFile, 'openid'> & { openid?: string }>;
}

/** In-memory store: nothing touches the disk. */
export function createMemoryFileStore(): FileStore {
  const blobs = new Map<string, Buffer>();
  return createStore(new Map(), randomBytes(32).toString('hex'), {
    readBlob: async (blob) => {
      const bytes = blobs.get(blob);
      if (!bytes) throw new Error(`storage: blob ${blob} is missing`);
      return bytes;
    },
    writeBlob: async (blob, bytes) => void blobs.set(blob, Buffer.from(bytes)),
    deleteBlob: async (blob) => void blobs.delete(blob),
    writeIndex: async () => undefined,
  });
}

/** Opens (creating if needed) a store under `dir`. Throws if index.json is unreadable. */
export function openDiskFileStore(dir: string): FileStore {
  const blobDir = join(dir, 'blobs');
  const indexPath = join(dir, 'index.json');
  mkdirSync(blobDir, { recursive: true });

  const index = existsSync(indexPath) ? parseIndex(readFileSync(indexPath, 'utf8'), indexPath) : null;
  // Indexes written before creators were recorded: those files count as an admin's.
  const files = new Map(Object.entries(index?.files ?? {}).map(([cloudPath, file]) => [cloudPath, { ...file, openid: file.openid ?? '' }]));
  const secret = index?.secret ?? randomBytes(32).toString('hex');

  // What a kill left behind: blobs the index never took in (half-written `.tmp` ones among them)
  // and index temporaries that were never renamed.
  const referenced = new Set([...files.values()].map((file) => file.blob));
  for (const name of readdirSync(blobDir)) {
    if (!referenced.has(name)) unlinkSync(join(blobDir, name));
  }
  for (const name of readdirSync(dir)) {
    if (INDEX_TEMPORARY.test(name)) unlinkSync(join(dir, name));
  }

  return createStore(files, secret, {
    readBlob: (blob) => readFile(join(blobDir, blob)),
    writeBlob: async (blob, bytes) => {
      const temporary = join(blobDir, `${blob}.tmp`);
      await writeFile(temporary, bytes);
      await rename(temporary, join(blobDir, blob));
    },
    deleteBlob: async (blob) => {
      await unlink(join(blobDir, blob)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
    writeIndex: async (content) => {
      const temporary = join(dir, `index.json.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(temporary, content);
      await rename(temporary, indexPath);
    },
  });
}

const INDEX_TEMPORARY = /^index\.json\.[0-9a-f]+\.tmp$/;

interface Backend {
  readBlob(blob: string): Promise<Buffer>;
  writeBlob(blob: string, bytes: Buffer): Promise<void>;
  deleteBlob(blob: string): Promise<void>;
  writeIndex(content: string): Promise<void>;
}

function createStore(files: Map<string, StoredFile>, secret: string, backend: Backend): FileStore {
  let queue: Promise<unknown> = Promise.resolve();
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }
  const indexContent = (): string => JSON.stringify({ version: 1, secret, files: Object.fromEntries(files) } satisfies IndexFile);

  return {
    secret,
    get: (cloudPath) => files.get(cloudPath),
    list: () => [...files.values()],
    read: (file) => backend.readBlob(file.blob),

    put: (cloudPath, bytes, contentType, uploadedAt, writer) =>
      serialized(async () => {
        const replaced = files.get(cloudPath);
        if (replaced) assertMayWrite(replaced, writer);
        const file: StoredFile = {
          cloudPath,
          blob: randomBytes(16).toString('hex'),
          size: bytes.length,
          contentType,
          uploadedAt,
          etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
          openid: writer.admin ? '' : writer.openid,
        };
        await backend.writeBlob(file.blob, bytes);
        files.set(cloudPath, file);
        try {
          await backend.writeIndex(indexContent());
        } catch (error) {
          if (replaced) files.set(cloudPath, replaced);
          else files.delete(cloudPath);
          await backend.deleteBlob(file.blob);
          throw error;
        }
        if (replaced) await backend.deleteBlob(replaced.blob);
        return file;
      }),

    delete: (cloudPath, writer) =>
      serialized(async () => {
        const existing = files.get(cloudPath);
        if (!existing) return false;
        assertMayWrite(existing, writer);
        files.delete(cloudPath);
        try {
          await backend.writeIndex(indexContent());
        } catch (error) {
          files.set(cloudPath, existing);
          throw error;
        }
        await backend.deleteBlob(existing.blob);
        return true;
      }),

    close: () => serialized(async () => undefined),
  };
}

/** CloudBase's rule: an admin writes anything; a user only what they created (an admin's file has no user creator). */
export function mayWrite(file: StoredFile, writer: Writer): boolean {
  return writer.admin || (file.openid !== '' && file.openid === writer.openid);
}

function assertMayWrite(file: StoredFile, writer: Writer): void {
  if (!mayWrite(file, writer)) throw new StorageAccessDenied(file.cloudPath);
}

function parseIndex(text: string, path: string): IndexFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`storage: ${path} is not valid JSON (${(error as Error).message}); move it aside to start empty`);
  }
  if (!isIndexFile(value)) {
    throw new Error(`storage: ${path} is not a storage index (version 1); move it aside to start empty`);
  }
  return value;
}

function isIndexFile(value: unknown): value is IndexFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<IndexFile>;
  if (candidate.version !== 1 || typeof candidate.secret !== 'string') return false;
  if (typeof candidate.files !== 'object' || candidate.files === null) return false;
  return Object.values(candidate.files).every(isStoredFile);
}

function isStoredFile(value: unknown): value is Omit<StoredFile, 'openid'> & { openid?: string } {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    typeof file['cloudPath'] === 'string' &&
    typeof file['blob'] === 'string' &&
    /^[0-9a-f]+$/.test(file['blob']) &&
    typeof file['size'] === 'number' &&
    typeof file['contentType'] === 'string' &&
    typeof file['uploadedAt'] === 'number' &&
    typeof file['etag'] === 'string' &&
    (file['openid'] === undefined || typeof file['openid'] === 'string')
  );
}
