/**
 * `npm run admin -- cleanup`: finishes every deletion whose cleanup was left — per-user data
 * (notes, …) and files a fault or a crash kept from going after the account was deleted — through
 * the very code a deletion runs after its commit (actions/shared/account-deletion.ts, finishPending),
 * on the CloudBase store. Every later 注销 does the same for a few entries; this does all of them,
 * page by page, each entry once per run, and stops when a page brings no entry it has not seen.
 * An entry whose late-write window (server-auth LATE_WRITE_WINDOW_MS after its commit) has not
 * passed gets its per-user data removed now and stays listed as waiting: a run after the window
 * finishes it. Then the same for links: accounts that owe a data move of a link (`pendingDataMoves`)
 * or repeat it until the link's late-write window passed (`lateDataMoves`) get it done through the
 * code a login runs (actions/shared/account-cleanup.ts, finishDataMoves), for people who do not log
 * in again. Last, accounts an import left 'importing' (cut short before its final check) are
 * checked as that step checks them: activated, or removed when their id was deleted meanwhile; and
 * upload paths live accounts listed over an hour ago (an avatar never saved, a killed export) are
 * emptied and deleted.
 * With --dry-run it only counts what is pending.
 */
import { finishDataMoves, pendingList, removeStaleUploads } from '../../../cloudfunctions/login/src/actions/shared/account-cleanup';
import { settleImportedAccount } from '../../../cloudfunctions/login/src/actions/shared/imported-account';
import { orEmpty } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import { awaitsLateWrites, finishPending } from '../../../cloudfunctions/login/src/actions/shared/account-deletion';
import { type CloudServicesSdk, createCloudServices } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { type CollectionNames, createCloudbaseStore, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { DeletionAuditEntry, UserDoc } from '../../../cloudfunctions/login/src/model';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';
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
  /** Files and accounts' per-user data still listed after the run because something failed. */
  left: number;
  /** Entries whose only work left is the removal after their late-write window (a few minutes): run again after it. */
  waiting: number;
  /** Links: accounts that owed a data move when seen, those still owing one because it failed, those waiting for the window. */
  linkMoves: { accounts: number; left: number; waiting: number };
  /**
   * Accounts an import left 'importing' (a run cut short before its final check): activated, or
   * removed because their id was deleted (注销) during the import (login's shared/imported-account.ts).
   */
  imports: { activated: number; removed: number };
  /**
   * Upload paths live accounts listed over an hour ago and never recorded (an avatar never saved, an
   * export whose process was killed): emptied and deleted (login's removeStaleUploads).
   */
  staleUploads: number;
  /** False with --dry-run: only counted. */
  written: boolean;
}

export interface CleanupContext {
  now: Date;
  dryRun: boolean;
  warn: (message: string) => void;
}

function pendingCount(entries: DeletionAuditEntry[]): number {
  return entries.reduce(
    (sum, entry) => sum + entry.pendingFileIDs.length + (entry.pendingUserIds ?? []).length + (entry.lateUploadFileIDs ?? []).length,
    0,
  );
}

/** Of accounts still listing link data moves: failed moves (`pendingDataMoves`) and moves waiting for their window. */
function remainingMoves(users: UserDoc[]): { left: number; waiting: number } {
  const left = users.filter((user) => pendingList(user.pendingDataMoves).length > 0).length;
  return { left, waiting: users.length - left };
}

/** What is left and what only waits for its late-write window, of the entries still listed. */
function remainingWork(entries: DeletionAuditEntry[], now: Date): { left: number; waiting: number } {
  const waiting = entries.filter((entry) => awaitsLateWrites(entry, now));
  return { left: pendingCount(entries) - pendingCount(waiting), waiting: waiting.length };
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
    const [entries, owing, importing, uploading] = await Promise.all([
      store.deletionsWithPendingWork(1000),
      store.usersOwingDataMoves(1000),
      importingUserIds(db, names, 1000),
      usersListingUploads(db, names, 1000),
    ]);
    return {
      action: 'cleanup',
      entries: entries.length,
      finished: 0,
      ...remainingWork(entries, context.now),
      linkMoves: { accounts: owing.length, ...remainingMoves(owing) },
      imports: { activated: importing.length, removed: 0 },
      staleUploads: uploading.length,
      written: false,
    };
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
  // Entries that can finish first (their window passed), then those still waiting for it (removed
  // once now): waiting entries never crowd due ones out of a page. Once per run: what an entry still
  // lists after its turn failed (kept for the next run) or waits for its late-write window.
  for (const dueAt of [context.now, undefined]) {
    await eachFreshPage(
      () => store.deletionsWithPendingWork(PAGE, dueAt),
      (entry) => entry._id,
      (entries) => finishPending(entries, deps).then(() => undefined),
      seen,
    );
  }
  const movers = await eachFreshPage(
    () => store.usersOwingDataMoves(PAGE),
    (user) => user._id,
    (users) =>
      Promise.all(
        users.map((user) =>
          finishDataMoves(user, deps).catch((error: unknown) =>
            warn('moving per-user data of a linked account failed; still recorded', error),
          ),
        ),
      ).then(() => undefined),
  );
  const imports = { activated: 0, removed: 0 };
  await eachFreshPage(
    () => importingUserIds(db, names, PAGE),
    (id) => id,
    (ids) =>
      Promise.all(
        ids.map(async (id) => {
          // Read through the store: its guard leaves out documents a client wrote.
          const user = await store.getUser(id);
          if (user?.status !== 'importing') return;
          if (await settleImportedAccount(user, deps)) imports.activated += 1;
          else imports.removed += 1;
        }),
      ).then(() => undefined),
  );
  let staleUploads = 0;
  await eachFreshPage(
    () => usersListingUploads(db, names, PAGE),
    (id) => id,
    (ids) =>
      Promise.all(
        ids.map(async (id) => {
          const user = await store.getUser(id);
          if (!user) return;
          staleUploads += await removeStaleUploads(user, context.now, deps).catch((error: unknown) => {
            warn('removing stale upload paths failed; still listed on the account', error);
            return 0;
          });
        }),
      ).then(() => undefined),
  );
  const [remaining, stillOwing] = await Promise.all([store.deletionsWithPendingWork(1000), store.usersOwingDataMoves(1000)]);
  const leftIds = new Set(remaining.map((entry) => entry._id));
  return {
    action: 'cleanup',
    entries: seen.size,
    finished: [...seen].filter((id) => !leftIds.has(id)).length,
    ...remainingWork(remaining, context.now),
    linkMoves: { accounts: movers.size, ...remainingMoves(stillOwing) },
    imports,
    staleUploads,
    written: true,
  };
}

