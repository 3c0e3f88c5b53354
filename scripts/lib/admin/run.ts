/**
 * `npm run admin -- <command>`: parses, connects, runs one command, prints a table (or JSON with
 * --json) and answers the exit code: 0 done, 1 the command failed, 2 usage.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import cloud from 'wx-server-sdk';
import type { CloudServicesSdk } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { type CollectionNames, collectionNamesFrom, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { UserStatus } from '../../../cloudfunctions/login/src/model';
import { ADMIN_USAGE, parseAdminArgs, type AdminCommand } from './args';
import { resolveTarget } from './connection';
import { cleanupByAdmin, cleanupText } from './cleanup';
import { deleteByAdmin, deletionText } from './delete';
import { createUserDataStore } from '@wx-cloud-login/server-auth/src/user-data';
import { createCloudServices } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { createCloudbaseStore } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { exportByAdmin, exportSummaryText } from './export';
import { AdminError, createDirectory, type AdminChange, type AdminDatabase, type UserDetails, type UserRow } from './directory';
import { type ImportDatabase, type ImportReport, importPeople } from './import/importer';
import { parseRecords, SOURCE_READERS } from './import/sources';
import { phoneUsage, type PhoneUsageDatabase, phoneUsageText } from './phone-usage';
import { type AdoptionDatabase, type AdoptionReport, adoptTutorialUsers } from './import/tutorial-users';
import { applyRevocationList, revocationText } from './revocations';
import { formatTime, renderTable } from './table';

export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process environment (credentials, collection names); written with the SDK's variables. */
  env: NodeJS.ProcessEnv;
  now?: () => Date;
  /** stderr is a terminal: the progress bar redraws one line. */
  isTTY?: boolean;
}

const STATUS_TEXT: Record<UserStatus, string> = {
  active: '正常',
  banned: '封禁',
  merged: '已并入',
  deleting: '注销中',
  importing: '导入中',
};

function statusText(row: UserRow): string {
  if (row.status === 'banned') return row.bannedUntil ? `封禁至 ${formatTime(row.bannedUntil)}` : '封禁';
  return STATUS_TEXT[row.status] ?? row.status;
}

function usersTable(rows: UserRow[]): string {
  return renderTable(
    ['用户 ID', '昵称', '状态', '手机号', '创建时间', '最近登录', '登录次数'],
    rows.map((row) => [
      row.id,
      row.nickName,
      statusText(row),
      row.phone,
      formatTime(row.createdAt),
      formatTime(row.lastLoginAt),
      String(row.loginCount),
    ]),
    '没有找到用户 / no users found',
  );
}

