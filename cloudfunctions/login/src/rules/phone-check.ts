/**
 * WeChat's two paid phone-number checks, what the function records of each success, and what they
 * cost (the admin's `phone-usage` report reads the records through this).
 *
 * Prices as WeChat publishes them (since 2023-08-28, charged per successful component call):
 * 手机号快速验证 ¥0.03, 手机号实时验证 ¥0.04. Each mini-program gets 1,000 trial calls per component
 * (shared by its release, trial and development versions) that are used up first; some public
 * bodies pay nothing. WeChat bills by what the component did on the device, this function records
 * what it traded: a code the function never saw (the person closed the page) is billed and not
 * recorded, so the report is an estimate, never an invoice. Amounts are in fen (1/100 yuan) so that
 * sums stay exact.
 */
import { isPhoneCheckKind, PHONE_CHECK_KINDS } from '../../../../miniprogram/contract/lists';
import type { PhoneCheckKind } from '../../../../typings/contract';

/** Fen per successful check, by kind. */
export const PHONE_CHECK_PRICE_FEN: Readonly<Record<PhoneCheckKind, number>> = { quick: 3, realtime: 4 };

/** Free checks of each kind before WeChat charges. */
export const PHONE_CHECK_TRIAL_CALLS = 1000;

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The China-time day of `at` (`2026-12-07`): WeChat counts and bills by it. */
export function phoneCheckDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** bindPhone's `kind`: absent means 'quick' (clients from before the real-time check); anything else is null. */
export function readPhoneCheckKind(value: unknown): PhoneCheckKind | null {
  if (value === undefined) return 'quick';
  return isPhoneCheckKind(value) ? value : null;
}

/** Successful checks of one day, by kind. */
export interface PhoneUsageDay {
  day: string;
  checks: Record<PhoneCheckKind, number>;
}

export interface PhoneUsageRow extends PhoneUsageDay {
  /** Checks of that day still covered by the trial calls, by kind. */
  trial: Record<PhoneCheckKind, number>;
  /** The estimated charge of that day, fen. */
  costFen: number;
}

export interface PhoneUsageReport {
  rows: PhoneUsageRow[];
  total: { checks: Record<PhoneCheckKind, number>; costFen: number };
  /** Trial calls left per kind after the recorded checks. */
  trialLeft: Record<PhoneCheckKind, number>;
}

function perKind(value: (kind: PhoneCheckKind) => number): Record<PhoneCheckKind, number> {
  return Object.fromEntries(PHONE_CHECK_KINDS.map((kind) => [kind, value(kind)])) as Record<PhoneCheckKind, number>;
}

/**
 * Days in order, each with the part the trial calls still covered and the estimated charge of the
 * rest. `trialUsedBefore`: trial calls of each kind spent before the first record (checks made
 * before this function recorded them).
 */
export function phoneUsageReport(
  days: readonly PhoneUsageDay[],
  trialUsedBefore: Partial<Record<PhoneCheckKind, number>> = {},
): PhoneUsageReport {
  const used = perKind((kind) => trialUsedBefore[kind] ?? 0);
  const rows = [...days]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((day): PhoneUsageRow => {
      const trial = perKind((kind) => Math.max(0, Math.min(day.checks[kind], PHONE_CHECK_TRIAL_CALLS - used[kind])));
      for (const kind of PHONE_CHECK_KINDS) used[kind] += day.checks[kind];
      const costFen = PHONE_CHECK_KINDS.reduce((sum, kind) => sum + (day.checks[kind] - trial[kind]) * PHONE_CHECK_PRICE_FEN[kind], 0);
      return { day: day.day, checks: { ...day.checks }, trial, costFen };
    });
  return {
    rows,
    total: {
      checks: perKind((kind) => rows.reduce((sum, row) => sum + row.checks[kind], 0)),
      costFen: rows.reduce((sum, row) => sum + row.costFen, 0),
    },
    trialLeft: perKind((kind) => Math.max(0, PHONE_CHECK_TRIAL_CALLS - used[kind])),
  };
}

/** `¥12.34` from fen. */
export function formatYuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}
