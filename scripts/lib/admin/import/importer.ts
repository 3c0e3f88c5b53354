/**
 * Imports people from another login system into this project's users and identities, so that
 * their next login through the mini-program signs in to the imported account (one round trip, as
 * any returning login).
 *
 * In chunks, each with a few bulk requests (a person-at-a-time transaction would take minutes for
 * ten thousand people):
 *   1. read the identity documents of every key of the chunk and the users of their import ids;
 *   2. decide per person: new, already imported, or a conflict (this openid or unionid signs in to
 *      another user already: reported, never merged silently — a phone number held elsewhere is
 *      left out and noted);
 *   3. insert the new users, then their identity documents.
 * The user id is derived from the source record (`lc-<objectId>`, `uni-<_id>`) and every stored
 * value from the source, so a second run writes nothing and a run cut short anywhere is finished
 * by running it again: a user inserted without its identities is completed, and until then the
 * login finds it by its identityKeys. A person is never half-imported from the login's point of
 * view: the user document, complete, is written before anything points at it.
 */
import type { CollectionNames } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { orEmpty } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import { identityKeysFor } from '../../../../cloudfunctions/login/src/rules/identity';
import { phoneIdentityKey } from '../../../../cloudfunctions/login/src/rules/phone';
import { providerOf } from '../../../../cloudfunctions/login/src/rules/identity-summary';
import type { SourceName, SourcePerson } from './sources';

type Data = Record<string, unknown>;

/** The part of wx-server-sdk's database the importer uses. */
export interface ImportDatabase {
  collection(name: string): {
    where(condition: Data): { limit(count: number): { get(): Promise<{ data: Data[] }> } };
    add(options: { data: Data[] }): Promise<unknown>;
    doc(id: string): { set(options: { data: Data }): Promise<unknown> };
  };
  createCollection(name: string): Promise<unknown>;
  command: { in(values: unknown[]): unknown };
}

export interface ImportReport {
  source: SourceName;
  appid: string;
  dryRun: boolean;
  total: number;
  imported: number;
  alreadyPresent: number;
  /** Sign-in identities that belong to another user: the person was not imported. */
  conflicts: Array<{ sourceId: string; reason: string }>;
  /** Records that are not mini-program users of this appid, or unreadable. */
  skipped: Array<{ sourceId: string; reason: string }>;
  /** Imported, but without their phone number (another user holds it). */
  phonesLeftOut: string[];
}

/** People per chunk: 3 keys each stays under the 1000 documents one query answers. */
const CHUNK = 300;
const PREFIX: Record<SourceName, string> = { leancloud: 'lc', 'uni-id': 'uni' };

