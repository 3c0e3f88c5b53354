/**
 * Telling an account holder that someone linked into their account by proving its phone number.
 *
 * A phone number proves only that the person can receive it now (README, 安全模型), and the holder is
 * not asked before confirmLink links a new WeChat in. So the link leaves a notice on the target user
 * (in the link's own transaction), and the holder's next login answers it once: the mini-program
 * shows 「你的账号于 … 通过手机号关联了新的微信」 and where to undo it. The notice is for the holder, not
 * for the WeChat that linked (its keys are `linkedKeys`), so that WeChat's own logins leave it for
 * the holder. The audit entry of the link is the permanent record; the notice is only the message.
 */
import type { AccountNotice, AccountNoticeKind } from '../../../../typings/contract';
import { isAccountNoticeKind } from '../../../../miniprogram/contract/lists';

/**
 * Stored on the target user (UserDoc.linkNotices) until the holder's login answers it. The same
 * list carries what WeChat's pushes changed (actions/apply-wechat-push.ts): `kind` says which
 * (absent: 'linked-by-phone', as stored before there were other kinds), with no linkedKeys.
 */
export interface LinkNotice {
  at: Date;
  /** The identity keys that moved in with the link: logins with them are not the holder's. */
  linkedKeys: string[];
  kind?: AccountNoticeKind;
}

/** Kept per user at most (the newest): a flood of links must not grow the document. */
export const MAX_LINK_NOTICES = 5;

function isLinkNotice(value: unknown): value is LinkNotice {
  if (typeof value !== 'object' || value === null) return false;
  const { at, linkedKeys, kind } = value as Record<string, unknown>;
  return (
    at instanceof Date &&
    Array.isArray(linkedKeys) &&
    linkedKeys.every((key) => typeof key === 'string') &&
    (kind === undefined || isAccountNoticeKind(kind))
  );
}

/** The stored notices, whatever shape the field has (a hand-edited value reads as none). */
export function readLinkNotices(stored: unknown): LinkNotice[] {
  return Array.isArray(stored) ? stored.filter(isLinkNotice) : [];
}

/** The kind a stored notice is answered as. */
export function noticeKindOf(notice: LinkNotice): AccountNoticeKind {
  return notice.kind ?? 'linked-by-phone';
}

/** The list after something WeChat told of (a push) changed the account at `at`; one notice per kind. */
export function withAccountNotice(stored: unknown, at: Date, kind: AccountNoticeKind): LinkNotice[] {
  const others = readLinkNotices(stored).filter((notice) => noticeKindOf(notice) !== kind);
  return [...others, { at, linkedKeys: [], kind }].slice(-MAX_LINK_NOTICES);
}

/** The list after a link at `at` that moved `linkedKeys` in. */
export function withLinkNotice(stored: unknown, at: Date, linkedKeys: string[]): LinkNotice[] {
  return [...readLinkNotices(stored), { at, linkedKeys: [...linkedKeys] }].slice(-MAX_LINK_NOTICES);
}

/**
 * What a login with `callerKeys` answers (`shown`), and what stays stored (`remaining`: notices
 * of links this very WeChat made, kept for the holder).
 */
export function linkNoticesFor(stored: unknown, callerKeys: readonly string[]): { shown: AccountNotice[]; remaining: LinkNotice[] } {
  const notices = readLinkNotices(stored);
  const mine = (notice: LinkNotice) => notice.linkedKeys.some((key) => callerKeys.includes(key));
  return {
    shown: notices.filter((notice) => !mine(notice)).map((notice) => ({ kind: noticeKindOf(notice), at: notice.at.getTime() })),
    remaining: notices.filter(mine),
  };
}
