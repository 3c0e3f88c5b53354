/**
 * `npm run admin -- cleanup`: finishes every deletion whose cleanup was left — per-user data
 * (notes, …) and files a fault or a crash kept from going after the account was deleted — through
 * the very code a deletion runs after its commit (actions/shared/account-deletion.ts, finishPending),
 * on the CloudBase store. Every later 注销 does the same for a few entries; this does all of them,
 * page by page, and stops when a page makes no progress (storage or the database still failing).
 * With --dry-run it only counts what is pending.
 */
import { finishPending } from '../../../cloudfunctions/login/src/actions/shared/account-deletion';
import { type CloudServicesSdk, createCloudServices } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { type CollectionNames, createCloudbaseStore, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { DeletionAuditEntry } from '../../../cloudfunctions/login/src/model';
import { createUserDataStore } from '@wx-cloud-login/server-auth/src/user-data';

/** Entries finished per round (one per-user data removal and one storage call each). */
const PAGE = 50;
/** A bound on the rounds of one run, whatever the database answers. */
const MAX_ROUNDS = 200;

export interface CleanupReport {
  action: 'cleanup';
  /** Deletion entries that had work left when seen. */
  entries: number;
  /** Of them, finished now (nothing left). */
  finished: number;
  /** Files and accounts' per-user data still listed after the run. */
  left: number;
  /** False with --dry-run: only counted. */
  written: boolean;
}

export interface CleanupContext {
  now: Date;
  dryRun: boolean;
  warn: (message: string) => void;
}

function pendingCount(entries: DeletionAuditEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.pendingFileIDs.length + (entry.pendingUserIds ?? []).length, 0);
}

export async function cleanupByAdmin(
  db: DatabaseLike,
  sdk: CloudServicesSdk,
  names: CollectionNames,
  context: CleanupContext,
): Promise<CleanupReport> {
  const store = createCloudbaseStore(db, names, context.warn);
  if (context.dryRun) {
    // Counted page by page would need paging by id; one large page is enough to say what is pending.
    const entries = await store.deletionsWithPendingWork(1000);
    return { action: 'cleanup', entries: entries.length, finished: 0, left: pendingCount(entries), written: false };
  }
  const warn = (message: string, detail?: unknown) => context.warn(detail === undefined ? message : `${message}: ${String(detail)}`);
  const deps = {
    store,
    files: createCloudServices(sdk, () => context.now).files,
    userData: createUserDataStore(db as unknown as Parameters<typeof createUserDataStore>[0]),
    now: () => context.now,
    warn,
  };
  const seen = new Set<string>();
  const stuck = new Map<string, number>();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const entries = await store.deletionsWithPendingWork(PAGE);
    const fresh = entries.filter((entry) => !stuck.has(entry._id));
    if (fresh.length === 0) break;
    for (const entry of fresh) seen.add(entry._id);
    const before = pendingCount(fresh);
    const left = await finishPending(fresh, deps);
    if (left === before) {
      // No progress on this page: storage or the database is failing; what is left stays listed.
      for (const entry of fresh) stuck.set(entry._id, entry.pendingFileIDs.length + (entry.pendingUserIds ?? []).length);
      break;
    }
  }
  const remaining = await store.deletionsWithPendingWork(1000);
  const leftIds = new Set(remaining.map((entry) => entry._id));
  return {
    action: 'cleanup',
    entries: seen.size,
    finished: [...seen].filter((id) => !leftIds.has(id)).length,
    left: pendingCount(remaining),
    written: true,
  };
}

export function cleanupText(report: CleanupReport): string {
  if (!report.written)
    return `[dry-run] 待清理的注销记录 deletion entries with work left: ${report.entries}（文件与数据共 ${report.left} 项 / ${report.left} items）\n`;
  const lines = [
    `清理完成 / cleanup done: 处理注销记录 ${report.entries} 条，完成 ${report.finished} 条 / entries ${report.entries}, finished ${report.finished}`,
    `  仍待清理 still left: ${report.left}${report.left > 0 ? '（存储或数据库仍失败，稍后再运行 / storage or the database still failing: run again later）' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}
