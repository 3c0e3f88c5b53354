/**
 * `npm run admin -- revocations <file> --appid <AppID>`: applies WeChat's list of revocations (the
 * daily 授权用户信息变更 notice) for pushes a deployment missed — the very code the wechat-push
 * function runs (login/src/actions/apply-wechat-push.ts), on the CloudBase store, with the same
 * audit entry (source 'revocation-list'); a line applied twice, or already applied by its push,
 * changes nothing the second time.
 *
 * The list's layout is not published, so the reader takes what it can be turned into without
 * guessing: the push messages themselves (a JSON array, JSON lines or `{ list: [...] }`, WeChat's
 * field names: OpenID, Event, RevokeInfo, CreateTime), or CSV/TSV with a header naming the
 * columns — OpenID (openid / 用户openid), RevokeInfo (撤回信息 / 撤回内容 / 授权信息; a code like 8
 * or its name like 手机号), optionally Event (事件; default a revocation) and CreateTime
 * (时间 / 撤回时间; seconds, milliseconds or a date). A line it cannot read is reported, never guessed at.
 */
import { readFile } from 'node:fs/promises';
import { type PushOutcome, applyWechatPush } from '../../../cloudfunctions/login/src/actions/apply-wechat-push';
import type { DeletionDeps } from '../../../cloudfunctions/login/src/actions/shared/account-deletion';
import { identityKeyForOpenid } from '../../../cloudfunctions/login/src/rules/identity';
import { effectOf, readPushMessage, type WechatPushMessage } from '../../../cloudfunctions/login/src/rules/wechat-push';

/** RevokeInfo names as WeChat's documentation words them, for lists that write the name. */
const REVOKE_NAMES: Record<string, string> = {
  昵称和头像: '6',
  头像和昵称: '6',
  手机号: '8',
  手机号码: '8',
  昵称: '19',
  微信昵称: '19',
  头像: '20',
  微信头像: '20',
};

const COLUMNS: Record<'openid' | 'revokeInfo' | 'event' | 'time', RegExp> = {
  openid: /^(openid|用户openid|用户 ?id)$/i,
  revokeInfo: /^(revokeinfo|撤回信息|撤回内容|授权信息|撤回类型)$/i,
  event: /^(event|事件|事件类型)$/i,
  time: /^(createtime|time|时间|撤回时间)$/i,
};

export interface ListLine {
  /** 1-based line (CSV) or item (JSON) number. */
  line: number;
  message: WechatPushMessage | null;
  /** Why the line was not read. */
  problem?: string;
}

