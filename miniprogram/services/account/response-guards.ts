import type {
  BindPhoneData,
  IdentityProvider,
  IdentitySummary,
  LinkOffer,
  LinkPreview,
  ProfileField,
  PublicUser,
  UnlinkIdentityData,
} from '../../../typings/contract';
import { isPublicUser } from '../auth/response-guards';

/**
 * Runtime checks of the account actions' answers (see services/auth/response-guards.ts for why).
 * The LinkOffer guard matters most: it arrives as the unchecked `details` of an error, and the page
 * renders it as the promise of what a link will do.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isArrayOf<T>(value: unknown, isItem: (item: unknown) => item is T): value is T[] {
  return Array.isArray(value) && value.every(isItem);
}

const PROVIDERS: readonly string[] = ['wechat', 'wechat-unionid', 'phone', 'other'] satisfies IdentityProvider[];
const PROFILE_FIELDS: readonly string[] = ['nickName', 'avatar'] satisfies ProfileField[];

export function isIdentityProvider(value: unknown): value is IdentityProvider {
  return typeof value === 'string' && PROVIDERS.includes(value);
}

function isProfileField(value: unknown): value is ProfileField {
  return typeof value === 'string' && PROFILE_FIELDS.includes(value);
}

export function isUserData(value: unknown): value is { user: PublicUser } {
  return isRecord(value) && isPublicUser(value.user);
}

export function isBindPhoneData(value: unknown): value is BindPhoneData {
  return isUserData(value) && typeof (value as Record<string, unknown>).phoneNumber === 'string';
}

export function isIdentitySummary(value: unknown): value is IdentitySummary {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    isIdentityProvider(value.provider) &&
    typeof value.display === 'string' &&
    (value.appid === undefined || typeof value.appid === 'string') &&
    typeof value.current === 'boolean' &&
    typeof value.canUnlink === 'boolean' &&
    isTimestamp(value.linkedAt)
  );
}

export function isIdentityList(value: unknown): value is { identities: IdentitySummary[] } {
  return isRecord(value) && isArrayOf(value.identities, isIdentitySummary);
}

export function isUnlinkIdentityData(value: unknown): value is UnlinkIdentityData {
  return isIdentityList(value) && typeof (value as Record<string, unknown>).signedOut === 'boolean';
}

export function isDeleteAccountData(value: unknown): value is { deleted: true } {
  return isRecord(value) && value.deleted === true;
}

function isLinkPreview(value: unknown): value is LinkPreview {
  if (!isRecord(value) || !isRecord(value.target)) return false;
  const { target } = value;
  return (
    typeof target.maskedPhoneNumber === 'string' &&
    typeof target.nickName === 'string' &&
    typeof target.hasAvatar === 'boolean' &&
    isTimestamp(target.createdAt) &&
    isArrayOf(value.movingIdentities, isIdentityProvider) &&
    isArrayOf(value.filledFields, isProfileField) &&
    isArrayOf(value.keptFields, isProfileField) &&
    typeof value.releasedPhoneNumber === 'string'
  );
}

/** The `details` of PHONE_BELONGS_TO_ANOTHER_ACCOUNT, or false for anything else. */
export function isLinkOffer(value: unknown): value is LinkOffer {
  return (
    isRecord(value) &&
    isLinkPreview(value.preview) &&
    typeof value.ticket === 'string' &&
    value.ticket !== '' &&
    isTimestamp(value.expiresAt)
  );
}