export function importedUserId(source: SourceName, sourceId: string): string {
  return `${PREFIX[source]}-${sourceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

interface Planned {
  person: SourcePerson;
  userId: string;
  keys: string[];
  phoneKey: string | null;
}

function plan(person: SourcePerson, source: SourceName, appid: string): Planned {
  const wx = identityKeysFor({ appid, openid: person.openid, ...(person.unionid ? { unionid: person.unionid } : {}) });
  const phoneKey = person.phone ? phoneIdentityKey(person.phone) : null;
  return { person, userId: importedUserId(source, person.sourceId), keys: wx.all, phoneKey };
}

function userDocument(planned: Planned, keys: string[], source: SourceName, fallbackCreatedAt: Date): Data {
  const { person } = planned;
  const createdAt = person.createdAt ?? fallbackCreatedAt;
  const phone = person.phone && planned.phoneKey && keys.includes(planned.phoneKey) ? person.phone : null;
  return {
    _id: planned.userId,
    identityKeys: keys,
    status: person.disabled ? 'banned' : 'active',
    ...(person.disabled ? { banReason: 'other' } : {}),
    // The WeChat account as a unit (the openid seen with its unionid), as a login records it.
    ...(person.unionid
      ? {
          wechatPairs: [
            {
              openidKey: planned.keys.find((key) => key.startsWith('wx-openid:')),
              unionidKey: planned.keys.find((key) => key.startsWith('wx-unionid:')),
            },
          ],
        }
      : {}),
    nickName: person.nickName.slice(0, 20),
    avatarUrl: person.avatarUrl,
    createdAt,
    loginCount: 0,
    ...(phone ? { boundPhone: { ...phone, key: planned.phoneKey, boundAt: createdAt } } : {}),
    importedFrom: { source, id: person.sourceId },
  };
}

async function existing(db: ImportDatabase, collection: string, ids: string[]): Promise<Map<string, Data>> {
  if (ids.length === 0) return new Map();
  const { data } = await orEmpty(
    () =>
      db
        .collection(collection)
        .where({ _id: db.command.in(ids) })
        .limit(1000)
        .get(),
    { data: [] as Data[] },
  );
  return new Map(data.filter((doc) => typeof doc._id === 'string').map((doc) => [doc._id as string, doc]));
}

export interface ImportOptions {
  source: SourceName;
  appid: string;
  dryRun: boolean;
  /** Used for createdAt when a source record has none (a stable value keeps re-runs identical). */
  fallbackCreatedAt: Date;
  onProgress?: (done: number, total: number) => void;
}

export async function importPeople(
  db: ImportDatabase,
  names: CollectionNames,
  read: Array<{ ok: true; person: SourcePerson } | { ok: false; sourceId: string; reason: string }>,
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = {
    source: options.source,
    appid: options.appid,
    dryRun: options.dryRun,
    total: read.length,
    imported: 0,
    alreadyPresent: 0,
    conflicts: [],
    skipped: [],
    phonesLeftOut: [],
  };
  const people: Planned[] = [];
  const seen = new Set<string>();
  for (const record of read) {
    if (!record.ok) report.skipped.push({ sourceId: record.sourceId, reason: record.reason });
    else if (seen.has(record.person.openid))
      report.skipped.push({ sourceId: record.person.sourceId, reason: 'the same openid appears earlier in the file' });
    else {
      seen.add(record.person.openid);
      people.push(plan(record.person, options.source, options.appid));
    }
  }
  if (!options.dryRun) {
    await db.createCollection(names.users).catch(() => undefined);
    await db.createCollection(names.identities).catch(() => undefined);
  }
  let done = report.skipped.length;
  options.onProgress?.(done, report.total);
  for (let start = 0; start < people.length; start += CHUNK) {
    const chunk = people.slice(start, start + CHUNK);
    await importChunk(db, names, chunk, options, report);
    done += chunk.length;
    options.onProgress?.(done, report.total);
  }
  return report;
}

async function importChunk(db: ImportDatabase, names: CollectionNames, chunk: Planned[], options: ImportOptions, report: ImportReport) {
  const allKeys = chunk.flatMap((planned) => [...planned.keys, ...(planned.phoneKey ? [planned.phoneKey] : [])]);
  const [identities, users] = await Promise.all([
    existing(db, names.identities, allKeys),
    existing(
      db,
      names.users,
      chunk.map((planned) => planned.userId),
    ),
  ]);
  const newUsers: Data[] = [];
  const newIdentities: Data[] = [];
  const claimedInChunk = new Set<string>();
  for (const planned of chunk) {
    const ownerOf = (key: string) => identities.get(key)?.userId;
    const repeated = planned.keys.filter((key) => claimedInChunk.has(key));
    if (repeated.length > 0) {
      report.conflicts.push({
        sourceId: planned.person.sourceId,
        reason: `${repeated.map(providerOf).join(', ')} appears on an earlier record of the file`,
      });
      continue;
    }
    const foreign = planned.keys.filter((key) => ownerOf(key) !== undefined && ownerOf(key) !== planned.userId);
    if (foreign.length > 0) {
      report.conflicts.push({
        sourceId: planned.person.sourceId,
        reason: `${foreign.map(providerOf).join(', ')} already signs in to another user (${foreign.map(ownerOf).join(', ')})`,
      });
      continue;
    }
    const phoneOwner = planned.phoneKey ? ownerOf(planned.phoneKey) : undefined;
    const phoneFree =
      planned.phoneKey !== null && !claimedInChunk.has(planned.phoneKey) && (phoneOwner === undefined || phoneOwner === planned.userId);
    if (planned.phoneKey && !phoneFree) report.phonesLeftOut.push(planned.person.sourceId);
    const keys = phoneFree && planned.phoneKey ? [...planned.keys, planned.phoneKey] : planned.keys;
    const user = users.get(planned.userId);
    const missingKeys = keys.filter((key) => ownerOf(key) !== planned.userId);
    if (user && missingKeys.length === 0) {
      report.alreadyPresent += 1;
      continue;
    }
    for (const key of keys) claimedInChunk.add(key);
    const storedKeys = user && Array.isArray(user.identityKeys) ? (user.identityKeys as string[]) : keys;
    if (!user) newUsers.push(userDocument(planned, keys, options.source, options.fallbackCreatedAt));
    const createdAt = planned.person.createdAt ?? options.fallbackCreatedAt;
    for (const key of missingKeys.filter((key) => storedKeys.includes(key))) {
      // The key's prefix, as the login function's claim writes it (cloudbase-store.ts claimIdentity).
      newIdentities.push({ _id: key, userId: planned.userId, provider: key.slice(0, key.indexOf(':')), createdAt });
    }
    report.imported += 1;
  }
  if (options.dryRun) return;
  // Users first, complete: nothing points at a user before its document exists.
  if (newUsers.length > 0) await db.collection(names.users).add({ data: newUsers });
  if (newIdentities.length > 0) await db.collection(names.identities).add({ data: newIdentities });
}
