/**
 * Identities as the person sees them (listIdentities) and the rule of unlinkIdentity: never
 * leave an account without a way to sign in.
 *
 * The current WeChat is one unit: its openid key and unionid key re-attach each other at the next
 * login (login.ts attaches whatever key of the caller is missing), so unlinking either unlinks both.
 */
import { createHash } from 'node:crypto';
import type { IdentityProvider, IdentitySummary } from '../../../../typings/contract';
import { IDENTITY_PROVIDERS } from '../../../../miniprogram/contract/lists';
import type { IdentityDoc } from '../model';
import { type IdentityKeys, parseOpenidKey, parseUnionidKey } from './identity';
import { maskPhoneNumber, parsePhoneKey } from './phone';

export interface OwnedIdentity {
  key: string;
  createdAt: Date | null;
}

/** The contract's list is in display order. */
const PROVIDER_ORDER: readonly IdentityProvider[] = IDENTITY_PROVIDERS;

export function providerOf(key: string): IdentityProvider {
  if (key.startsWith('wx-openid:')) return 'wechat';
  if (key.startsWith('wx-unionid:')) return 'wechat-unionid';
  if (key.startsWith('phone:')) return 'phone';
  return 'other';
}

/**
 * The id listIdentities shows and unlinkIdentity takes: a hash of the key salted with the user id,
 * so it reveals neither the openid nor the number and correlates nothing across accounts.
 */
export function identityIdFor(userId: string, key: string): string {
  return createHash('sha256').update(`${userId}\n${key}`).digest('hex').slice(0, 24);
}

/** 'oAbC****wXyZ': enough to tell two apart, not enough to use. */
export function maskToken(text: string): string {
  if (text.length <= 12) return '****';
  return `${text.slice(0, 4)}****${text.slice(-4)}`;
}

function describe(key: string): { display: string; appid?: string } {
  const provider = providerOf(key);
  if (provider === 'wechat') {
    const parsed = parseOpenidKey(key);
    return parsed ? { display: maskToken(parsed.openid), appid: parsed.appid } : { display: '' };
  }
  if (provider === 'wechat-unionid') return { display: maskToken(parseUnionidKey(key) ?? '') };
  if (provider === 'phone') {
    const phone = parsePhoneKey(key);
    return { display: phone ? maskPhoneNumber(phone) : '' };
  }
  // Another client's provider: show its name only ('email'), never the identifier.
  const colon = key.indexOf(':');
  return { display: colon > 0 ? key.slice(0, colon) : '' };
}

function isWechatKey(key: string): boolean {
  const provider = providerOf(key);
  return provider === 'wechat' || provider === 'wechat-unionid';
}

/**
 * The keys unlinking `key` removes. While the account holds a unionid, every WeChat identity goes
 * together: an app's openid unlinked alone would come back through the unionid at that app's next
 * login. Otherwise the current WeChat goes as a whole for one of its keys, anything else alone.
 */
export function unlinkGroup(key: string, owned: OwnedIdentity[], caller: IdentityKeys): string[] {
  const keys = owned.map((identity) => identity.key);
  if (isWechatKey(key) && keys.some((ownedKey) => providerOf(ownedKey) === 'wechat-unionid')) return keys.filter(isWechatKey);
  if (!caller.all.includes(key)) return [key];
  return keys.filter((ownedKey) => caller.all.includes(ownedKey));
}

export function summarizeIdentities(userId: string, owned: OwnedIdentity[], caller: IdentityKeys): IdentitySummary[] {
  return owned
    .map((identity): IdentitySummary => {
      const group = unlinkGroup(identity.key, owned, caller);
      return {
        id: identityIdFor(userId, identity.key),
        provider: providerOf(identity.key),
        ...describe(identity.key),
        current: caller.all.includes(identity.key),
        canUnlink: owned.length - group.length > 0,
        linkedAt: identity.createdAt?.getTime() ?? 0,
      };
    })
    .sort(
      (a, b) =>
        PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider) ||
        Number(b.current) - Number(a.current) ||
        a.linkedAt - b.linkedAt,
    );
}

/** The identity documents of a user as the summary reads them (the identities collection is the truth). */
export function ownedIdentities(docs: IdentityDoc[]): OwnedIdentity[] {
  return docs.map((doc) => ({ key: doc._id, createdAt: doc.createdAt instanceof Date ? doc.createdAt : null }));
}
