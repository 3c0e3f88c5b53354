/**
 * What linking an account into another does, as a pure function of the two user documents and the
 * identities the abandoned one owns. bindPhone shows it as a preview; confirmLink recomputes it
 * inside its transaction from what the database holds then, and writes it.
 *
 * Rules:
 *   - every identity of the source moves to the target, except phone numbers when the target has
 *     one (one number per account: the target's is kept, the source's is released for reuse);
 *   - the source's WeChat pairs (which openid came with which unionid) move with its keys, so its
 *     WeChat accounts stay whole units in the target (one row each, unlinked as one);
 *   - profile fields: the target's values win, empty ones are filled from the source;
 *   - the source document is kept, marked `status: 'merged', mergedInto`, with its profile intact
 *     (nothing deleted) and no identity keys (nothing signs in to it any more).
 */
import type { IdentityProvider, LinkPreview, ProfileField } from '../../../../typings/contract';
import type { UserDoc } from '../model';
import { isPhoneKey, maskPhoneNumber, parsePhoneKey, readBoundPhone } from './phone';
import { avatarFieldsOf, hasAvatar, nickNameOf } from './profile';
import { providerOf, readWechatPairs } from './identity-summary';

export interface MergePlan {
  movedKeys: string[];
  releasedKeys: string[];
  /** Fields to set on the target (identityKeys is the complete new list). */
  targetSet: Partial<UserDoc> & { identityKeys: string[] };
  filledFields: ProfileField[];
  keptFields: ProfileField[];
}

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}

/** `sourceKeys`: the identity keys whose identities point at the source. */
export function planMerge(source: UserDoc, target: UserDoc, sourceKeys: string[]): MergePlan {
  const targetKeys = target.identityKeys ?? [];
  const targetHasPhone = targetKeys.some(isPhoneKey) || readBoundPhone(target.boundPhone) !== null;
  const releasedKeys = targetHasPhone ? unique(sourceKeys.filter(isPhoneKey)) : [];
  const movedKeys = unique(sourceKeys.filter((key) => !releasedKeys.includes(key) && !targetKeys.includes(key)));

  const targetSet: MergePlan['targetSet'] = { identityKeys: unique([...targetKeys, ...movedKeys]) };
  const movedPairs = readWechatPairs(source.wechatPairs).filter((pair) => movedKeys.includes(pair.openidKey));
  if (movedPairs.length > 0) {
    const kept = readWechatPairs(target.wechatPairs).filter((pair) => !movedPairs.some((moved) => moved.openidKey === pair.openidKey));
    targetSet.wechatPairs = [...kept, ...movedPairs];
  }
  const filledFields: ProfileField[] = [];
  const keptFields: ProfileField[] = [];

  const sourceName = nickNameOf(source);
  if (sourceName !== '') {
    if (nickNameOf(target) === '') {
      targetSet.nickName = sourceName;
      filledFields.push('nickName');
    } else {
      keptFields.push('nickName');
    }
  }
  if (hasAvatar(source)) {
    if (!hasAvatar(target)) {
      Object.assign(targetSet, avatarFieldsOf(source));
      filledFields.push('avatar');
    } else {
      keptFields.push('avatar');
    }
  }
  if (!targetHasPhone) {
    const phone = readBoundPhone(source.boundPhone);
    if (phone && movedKeys.includes(phone.key)) targetSet.boundPhone = phone;
  }
  return { movedKeys, releasedKeys, targetSet, filledFields, keptFields };
}

/** The target's phone as the preview shows it: from its bound phone, else from its phone identity. */
function targetPhone(target: UserDoc, targetPhoneKey: string): string {
  const phone = readBoundPhone(target.boundPhone) ?? parsePhoneKey(targetPhoneKey);
  return phone ? maskPhoneNumber(phone) : '';
}

export function previewOf(plan: MergePlan, target: UserDoc, targetPhoneKey: string): LinkPreview {
  const releasedPhone = plan.releasedKeys.map(parsePhoneKey).find((phone) => phone !== null);
  return {
    target: {
      maskedPhoneNumber: targetPhone(target, targetPhoneKey),
      nickName: nickNameOf(target),
      hasAvatar: hasAvatar(target),
      createdAt: target.createdAt instanceof Date ? target.createdAt.getTime() : 0,
    },
    movingIdentities: plan.movedKeys.map((key): IdentityProvider => providerOf(key)),
    filledFields: plan.filledFields,
    keptFields: plan.keptFields,
    releasedPhoneNumber: releasedPhone ? maskPhoneNumber(releasedPhone) : '',
  };
}