function detailsText(details: UserDetails): string {
  const { user } = details;
  const lines = [
    `用户 ${user.id}`,
    `  昵称      ${user.nickName || '（未设置）'}`,
    `  状态      ${statusText(user)}${user.banReason ? `（原因 ${user.banReason}）` : ''}${user.mergedInto ? ` → ${user.mergedInto}` : ''}`,
    `  手机号    ${user.phone || '（未绑定）'}`,
    `  创建时间  ${formatTime(user.createdAt)}`,
    `  最近登录  ${formatTime(user.lastLoginAt)}（共 ${user.loginCount} 次）`,
    '',
    '登录方式 Sign-in methods',
    renderTable(
      ['类型', '标识（脱敏）', 'AppID', '添加时间'],
      details.identities.map((identity) => [identity.provider, identity.display, identity.appid ?? '', formatTime(identity.createdAt)]),
      '  （无）',
    ).trimEnd(),
  ];
  if (details.mergedAccounts.length > 0) lines.push('', '并入的账号 Merged accounts', usersTable(details.mergedAccounts).trimEnd());
  lines.push(
    '',
    '审计记录 Audit entries',
    renderTable(
      ['时间', '类型', '内容'],
      details.audit.map((entry) => [formatTime(entry.at instanceof Date ? entry.at : null), entry.type, auditSummary(entry)]),
      '  （无）',
    ).trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

function auditSummary(entry: UserDetails['audit'][number]): string {
  switch (entry.type) {
    case 'account-linked':
      return `${entry.fromUserId} → ${entry.toUserId}`;
    case 'account-deleted': {
      const left = (entry.pendingFileIDs?.length ?? 0) + (entry.pendingUserIds?.length ?? 0) + (entry.lateUploadFileIDs?.length ?? 0);
      const finished = entry.finishedAt instanceof Date ? `, cleanup finished ${formatTime(entry.finishedAt)}` : '';
      return `identities ${entry.identityCount}, merged ${entry.mergedAccountCount}${left > 0 ? `, cleanup left ${left} (admin cleanup)` : finished}`;
    }
    case 'admin-action':
      return `${entry.action} by ${entry.operator}${entry.reason ? ` (${entry.reason})` : ''}${entry.until ? ` until ${formatTime(entry.until)}` : ''}`;
    default:
      return '';
  }
}

function changeText(change: AdminChange): string {
  const describe = (state: AdminChange['before']) =>
    state.status === 'banned'
      ? `封禁（${state.banReason ?? '—'}${state.bannedUntil ? `，至 ${formatTime(state.bannedUntil)}` : '，直到解封'}）`
      : STATUS_TEXT[state.status];
  const verb = change.action === 'ban' ? '封禁' : '解封';
  const head = change.written ? `已${verb}` : `[dry-run] 将${verb}（未写入 / nothing written）`;
  const audit = change.auditId ? `\n  审计记录 audit entry: ${change.auditId}` : '';
  return `${head} ${change.userId}\n  状态 status: ${describe(change.before)} → ${describe(change.after)}${audit}\n`;
}

interface Context {
  /** The environment id (the emulator's or --env). */
  env: string;
  warn: (message: string) => void;
  limit: number;
  operator: string;
  now: Date;
  dryRun: boolean;
  db: AdminDatabase;
  names: CollectionNames;
  progress: (done: number, total: number) => void;
}

async function runImport(command: Extract<AdminCommand, { name: 'import' }>, context: Context): Promise<ImportReport | string> {
  let content: string;
  try {
    content = await readFile(command.file, 'utf8');
  } catch (error) {
    return `读不了文件 / cannot read ${command.file}: ${(error as Error).message}`;
  }
  const parsed = parseRecords(content);
  if (!parsed.ok) return `${command.file}: ${parsed.message}`;
  const read = parsed.records.map(SOURCE_READERS[command.source]);
  return importPeople(context.db as unknown as ImportDatabase, context.names, read, {
    source: command.source,
    appid: command.appid,
    dryRun: context.dryRun,
    fallbackCreatedAt: context.now,
    onProgress: context.progress,
  });
}

function importText(report: ImportReport): string {
  const head = report.dryRun ? '[dry-run] 将导入（未写入 / nothing written）' : '导入完成 / imported';
  const lines = [
    `${head}：共 ${report.total} 条（${report.source}，AppID ${report.appid}）`,
    `  新导入 imported:          ${report.imported}`,
    `  已存在 already present:   ${report.alreadyPresent}`,
    `  冲突 conflicts:           ${report.conflicts.length}（微信身份或用户 id 已属于其他用户，未导入、未合并 / never merged）`,
    `  跳过 skipped:             ${report.skipped.length}`,
    `  未导入手机号 phones left out: ${report.phonesLeftOut.length}（号码已属于其他用户）`,
    `  已清理 cleaned:           ${report.cleaned.length}（昵称或头像不符合登录的校验规则，已修正或去掉 / fixed or dropped）`,
  ];
  if (report.keysLeftOut.length > 0)
    lines.push(`  未导入的登录方式 keys left out: ${report.keysLeftOut.length}（导入期间被其他用户登录占用）`);
  for (const conflict of report.conflicts.slice(0, 20)) lines.push(`  冲突 ${conflict.sourceId}: ${conflict.reason}`);
  for (const skipped of report.skipped.slice(0, 20)) lines.push(`  跳过 ${skipped.sourceId || '(无 id)'}: ${skipped.reason}`);
  const more =
    report.conflicts.length + report.skipped.length - Math.min(20, report.conflicts.length) - Math.min(20, report.skipped.length);
  if (more > 0) lines.push(`  …另有 ${more} 条，--json 查看全部 / ${more} more, see --json`);
  return `${lines.join('\n')}\n`;
}

function adoptionText(report: AdoptionReport): string {
  const head = report.dryRun ? '[dry-run] 将接管（未写入 / nothing written）' : '接管完成 / adopted';
  const lines = [
    `${head}：集合 ${report.collection} 中教程式文档共 ${report.total} 条（AppID ${report.appid}）`,
    `  接管 adopted:             ${report.adopted}`,
    `  已接管 already present:   ${report.alreadyPresent}`,
    `  冲突 conflicts:           ${report.conflicts.length}（该微信身份已属于其他用户，未改动 / left untouched, never merged）`,
    `  跳过 skipped:             ${report.skipped.length}`,
    `  未写入 UnionID unionids left out: ${report.unionidsLeftOut.length}（由小程序端写入，无法核实；下次登录时补上）`,
  ];
  for (const conflict of report.conflicts.slice(0, 20)) lines.push(`  冲突 ${conflict.userId}: ${conflict.reason}`);
  for (const skipped of report.skipped.slice(0, 20)) lines.push(`  跳过 ${skipped.userId}: ${skipped.reason}`);
  const more =
    report.conflicts.length + report.skipped.length - Math.min(20, report.conflicts.length) - Math.min(20, report.skipped.length);
  if (more > 0) lines.push(`  …另有 ${more} 条，--json 查看全部 / ${more} more, see --json`);
  return `${lines.join('\n')}\n`;
}

/** `导入 [██████░░░░] 3000/10000`, one line redrawn on a terminal, a line per step otherwise. */
function progressBar(io: AdminIo, enabled: boolean): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    if (!enabled || total === 0) return;
    const filled = Math.round((done / total) * 20);
    if (filled === last && done !== total) return;
    last = filled;
    const line = `导入 [${'█'.repeat(filled)}${'░'.repeat(20 - filled)}] ${done}/${total}`;
    io.stderr(io.isTTY ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

async function execute(command: AdminCommand, directory: ReturnType<typeof createDirectory>, context: Context) {
  switch (command.name) {
    case 'import':
      return runImport(command, context);
    case 'import-users':
      return adoptTutorialUsers(
        context.db as unknown as AdoptionDatabase,
        { ...context.names, users: command.collection ?? context.names.users },
        { appid: command.appid, dryRun: context.dryRun, now: context.now, onProgress: context.progress },
      );
    case 'users-list':
      return directory.listUsers(context.limit);
    case 'users-search':
      return directory.searchUsers(command.text, context.limit);
    case 'user-show':
      return directory.showUser(command.userId);
    case 'ban':
      return directory.changeBan(command.userId, { action: 'ban', reason: command.reason, until: command.until }, context);
    case 'unban':
      return directory.changeBan(command.userId, { action: 'unban' }, context);
    case 'export':
      return exportByAdmin(context.db as unknown as DatabaseLike, context.names, command.userId, {
        operator: context.operator,
        now: context.now,
        dryRun: context.dryRun,
        out: command.out,
        warn: context.warn,
      });
    case 'revocations': {
      const now = () => context.now;
      const warn = (message: string, detail?: unknown) => context.warn(detail === undefined ? message : `${message}: ${String(detail)}`);
      return applyRevocationList(
        command.file,
        {
          store: createCloudbaseStore(context.db as unknown as DatabaseLike, context.names, context.warn),
          files: createCloudServices(cloud as unknown as CloudServicesSdk, now).files,
          userData: createUserDataStore(context.db as unknown as Parameters<typeof createUserDataStore>[0]),
          now,
          warn,
        },
        { appid: command.appid, env: context.env, dryRun: context.dryRun },
      );
    }
    case 'cleanup':
      return cleanupByAdmin(context.db as unknown as DatabaseLike, cloud as unknown as CloudServicesSdk, context.names, {
        now: context.now,
        dryRun: context.dryRun,
        warn: context.warn,
      });
    case 'phone-usage':
      return phoneUsage(context.db as unknown as PhoneUsageDatabase, context.names);
    case 'delete':
      return deleteByAdmin(context.db as unknown as DatabaseLike, cloud as unknown as CloudServicesSdk, context.names, command.userId, {
        operator: context.operator,
        now: context.now,
        env: context.env,
        write: command.yes && !context.dryRun,
        warn: context.warn,
      });
  }
}

export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  const now = (io.now ?? (() => new Date()))();
  const parsed = parseAdminArgs(argv, now);
  if (!parsed.ok) {
    if (parsed.message) io.stderr(`${parsed.message}\n`);
    io.stderr(ADMIN_USAGE);
    return parsed.message ? 2 : 0;
  }
  const { command, options } = parsed;
  const resolved = await resolveTarget(options, io.env);
  if (!resolved.ok) {
    io.stderr(`${resolved.message}\n`);
    return 1;
  }
  Object.assign(io.env, resolved.sdkEnv);
  const { target } = resolved;
  cloud.init({
    env: target.env,
    ...(target.kind === 'cloud' && {
      secretId: io.env.TENCENTCLOUD_SECRETID,
      secretKey: io.env.TENCENTCLOUD_SECRETKEY,
      ...(io.env.TENCENTCLOUD_SESSIONTOKEN && { sessionToken: io.env.TENCENTCLOUD_SESSIONTOKEN }),
    }),
  } as Parameters<typeof cloud.init>[0]);
  const db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as AdminDatabase;
  const names = collectionNamesFrom(io.env);
  const directory = createDirectory(db, names);
  const operator = options.operator ?? safeUserName();
  if (!options.json) io.stderr(`${target.kind === 'emulator' ? `模拟器 emulator ${target.url}` : `云开发环境 env ${target.env}`}\n`);
  try {
    const progress = progressBar(io, !options.json);
    const warn = (message: string) => io.stderr(`警告 / warning: ${message}\n`);
    const result = await execute(command, directory, {
      env: target.env,
      warn,
      limit: options.limit,
      operator,
      now,
      dryRun: options.dryRun,
      db,
      names,
      progress,
    });
    if (typeof result === 'string') {
      io.stderr(`${result}\n`);
      return 1;
    }
    if (!Array.isArray(result) && 'action' in result && result.action === 'export') {
      // The document is JSON already: it goes to stdout (the summary to stderr) unless it went to
      // --out or nothing was exported (--dry-run); then stdout gets the summary.
      const { document: _document, text, ...summary } = result;
      if (result.file === null && result.auditId !== null) {
        io.stdout(text);
        if (!options.json) io.stderr(exportSummaryText(result));
      } else io.stdout(options.json ? `${JSON.stringify(summary, null, 2)}\n` : exportSummaryText(result));
    } else if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else if (Array.isArray(result)) io.stdout(usersTable(result));
    else if ('action' in result && result.action === 'delete') io.stdout(deletionText(result));
    else if ('action' in result && result.action === 'revocations') io.stdout(revocationText(result));
    else if ('action' in result && result.action === 'cleanup') io.stdout(cleanupText(result));
    else if ('action' in result && result.action === 'phone-usage') io.stdout(phoneUsageText(result));
    else if ('identities' in result) io.stdout(detailsText(result));
    else if ('adopted' in result) io.stdout(adoptionText(result));
    else if ('imported' in result) io.stdout(importText(result));
    else io.stdout(changeText(result));
    // Lines that could not be read or applied: the operator fixes and runs again (applied lines change nothing).
    if (!Array.isArray(result) && 'action' in result && result.action === 'revocations' && result.problems.length > 0) return 1;
    // delete without --yes (and without --dry-run): the plan was shown, nothing done — not a success.
    if (command.name === 'delete' && !command.yes && !options.dryRun) {
      io.stderr('未删除：确认无误后加 --yes 再运行 / nothing deleted: run again with --yes\n');
      return 2;
    }
    return 0;
  } catch (error) {
    if (error instanceof AdminError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    const text = (error as { errMsg?: string; message?: string })?.errMsg ?? (error as Error)?.message ?? String(error);
    io.stderr(`操作失败 / failed: ${text}\n`);
    return 1;
  }
}

function safeUserName(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
