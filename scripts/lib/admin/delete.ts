/**
 * `npm run admin -- delete <id> --yes`: deletes an account on request through the very code that
 * runs a person's own 注销 (actions/delete-account.ts, deleteUserAccount) on the CloudBase store of
 * cloudbase/cloudbase-store.ts — same order, same transaction, same `account-deleted` entry, same
 * avatar-file cleanup. What differs is only who asks: the operator's `admin-action` entry is
 * written once the deletion has committed.
 *
 * Without --yes (or with --dry-run) it reads the plan and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { deleteUserAccount } from '../../../cloudfunctions/login/src/actions/shared/account-deletion';
import { createUserDataStore } from '@wx-cloud-login/server-auth/src/user-data';
import { type CloudServicesSdk, createCloudServices } from '../../../cloudfunctions/login/src/cloudbase/cloud-services';
import { type CollectionNames, createCloudbaseStore, type DatabaseLike } from '../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { UserDoc } from '../../../cloudfunctions/login/src/model';
import { cloudPathIn } from '../../../cloudfunctions/login/src/rules/avatar-file';
import { activeBan } from '../../../cloudfunctions/login/src/rules/ban';
import { AppError } from '../../../cloudfunctions/login/src/rules/errors';
import { parseOpenidKey } from '../../../cloudfunctions/login/src/rules/identity';
import { accountToActOn, AdminError, maskIdentity, type MaskedIdentity } from './directory';

/** What a deletion removes (or removed). */
export interface DeletionPlan {
  userId: string;
  action: 'delete';
  identities: MaskedIdentity[];
  mergedAccountIds: string[];
  avatarFiles: number;
  /** False: only the plan (no --yes, or --dry-run). */
  written: boolean;
  /** The operator's entry, once written. */
  auditId: string | null;
}

export interface DeletionContext {
  operator: string;
  now: Date;
  /** The CloudBase environment id: avatar files of another environment are not this one's to delete. */
  env: string;
  /** Write: --yes given and no --dry-run. */
  write: boolean;
  warn: (message: string) => void;
}

function openidsOf(user: UserDoc): string[] {
  return (user.identityKeys ?? []).flatMap((key) => parseOpenidKey(key)?.openid ?? []);
}

export async function deleteByAdmin(
  db: DatabaseLike,
  sdk: CloudServicesSdk,
  names: CollectionNames,
  userId: string,
  context: DeletionContext,
): Promise<DeletionPlan> {
  const store = createCloudbaseStore(db, names, context.warn);
  const user = await accountToActOn(store, userId, { zh: '注销', en: 'delete' });
  if (activeBan(user, context.now))
    throw new AdminError('USER_UNAVAILABLE', '该账号封禁中，注销与本人注销一样不允许；需要时先 unban / banned: unban first');

  const merged = await store.usersMergedInto(userId);
  const owned = await store.identitiesOf([userId, ...merged.map((doc) => doc._id)]);
  const avatarFiles = new Set(
    [user, ...merged]
      .map((doc) => doc.avatarFileID)
      .filter((id): id is string => typeof id === 'string' && cloudPathIn(context.env, id) !== null),
  ).size;
  const plan: DeletionPlan = {
    userId,
    action: 'delete',
    identities: owned.map(maskIdentity),
    mergedAccountIds: merged.map((doc) => doc._id),
    avatarFiles,
    written: false,
    auditId: null,
  };
  if (!context.write) return plan;

  const files = createCloudServices(sdk, () => context.now).files;
  const warn = (message: string, detail?: unknown) => context.warn(detail === undefined ? message : `${message}: ${String(detail)}`);
  try {
    // Per-user data of the app's other functions (notes, …) goes too, as in the person's own 注销.
    const userData = createUserDataStore(db as unknown as Parameters<typeof createUserDataStore>[0]);
    await deleteUserAccount(
      user,
      { store, files, now: () => context.now, warn, userData },
      { legacyOpenids: openidsOf(user), env: context.env, undoOnFailure: true },
    );
  } catch (error) {
    if (error instanceof AppError) throw new AdminError('USER_UNAVAILABLE', `${error.code}: ${error.message}`);
    throw error;
  }
  const auditId = `admin:${context.now.getTime()}:${randomUUID().slice(0, 8)}`;
  await store.putAudit({ _id: auditId, type: 'admin-action', at: context.now, operator: context.operator, action: 'delete', userId });
  return { ...plan, written: true, auditId };
}

export function deletionText(plan: DeletionPlan): string {
  const head = plan.written ? `已注销 ${plan.userId}` : `[未写入 / nothing written] 将注销 ${plan.userId}`;
  const lines = [
    head,
    `  登录方式 identities:      ${plan.identities.length}${plan.identities.length > 0 ? `（${plan.identities.map((identity) => `${identity.provider} ${identity.display}`).join('，')}）` : ''}`,
    `  并入的账号 merged:        ${plan.mergedAccountIds.length}${plan.mergedAccountIds.length > 0 ? `（${plan.mergedAccountIds.join('，')}）` : ''}`,
    `  头像文件 avatar files:    ${plan.avatarFiles}`,
    '  保留 kept: 一条不含个人信息的注销审计记录 / one account-deleted audit entry without personal data',
  ];
  if (plan.auditId) lines.push(`  审计记录 audit entry: ${plan.auditId}`);
  return `${lines.join('\n')}\n`;
}