function seconds(text: string): number {
  const value = text.trim();
  if (/^\d{13}$/.test(value)) return Math.floor(Number(value) / 1000);
  if (/^\d{9,10}$/.test(value)) return Number(value);
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.replace(' ', 'T')}+08:00` : value);
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : 0;
}

function fromRecord(record: Record<string, unknown>, line: number): ListLine {
  const body: Record<string, unknown> = { Event: 'user_authorization_revoke', ...record };
  const revoke = typeof body.RevokeInfo === 'string' ? body.RevokeInfo.trim() : body.RevokeInfo;
  if (typeof revoke === 'string' && REVOKE_NAMES[revoke]) body.RevokeInfo = REVOKE_NAMES[revoke];
  if (typeof body.CreateTime === 'string') body.CreateTime = seconds(body.CreateTime);
  const read = readPushMessage(body);
  return read.ok ? { line, message: read.message } : { line, message: null, problem: read.reason };
}

function splitRow(row: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < row.length; index += 1) {
    const char = row[index];
    if (quoted) {
      if (char === '"' && row[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

/** Reads the list; a text that is neither JSON nor a CSV with an OpenID column answers a message. */
export function readRevocationList(text: string): { ok: true; lines: ListLine[] } | { ok: false; message: string } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let items: unknown[];
    try {
      const parsed: unknown = JSON.parse(trimmed);
      const list = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { list?: unknown }).list : parsed;
      items = Array.isArray(list) ? list : [parsed];
    } catch {
      try {
        items = trimmed
          .split(/\r?\n/)
          .filter((row) => row.trim() !== '')
          .map((row) => JSON.parse(row) as unknown);
      } catch {
        return { ok: false, message: '不是合法的 JSON / JSON Lines / not valid JSON or JSON lines' };
      }
    }
    return {
      ok: true,
      lines: items.map((item, index) =>
        typeof item === 'object' && item !== null && !Array.isArray(item)
          ? fromRecord(item as Record<string, unknown>, index + 1)
          : { line: index + 1, message: null, problem: 'not an object' },
      ),
    };
  }
  const rows = trimmed.split(/\r?\n/);
  const separator = (rows[0] ?? '').includes('\t') ? '\t' : ',';
  const header = splitRow(rows[0] ?? '', separator);
  const column = (name: keyof typeof COLUMNS) => header.findIndex((cell) => COLUMNS[name].test(cell));
  const [openid, revokeInfo, event, time] = [column('openid'), column('revokeInfo'), column('event'), column('time')];
  if (openid < 0) return { ok: false, message: '表头没有 OpenID 列 / the header names no OpenID column' };
  const lines: ListLine[] = [];
  rows.slice(1).forEach((row, index) => {
    if (row.trim() === '') return;
    const cells = splitRow(row, separator);
    const record: Record<string, unknown> = { OpenID: cells[openid] ?? '' };
    if (revokeInfo >= 0) record.RevokeInfo = cells[revokeInfo] ?? '';
    if (event >= 0 && cells[event]) record.Event = cells[event];
    if (time >= 0) record.CreateTime = cells[time] ?? '';
    lines.push(fromRecord(record, index + 2));
  });
  return { ok: true, lines };
}

export interface RevocationReport {
  action: 'revocations';
  file: string;
  dryRun: boolean;
  total: number;
  /** Lines that changed an account (or, with --dry-run, would be applied to one). */
  applied: number;
  /** Lines whose account had nothing left to change (applied before, by its push or an earlier run). */
  unchanged: number;
  /** Lines whose OpenID no account holds. */
  noAccount: number;
  /** Lines of data this kit does not keep (RevokeInfo other than 6, 8, 19, 20). */
  notKept: number;
  accountsDeleted: number;
  /** Lines left for an operator (a banned account's WeChat deleted). */
  skipped: { line: number; userId: string | null; reason: string }[];
  /** Lines not read, or whose application failed (run again: applied lines change nothing). */
  problems: { line: number; reason: string }[];
}

export interface RevocationContext {
  appid: string;
  env: string;
  dryRun: boolean;
}

export async function applyRevocationList(
  file: string,
  deps: DeletionDeps,
  context: RevocationContext,
): Promise<RevocationReport | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return `读不了文件 / cannot read ${file}: ${(error as Error).message}`;
  }
  const read = readRevocationList(text);
  if (!read.ok) return `${file}: ${read.message}`;
  const report: RevocationReport = {
    action: 'revocations',
    file,
    dryRun: context.dryRun,
    total: read.lines.length,
    applied: 0,
    unchanged: 0,
    noAccount: 0,
    notKept: 0,
    accountsDeleted: 0,
    skipped: [],
    problems: [],
  };
  for (const { line, message, problem } of read.lines) {
    if (!message) {
      report.problems.push({ line, reason: problem ?? 'unreadable' });
      continue;
    }
    if (effectOf(message).kind === 'none') {
      report.notKept += 1;
      continue;
    }
    if (message.appid && message.appid !== context.appid) {
      report.problems.push({ line, reason: `AppID ${message.appid} is not --appid ${context.appid}` });
      continue;
    }
    let outcome: PushOutcome;
    try {
      if (context.dryRun) {
        const identity = await deps.store.getIdentity(identityKeyForOpenid(context.appid, message.openid));
        if (identity) report.applied += 1;
        else report.noAccount += 1;
        continue;
      }
      outcome = await applyWechatPush(message, deps, { source: 'revocation-list', env: context.env, appid: context.appid });
    } catch (error) {
      report.problems.push({ line, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (outcome.skipped) report.skipped.push({ line, userId: outcome.userId, reason: outcome.skipped });
    else if (outcome.userId === null) report.noAccount += 1;
    else if (outcome.cleared.length === 0) report.unchanged += 1;
    else report.applied += 1;
    if (outcome.accountDeleted) report.accountsDeleted += 1;
  }
  return report;
}

export function revocationText(report: RevocationReport): string {
  const head = report.dryRun ? '[dry-run] 将处理（未写入 / nothing written）' : '处理完成 / applied';
  const lines = [
    `${head}：共 ${report.total} 条（${report.file}）`,
    `  ${report.dryRun ? '将处理 would apply' : '已处理 applied'}:           ${report.applied}`,
    `  无需改动 unchanged:        ${report.unchanged}（已处理过 / applied before）`,
    `  没有账号 no account:       ${report.noAccount}`,
    `  本工具不保存 not kept:     ${report.notKept}（撤回的不是昵称、头像或手机号 / nothing this kit keeps）`,
    `  注销账号 accounts deleted: ${report.accountsDeleted}`,
    `  留给管理员 left to you:    ${report.skipped.length}`,
    `  问题 problems:             ${report.problems.length}${report.problems.length > 0 ? '（修正后重新运行：已处理的行不会重复改动 / fix and run again）' : ''}`,
  ];
  for (const skipped of report.skipped.slice(0, 20))
    lines.push(`  第 ${skipped.line} 行 line: ${skipped.reason}（用户 ${skipped.userId ?? '—'}）`);
  for (const problem of report.problems.slice(0, 20)) lines.push(`  第 ${problem.line} 行 line: ${problem.reason}`);
  return `${lines.join('\n')}\n`;
}