/**
 * Hands each page `page()` answers to `each`, until a page holds nothing this run handled before
 * (what is still listed after its turn stays for the next run), at most MAX_ROUNDS pages. Answers
 * the keys handled (`seen`, shared between calls that must not handle an item twice).
 */
async function eachFreshPage<T>(
  page: () => Promise<T[]>,
  key: (item: T) => string,
  each: (items: T[]) => Promise<void>,
  seen = new Set<string>(),
): Promise<Set<string>> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const fresh = (await page()).filter((item) => !seen.has(key(item)));
    if (fresh.length === 0) break;
    for (const item of fresh) seen.add(key(item));
    await each(fresh);
  }
  return seen;
}

/** Ids of users listing upload paths (`pendingUploads`); which of them are stale, removeStaleUploads decides. */
async function usersListingUploads(db: DatabaseLike, names: CollectionNames, limit: number): Promise<string[]> {
  const { data } = await orEmpty(
    () =>
      db
        .collection(names.users)
        .where({ 'pendingUploads.0': db.command.exists(true) })
        .limit(limit)
        .get() as Promise<{ data: Array<Record<string, unknown>> }>,
    { data: [] as Array<Record<string, unknown>> },
  );
  return data.flatMap((doc) => (typeof doc._id === 'string' ? [doc._id] : []));
}

/** Ids of users an import wrote and has not activated (status 'importing'). */
async function importingUserIds(db: DatabaseLike, names: CollectionNames, limit: number): Promise<string[]> {
  const { data } = await orEmpty(
    () => db.collection(names.users).where({ status: 'importing' }).limit(limit).get() as Promise<{ data: Array<Record<string, unknown>> }>,
    { data: [] as Array<Record<string, unknown>> },
  );
  return data.flatMap((doc) => (typeof doc._id === 'string' ? [doc._id] : []));
}

export function cleanupText(report: CleanupReport): string {
  if (!report.written)
    return (
      `[dry-run] 待清理的注销记录 deletion entries with work left: ${report.entries}（文件与数据共 ${report.left} 项 / ${report.left} items；等待迟到写入窗口 waiting for the late-write window: ${report.waiting} 条）\n` +
      `[dry-run] 关联后待搬移数据的账号 accounts owing a link's data move: ${report.linkMoves.accounts}（其中等待迟到写入窗口 waiting for the window: ${report.linkMoves.waiting}）\n` +
      `[dry-run] 导入中断留下的账号 accounts an interrupted import left: ${report.imports.activated}\n` +
      `[dry-run] 记着上传路径的账号 accounts listing upload paths: ${report.staleUploads}\n`
    );
  const lines = [
    `清理完成 / cleanup done: 处理注销记录 ${report.entries} 条，完成 ${report.finished} 条 / entries ${report.entries}, finished ${report.finished}`,
    `  仍待清理 still left: ${report.left}${report.left > 0 ? '（存储或数据库仍失败，稍后再运行 / storage or the database still failing: run again later）' : ''}`,
  ];
  if (report.waiting > 0)
    lines.push(
      `  等待迟到写入窗口 waiting for the late-write window: ${report.waiting} 条（注销后约 ${LATE_WRITE_WINDOW_MS / 60_000} 分钟内可能还有写入落地，之后再运行 / run again a few minutes after the deletion）`,
    );
  if (report.linkMoves.accounts > 0 || report.linkMoves.left > 0 || report.linkMoves.waiting > 0)
    lines.push(
      `  关联后的数据搬移 link data moves: 处理账号 ${report.linkMoves.accounts} 个 / accounts ${report.linkMoves.accounts}；仍待搬移 still owed: ${report.linkMoves.left}；等待关联的迟到写入窗口 waiting for the link's window: ${report.linkMoves.waiting}`,
    );
  if (report.imports.activated > 0 || report.imports.removed > 0)
    lines.push(
      `  导入中断留下的账号 accounts an interrupted import left: 启用 ${report.imports.activated} 个 / activated ${report.imports.activated}；导入期间已注销、删除 ${report.imports.removed} 个 / deleted during the import, removed ${report.imports.removed}`,
    );
  if (report.staleUploads > 0)
    lines.push(
      `  超过 1 小时未记录的上传 uploads never recorded for an hour: 删除 ${report.staleUploads} 个 / removed ${report.staleUploads}`,
    );
  return `${lines.join('\n')}\n`;
}
