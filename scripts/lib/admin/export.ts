/**
 * `npm run admin -- export <id> [--out <file>]`: the person's personal-data export — the very
 * document 下载我的信息 hands them (actions/shared/personal-data.ts, rules/personal-data.ts) — for an
 * operator answering a request by mail or phone, or a banned person (who cannot use the page).
 *
 * Reading someone's data is recorded too: an `admin-action` entry with action 'export' (who, when,
 * whose; no personal data), unless --dry-run, which only prints the summary.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { PersonalDataExport, PersonalDataSummary } from '../../../typings/contract';
import { collectPersonalData } from '../../../cloudfunctions/login/src/actions/shared/personal-data';
import { type CollectionNames, createCloudbaseStore, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { personalDataText, summarizePersonalData } from '../../../cloudfunctions/login/src/rules/personal-data';
import { createUserDataStore, type UserDataDatabase } from '@wx-cloud-login/server-auth/src/user-data';
import { accountToActOn, AdminError } from './directory';

export interface PersonalDataByAdmin {
  userId: string;
  action: 'export';
  summary: PersonalDataSummary;
  /** The file written (--out), or null: the document went to stdout. */
  file: string | null;
  /** The operator's entry, or null with --dry-run. */
  auditId: string | null;
  document: PersonalDataExport;
  text: string;
}

export interface ExportContext {
  operator: string;
  now: Date;
  dryRun: boolean;
  out: string | null;
  warn: (message: string) => void;
}

export async function exportByAdmin(
  db: DatabaseLike,
  names: CollectionNames,
  userId: string,
  context: ExportContext,
): Promise<PersonalDataByAdmin> {
  const store = createCloudbaseStore(db, names, context.warn);
  const user = await accountToActOn(store, userId, { zh: '导出', en: 'export' });
  if (user.status === 'deleting') throw new AdminError('USER_UNAVAILABLE', '该账号正在注销 / the account is being deleted');

  const userData = createUserDataStore(db as unknown as UserDataDatabase);
  const document = await collectPersonalData(user, { store, userData }, context.now);
  const text = personalDataText(document);
  const summary = summarizePersonalData(document, Buffer.byteLength(text, 'utf8'));
  if (context.dryRun) return { userId, action: 'export', summary, file: null, auditId: null, document, text };

  if (context.out) await writeFile(context.out, text, 'utf8');
  const auditId = `admin:${context.now.getTime()}:${randomUUID().slice(0, 8)}`;
  await store.putAudit({ _id: auditId, type: 'admin-action', at: context.now, operator: context.operator, action: 'export', userId });
  return { userId, action: 'export', summary, file: context.out, auditId, document, text };
}

export function exportSummaryText(result: PersonalDataByAdmin): string {
  const { summary } = result;
  const head = result.auditId === null ? `[dry-run] 将导出 ${result.userId}（未写入 / nothing written）` : `已导出 ${result.userId}`;
  const lines = [
    head,
    ...(result.file ? [`  文件 file:                ${result.file}`] : []),
    `  大小 size:                ${(summary.bytes / 1024).toFixed(1)} KB`,
    `  登录方式 sign-in methods: ${summary.signInMethods}`,
    `  并入的账号 merged:        ${summary.mergedAccounts}`,
    `  账号记录 account events:  ${summary.accountEvents}`,
    ...summary.collections.map((entry) => `  ${entry.collection}: ${entry.documents}`),
  ];
  if (result.auditId) lines.push(`  审计记录 audit entry: ${result.auditId}`);
  return `${lines.join('\n')}\n`;
}
