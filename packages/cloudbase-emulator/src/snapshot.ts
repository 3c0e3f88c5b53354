/**
 * Snapshots of an emulator's data (`--import DIR`, `--export-on-exit DIR`): the database and the
 * stored files, as a folder people can read and commit:
 *
 *   DIR/cloudbase-snapshot.json     { version: 1, env, exportedAt, collections: [...], files: [{ cloudPath, contentType, size }] }
 *   DIR/database/<name>.jsonl       one collection, canonical EJSON per line (the export format)
 *   DIR/storage/<cloudPath>         each file's bytes
 *
 * Export writes a new folder beside DIR and renames it into place, so a cut-short export never
 * leaves half a snapshot. Import upserts documents by _id and replaces files by path.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseModule } from './database';
import { collectionNameProblem } from './database/collection-name';
import type { StorageModule } from './storage';
import { cloudPathProblem } from './storage/file-id';

export const SNAPSHOT_MANIFEST = 'cloudbase-snapshot.json';

export interface SnapshotManifest {
  version: 1;
  env: string;
  exportedAt: string;
  collections: string[];
  files: { cloudPath: string; contentType: string; size: number }[];
}

interface SnapshotTarget {
  env: string;
  database: DatabaseModule;
  storage: StorageModule;
}

/** `<name>.jsonl` with the characters a file name cannot hold escaped; collection names never hold `/`. */
const collectionFile = (name: string) => `${encodeURIComponent(name)}.jsonl`;

/**
 * Why `dir` may not receive a snapshot, or null: it may be missing, empty, or an earlier snapshot
 * (which is replaced), never any other folder — `--export-on-exit .` must not replace a project.
 */
export function exportTargetProblem(dir: string): string | null {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return `${JSON.stringify(dir)} 是一个文件 / is a file`;
    entries = readdirSync(dir);
  } catch {
    return null;
  }
  if (entries.length === 0 || entries.includes(SNAPSHOT_MANIFEST)) return null;
  return `${JSON.stringify(dir)} 已有其他文件，不是快照，不会覆盖 / already holds other files and is not a snapshot: it is not replaced`;
}

export async function exportSnapshot(target: SnapshotTarget, dir: string): Promise<SnapshotManifest> {
  const final = path.resolve(dir);
  const problem = exportTargetProblem(final);
  if (problem) throw new Error(problem);
  const staging = `${final}.exporting-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'database'), { recursive: true });
  mkdirSync(path.join(staging, 'storage'), { recursive: true });
  try {
    const collections = target.database.listCollections();
    for (const name of collections) {
      writeFileSync(path.join(staging, 'database', collectionFile(name)), target.database.exportCollection(name));
    }
    const files: SnapshotManifest['files'] = [];
    for (const file of target.storage.list()) {
      const bytes = await target.storage.read(file.fileID);
      if (!bytes) continue;
      const out = path.join(staging, 'storage', ...file.cloudPath.split('/'));
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, bytes);
      files.push({ cloudPath: file.cloudPath, contentType: file.contentType, size: bytes.length });
    }
    const manifest: SnapshotManifest = { version: 1, env: target.env, exportedAt: new Date().toISOString(), collections, files };
    writeFileSync(path.join(staging, SNAPSHOT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(final, { recursive: true, force: true });
    mkdirSync(path.dirname(final), { recursive: true });
    renameSync(staging, final);
    return manifest;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads the manifest first: a folder that is not a snapshot is refused before anything is written. */
export function readSnapshotManifest(dir: string): SnapshotManifest {
  const file = path.join(dir, SNAPSHOT_MANIFEST);
  if (!existsSync(file)) {
    throw new Error(
      `${JSON.stringify(dir)} 不是模拟器快照（缺少 ${SNAPSHOT_MANIFEST}） / is not an emulator snapshot (no ${SNAPSHOT_MANIFEST})`,
    );
  }
  let parsed: Partial<SnapshotManifest>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SnapshotManifest>;
  } catch {
    throw new Error(`${JSON.stringify(file)} 不是合法的 JSON / is not valid JSON`);
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.collections) || !Array.isArray(parsed.files)) {
    throw new Error(`${JSON.stringify(file)} 不是第 1 版快照 / is not a version 1 snapshot manifest`);
  }
  for (const name of parsed.collections) {
    const problem = typeof name === 'string' ? collectionNameProblem(name) : 'not a string';
    if (problem) throw new Error(`快照中的集合名无效 / invalid collection name in the snapshot: ${problem}`);
  }
  for (const entry of parsed.files) {
    const problem = typeof entry?.cloudPath === 'string' ? cloudPathProblem(entry.cloudPath) : 'not a string';
    if (problem) throw new Error(`快照中的文件路径无效 / invalid file path in the snapshot: ${problem}`);
  }
  return parsed as SnapshotManifest;
}

export async function importSnapshot(
  target: SnapshotTarget,
  dir: string,
): Promise<{ collections: number; documents: number; files: number }> {
  const manifest = readSnapshotManifest(dir);
  let documents = 0;
  for (const name of manifest.collections) {
    const file = path.join(dir, 'database', collectionFile(name));
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    try {
      documents += await target.database.importCollection(name, text);
    } catch (error) {
      throw new Error(`导入集合 ${name} 失败 / importing ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const entry of manifest.files) {
    const bytes = readFileSync(path.join(dir, 'storage', ...entry.cloudPath.split('/')));
    await target.storage.write(entry.cloudPath, bytes, entry.contentType);
  }
  return { collections: manifest.collections.length, documents, files: manifest.files.length };
}
