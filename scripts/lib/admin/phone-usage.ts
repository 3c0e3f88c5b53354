/**
 * `npm run admin -- phone-usage`: successful paid
 * phone checks per day (China time) and what they are estimated to cost, from the `phone-check`
 * entries the login function records (actions/bind-phone.ts; prices and trial calls in
 * rules/phone-check.ts). One aggregation on the server: the entries are counted there, never read
 * one by one.
 */
import type { CollectionNames } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { orEmpty } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import {
  formatYuan,
  PHONE_CHECK_PRICE_FEN,
  PHONE_CHECK_TRIAL_CALLS,
  type PhoneUsageDay,
  type PhoneUsageReport,
  phoneUsageReport,
} from '../../../cloudfunctions/login/src/rules/phone-check';
import { isPhoneCheckKind } from '../../../miniprogram/contract/lists';
import type { PhoneCheckKind } from '../../../typings/contract';
import { renderTable } from './table';

/** The part of wx-server-sdk's aggregate API used here. */
interface Aggregate {
  match(condition: Record<string, unknown>): Aggregate;
  group(spec: Record<string, unknown>): Aggregate;
  limit(count: number): Aggregate;
  end(): Promise<{ list?: unknown[] }>;
}
export interface PhoneUsageDatabase {
  collection(name: string): { aggregate(): Aggregate };
  command: { aggregate: { sum(value: unknown): unknown } };
}

/** At most this many (day, kind) groups: more than five years of both kinds. CloudBase's default is 20. */
const MAX_GROUPS = 4000;

export interface PhoneUsage extends PhoneUsageReport {
  action: 'phone-usage';
}

export async function phoneUsage(
  db: PhoneUsageDatabase,
  names: CollectionNames,
  trialUsedBefore: Partial<Record<PhoneCheckKind, number>> = {},
): Promise<PhoneUsage> {
  const $ = db.command.aggregate;
  const { list } = await orEmpty(
    () =>
      db
        .collection(names.audit)
        .aggregate()
        .match({ type: 'phone-check' })
        .group({ _id: { day: '$day', kind: '$kind' }, count: $.sum(1) })
        .limit(MAX_GROUPS)
        .end(),
    { list: [] },
  );
  const days = new Map<string, PhoneUsageDay>();
  for (const group of list ?? []) {
    const { _id: key, count } = (group ?? {}) as { _id?: { day?: unknown; kind?: unknown }; count?: unknown };
    if (typeof key?.day !== 'string' || !isPhoneCheckKind(key.kind) || typeof count !== 'number') continue;
    const day = days.get(key.day) ?? { day: key.day, checks: { quick: 0, realtime: 0 } };
    day.checks[key.kind] += count;
    days.set(key.day, day);
  }
  return { action: 'phone-usage', ...phoneUsageReport([...days.values()], trialUsedBefore) };
}

export function phoneUsageText(usage: PhoneUsage): string {
  const table = renderTable(
    ['日期', '快速验证', '实时验证', '其中体验额度', '估算费用'],
    [
      ...usage.rows.map((row) => [
        row.day,
        String(row.checks.quick),
        String(row.checks.realtime),
        String(row.trial.quick + row.trial.realtime),
        formatYuan(row.costFen),
      ]),
      ...(usage.rows.length > 1
        ? [['合计', String(usage.total.checks.quick), String(usage.total.checks.realtime), '', formatYuan(usage.total.costFen)]]
        : []),
    ],
    '还没有成功的手机号验证记录 / no successful phone checks recorded',
  );
  return (
    `${table}` +
    `单价：快速验证 ${formatYuan(PHONE_CHECK_PRICE_FEN.quick)}/次，实时验证 ${formatYuan(PHONE_CHECK_PRICE_FEN.realtime)}/次（成功才计费）；` +
    `每种各有 ${PHONE_CHECK_TRIAL_CALLS} 次体验额度，剩余 快速 ${usage.trialLeft.quick} / 实时 ${usage.trialLeft.realtime}。\n` +
    '估算：只含登录云函数换取成功的次数，账单以微信公众平台「付费管理」为准 / an estimate from what the function recorded; WeChat bills.\n'
  );
}
