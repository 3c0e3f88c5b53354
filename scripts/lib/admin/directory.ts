/**
 * The operator's view of the users: finding accounts, showing one, banning and lifting bans.
 * Reads and writes go through wx-server-sdk's database (the same code path against the emulator
 * and a real environment); what a person's identifiers look like to an operator is masked the way
 * the mini-program masks them. Every change writes an `admin-action` audit entry in the same
 * transaction as the change itself, so there is no change without its record.
 */
import { randomUUID } from 'node:crypto';
import type { CollectionNames } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { BanReason } from '../../../typings/contract';
import type { AuditEntry, IdentityDoc, UserDoc, UserStatus } from '../../../cloudfunctions/login/src/model';
import type { Store } from '../../../cloudfunctions/login/src/ports';
import { maskIdentityKey } from '../../../cloudfunctions/login/src/rules/masked-identity';
import { orEmpty } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import { maskPhoneNumber } from '../../../cloudfunctions/login/src/rules/phone';

type Data = Record<string, unknown>;

interface Query {
  where(condition: unknown): Query;
  orderBy(field: string, order: 'asc' | 'desc'): Query;
  limit(count: number): Query;
  get(): Promise<{ data: Data[] }>;
}
interface Collection extends Query {
  doc(id: string): { get(): Promise<{ data: Data | null | undefined }> };
}
interface Transaction {
  collection(name: string): {
    doc(id: string): {
      get(): Promise<{ data: Data | null | undefined }>;
      update(options: { data: Data }): Promise<unknown>;
      set(options: { data: Data }): Promise<unknown>;
    };
  };
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
}

/** The part of wx-server-sdk's `cloud.database()` the admin commands use. */
export interface AdminDatabase {
  collection(name: string): Collection;
  startTransaction(): Promise<Transaction>;
  createCollection(name: string): Promise<unknown>;
  command: { or(conditions: unknown[]): unknown; remove(): unknown; in(values: unknown[]): unknown };
  RegExp(options: { regexp: string; options?: string }): unknown;
}

/** One line of a list: what an operator needs to tell accounts apart, nothing more. */
export interface UserRow {
  id: string;
  nickName: string;
  status: UserStatus;
  phone: string;
  createdAt: Date | null;
  lastLoginAt: Date | null;
  loginCount: number;
  bannedUntil: Date | null;
}

export interface MaskedIdentity {
  provider: string;
  /** Masked: enough to tell two apart, not enough to use. */
  display: string;
  appid: string | null;
  createdAt: Date | null;
}

export interface UserDetails {
  user: UserRow & { banReason: BanReason | null; mergedInto: string | null };
  identities: MaskedIdentity[];
  mergedAccounts: UserRow[];
  audit: AuditEntry[];
}

export interface AdminChange {
  userId: string;
  action: 'ban' | 'unban';
  /** The fields as they were and as they are (or would be) after the change. */
  before: { status: UserStatus; bannedUntil: Date | null; banReason: BanReason | null };
  after: { status: UserStatus; bannedUntil: Date | null; banReason: BanReason | null };
  written: boolean;
  auditId: string | null;
}

export class AdminError extends Error {
  constructor(
    readonly code: 'USER_NOT_FOUND' | 'USER_UNAVAILABLE' | 'NOT_BANNED',
    message: string,
  ) {
    super(message);
  }
}

function date(value: unknown): Date | null {
  return value instanceof Date ? value : null;
}

function statusOf(user: UserDoc): UserStatus {
  return user.status ?? 'active';
}

function isUserDoc(data: Data | null | undefined): data is UserDoc {
  return !!data && typeof data._id === 'string';
}

export function toRow(user: UserDoc): UserRow {
  const phone = user.boundPhone;
  return {
    id: user._id,
    nickName: typeof user.nickName === 'string' ? user.nickName : '',
    status: statusOf(user),
    phone: phone && typeof phone.purePhoneNumber === 'string' ? maskPhoneNumber(phone) : '',
    createdAt: date(user.createdAt),
    lastLoginAt: date(user.lastLoginAt),
    loginCount: typeof user.loginCount === 'number' ? user.loginCount : 0,
    bannedUntil: date(user.bannedUntil),
  };
}

