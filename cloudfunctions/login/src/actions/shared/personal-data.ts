/**
 * Reading what the personal-data export holds (rules/personal-data.ts builds it): the account's
 * identities, the accounts merged into it, the audit entries naming it and its per-user data, in
 * one round trip of parallel requests (two when accounts were merged into it: their data too). exportMyData and `npm run admin -- export` both call it,
 * so a person and an operator get the same document.
 */
import type { PersonalDataExport } from '../../../../../typings/contract';
import type { UserDataDocuments } from '@wx-cloud-login/server-auth/src/user-data';
import type { UserDoc } from '../../model';
import type { Deps } from '../../ports';
import { buildPersonalDataExport } from '../../rules/personal-data';

/** Audit entries one export carries at most (newest first); an account has a handful. */
export const EXPORT_AUDIT_LIMIT = 200;

export async function collectPersonalData(user: UserDoc, deps: Pick<Deps, 'store' | 'userData'>, now: Date): Promise<PersonalDataExport> {
  const [identities, merged, audit, own] = await Promise.all([
    deps.store.identitiesOf([user._id]),
    deps.store.usersMergedInto(user._id),
    deps.store.auditEntriesAbout(user._id, EXPORT_AUDIT_LIMIT),
    deps.userData.listAll([user._id]),
  ]);
  // Data still under an account merged into this one (a link whose move is not finished yet) is
  // this person's too: one more round trip, only for accounts that have merged ones.
  const data = merged.length === 0 ? own : joinCollections(own, await deps.userData.listAll(merged.map((doc) => doc._id)));
  return buildPersonalDataExport({ user, identities, merged, audit, data }, now);
}

function joinCollections(first: UserDataDocuments[], second: UserDataDocuments[]): UserDataDocuments[] {
  return first.map((entry) => ({
    ...entry,
    documents: [...entry.documents, ...(second.find((other) => other.collection === entry.collection)?.documents ?? [])],
  }));
}