export function maskIdentity(doc: IdentityDoc): MaskedIdentity {
  const { provider, display, appid } = maskIdentityKey(doc._id);
  return { provider, display, appid, createdAt: date(doc.createdAt) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A query of a collection nobody created yet answers nothing, as the function's store does. */
async function rows(query: Query): Promise<Data[]> {
  return (await orEmpty(() => query.get(), { data: [] })).data;
}

async function byId(collection: Collection, id: string): Promise<Data | null> {
  return (await orEmpty(() => collection.doc(id).get(), { data: null })).data ?? null;
}

export function createDirectory(db: AdminDatabase, names: CollectionNames) {
  const users = () => db.collection(names.users);

  async function listUsers(limit: number): Promise<UserRow[]> {
    const found = await rows(users().orderBy('createdAt', 'desc').limit(limit));
    return found.filter(isUserDoc).map(toRow);
  }

  /**
   * By user id, identity key (`wx-openid:<appid>:<openid>`, `phone:+86:…`), the last 4 digits of
   * the phone, or part of the nickname (case-insensitive). Each match once, newest first.
   */
  async function searchUsers(text: string, limit: number): Promise<UserRow[]> {
    const found = new Map<string, UserDoc>();
    const add = (docs: Data[]) => {
      for (const doc of docs) if (isUserDoc(doc) && !found.has(doc._id)) found.set(doc._id, doc);
    };
    const exact = await byId(users(), text);
    if (exact) add([exact]);
    if (text.includes(':')) {
      const identity = await byId(db.collection(names.identities), text);
      if (identity && typeof identity.userId === 'string') {
        const owner = await byId(users(), identity.userId);
        if (owner) add([owner]);
      }
      add(await rows(users().where({ identityKeys: text }).limit(limit)));
    }
    if (/^\d{4}$/.test(text)) {
      add(
        await rows(
          users()
            .where({ 'boundPhone.purePhoneNumber': db.RegExp({ regexp: `${text}$` }) })
            .limit(limit),
        ),
      );
    }
    add(
      await rows(
        users()
          .where({ nickName: db.RegExp({ regexp: escapeRegExp(text), options: 'i' }) })
          .limit(limit),
      ),
    );
    return [...found.values()]
      .map(toRow)
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
      .slice(0, limit);
  }

  async function showUser(userId: string): Promise<UserDetails> {
    const data = await byId(users(), userId);
    if (!isUserDoc(data)) throw new AdminError('USER_NOT_FOUND', `没有这个用户 / no such user: ${userId}`);
    const _ = db.command;
    const [identities, merged, audit] = await Promise.all([
      rows(db.collection(names.identities).where({ userId }).limit(100)),
      rows(users().where({ mergedInto: userId }).limit(100)),
      rows(
        db
          .collection(names.audit)
          .where(_.or([{ userId }, { fromUserId: userId }, { toUserId: userId }]))
          .orderBy('at', 'desc')
          .limit(100),
      ),
    ]);
    return {
      user: { ...toRow(data), banReason: (data.banReason as BanReason | undefined) ?? null, mergedInto: data.mergedInto ?? null },
      identities: identities
        .filter((doc): doc is Data & IdentityDoc => typeof doc._id === 'string' && typeof doc.userId === 'string')
        .map(maskIdentity),
      mergedAccounts: merged.filter(isUserDoc).map(toRow),
      audit: audit as unknown as AuditEntry[],
    };
  }

  /**
   * Applies a ban or its lifting to one user, with its audit entry, in one transaction; with
   * `dryRun` only reads and answers what would change. Merged and being-deleted accounts are refused.
   */
  async function changeBan(
    userId: string,
    change: { action: 'ban'; reason: BanReason; until: Date | null } | { action: 'unban' },
    context: { operator: string; now: Date; dryRun: boolean },
  ): Promise<AdminChange> {
    const current = await byId(users(), userId);
    if (!isUserDoc(current)) throw new AdminError('USER_NOT_FOUND', `没有这个用户 / no such user: ${userId}`);
    const before = {
      status: statusOf(current),
      bannedUntil: date(current.bannedUntil),
      banReason: (current.banReason as BanReason | undefined) ?? null,
    };
    if (before.status === 'merged' || before.status === 'deleting')
      throw new AdminError(
        'USER_UNAVAILABLE',
        `该账号已${before.status === 'merged' ? '并入其他账号' : '在注销中'} / the account is ${before.status}`,
      );
    if (change.action === 'unban' && before.status !== 'banned')
      throw new AdminError('NOT_BANNED', `该账号未被封禁 / the account is not banned`);
    const after =
      change.action === 'ban'
        ? { status: 'banned' as const, bannedUntil: change.until, banReason: change.reason }
        : { status: 'active' as const, bannedUntil: null, banReason: null };
    if (context.dryRun) return { userId, action: change.action, before, after, written: false, auditId: null };

    const auditId = `admin:${context.now.getTime()}:${randomUUID().slice(0, 8)}`;
    const entry: AuditEntry = {
      _id: auditId,
      type: 'admin-action',
      at: context.now,
      operator: context.operator,
      action: change.action,
      userId,
      ...(change.action === 'ban' ? { reason: change.reason, until: change.until } : {}),
    };
    // Creating a collection is not transactional: make sure the audit collection exists first.
    await db.createCollection(names.audit).catch(() => undefined);
    const tx = await db.startTransaction();
    try {
      const fresh = (await tx.collection(names.users).doc(userId).get()).data;
      if (!isUserDoc(fresh) || fresh.status === 'merged' || fresh.status === 'deleting')
        throw new AdminError('USER_UNAVAILABLE', `该账号刚刚发生了变化，请重试 / the account changed meanwhile; run again`);
      const _ = db.command;
      const data: Data =
        change.action === 'ban'
          ? { status: 'banned', banReason: change.reason, bannedUntil: change.until ?? _.remove() }
          : { status: 'active', banReason: _.remove(), bannedUntil: _.remove() };
      await tx.collection(names.users).doc(userId).update({ data });
      const { _id, ...rest } = entry;
      await tx.collection(names.audit).doc(_id).set({ data: rest });
      await tx.commit();
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
    return { userId, action: change.action, before, after, written: true, auditId };
  }

  return { listUsers, searchUsers, showUser, changeBan };
}

export type Directory = ReturnType<typeof createDirectory>;

/**
 * The account an operator acts on (delete, export): refused when there is none, or when it was
 * merged into another (whose account is the person's now: act on that one).
 */
export async function accountToActOn(store: Pick<Store, 'getUser'>, userId: string, verb: { zh: string; en: string }): Promise<UserDoc> {
  const user = await store.getUser(userId);
  if (!user) throw new AdminError('USER_NOT_FOUND', `没有这个用户 / no such user: ${userId}`);
  if (user.status === 'merged')
    throw new AdminError(
      'USER_UNAVAILABLE',
      `该账号已并入 ${user.mergedInto ?? '其他账号'}，请${verb.zh}那个账号 / merged: ${verb.en} ${user.mergedInto}`,
    );
  return user;
}
