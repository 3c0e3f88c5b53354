/**
 * Imports people from another login system into this project's users and identities, so that
 * their next login through the mini-program signs in to the imported account (one round trip, as
 * any returning login).
 *
 * One rule keeps a person from ever having two homes: as in the login (actions/login.ts), an
 * account lists a sign-in key only once the identity document of that key — the claim, an insert
 * with the key as its unique `_id` — points at it. So, for the people of a chunk (a few bulk
 * requests each; a transaction per person would take minutes for ten thousand):
 *   1. read the identity documents of their keys, the users of their import ids, and the
 *      deletions (注销) of those ids;
 *   2. decide per person: new, already imported, or a conflict (a key already signs in to another
 *      user, or the import id is another user's: reported per record, never merged — a phone
 *      number held elsewhere is left out and noted);
 *   3. claim the primary key of each (the unionid key when there is one, as the login does); a
 *      person whose claim a login won meanwhile is a conflict and nothing of theirs is written;
 *   4. claim their other keys; one a login won meanwhile is left out (noted, as the login notes it);
 *   5. insert the users, listing exactly the keys won. A user a login already inserted under that
 *      id (it found the claim before the user: loginAsOwner) is completed with the imported
 *      profile where it has none;
 *   6. read the deletions again: a person who signed in and deleted their account (注销) between
 *      1 and 5 left an audit entry naming the id; the user 5 re-created and the claims made after
 *      the deletion are removed at once (a later run removes them if this one is cut short);
 *   7. activate the others. Users are written 'importing' in 5 and nothing acts under them before
 *      this (server-auth resolve-user.ts answers USER_NOT_FOUND), so a person who deleted the
 *      account and signed in again between 5 and 6 never writes into the re-created one: their
 *      login makes the check of 6 for that one id itself (login's shared/imported-account.ts),
 *      removes it and starts a fresh account. A run cut short before 7 strands nobody: the
 *      person's next login, the next run and `npm run admin -- cleanup` each finish it.
 * A login racing the import therefore lands either in its own new account (the import reports the
 * person as a conflict) or in the imported one — never a second account holding the same keys,
 * nickname or phone. An imported user no claim of the caller points at is never signed in to
 * (server-auth client-written.ts), and one still 'importing' is never acted under, so what a run
 * cut short between 5 and 7 leaves is inert until a login, the next run or a cleanup settles it. An account deleted by its owner is never imported again: its
 * deletion's audit entry names its id.
 *
 * The user id is derived from the source record (`lc-<objectId>`, `uni-<_id>`) and every stored
 * value from the source, so a second run writes nothing and a run cut short anywhere is finished
 * by running it again: claims without their user are completed (until then a login that finds
 * such a claim creates the user, which the next run completes). Ids that become equal once
 * normalised are reported per record and the rest of the file is imported.
 *
 * `--dry-run` takes the same decisions on the same reads, counting what earlier chunks would have
 * claimed as claimed, so its report is the real run's (unless someone logs in meanwhile).
 */
import { isDuplicateKeyError, orEmpty } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import {
  type CollectionNames,
  createCloudbaseStore,
  type DatabaseLike,
} from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { UserDoc } from '../../../../cloudfunctions/login/src/model';
import type { UserPatch } from '../../../../cloudfunctions/login/src/ports';
import { type IdentityKeys, identityKeysFor } from '../../../../cloudfunctions/login/src/rules/identity';
import { providerOf } from '../../../../cloudfunctions/login/src/rules/identity-summary';
import { phoneIdentityKey } from '../../../../cloudfunctions/login/src/rules/phone';
import { cleanPerson, shownId } from './clean';
import { deletedAccounts } from './deletions';
import { inParallel } from './parallel';
import type { ReadRecord, SourceName, SourcePerson } from './sources';

type Data = Record<string, unknown>;

interface QueryLike {
  limit(count: number): { get(): Promise<{ data: Data[] }> };
  remove(): Promise<unknown>;
  update(options: { data: Data }): Promise<unknown>;
}

/** The part of wx-server-sdk's database the importer uses (and the login's store on it). */
export interface ImportDatabase {
  collection(name: string): {
    where(condition: Data): QueryLike;
    add(options: { data: Data[] }): Promise<unknown>;
  };
  createCollection(name: string): Promise<unknown>;
  command: { in(values: unknown[]): unknown; remove(): unknown };
}

export interface ImportReport {
  source: SourceName;
  appid: string;
  dryRun: boolean;
  total: number;
  imported: number;
  alreadyPresent: number;
  /**
   * Not imported because of someone else: a sign-in identity or the import id belongs to another
   * user (or to an earlier record of the file). Never merged.
   */
  conflicts: Array<{ sourceId: string; reason: string }>;
  /** Records that are not mini-program users of this appid, unreadable, or refused by the cleaning rules. */
  skipped: Array<{ sourceId: string; reason: string }>;
  /** Imported, but without their phone number (another user or an earlier record holds it). */
  phonesLeftOut: string[];
  /** Imported with values the login's rules changed or dropped (clean.ts): which fields. */
  cleaned: Array<{ sourceId: string; fields: string[] }>;
  /** Imported without a sign-in key a login took during the run (recorded on the user as the login records it). */
  keysLeftOut: Array<{ sourceId: string; reason: string }>;
}

/** People per chunk: 3 keys each stays under the 1000 documents one query answers. */
export const IMPORT_CHUNK_SIZE = 300;
const PAGE = 1000;
/** Claims or inserts retried one at a time, this many at once, after a bulk insert met a login's. */
const PARALLEL_RETRIES = 25;
const PREFIX: Record<SourceName, string> = { leancloud: 'lc', 'uni-id': 'uni' };

export function importedUserId(source: SourceName, sourceId: string): string {
  return `${PREFIX[source]}-${sourceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

interface Planned {
  person: SourcePerson;
  userId: string;
  keys: IdentityKeys;
  phoneKey: string | null;
  cleaned: string[];
}

/** A person of a chunk to write, and what the write found. */
interface Write {
  planned: Planned;
  /** The user document found before the run wrote anything, if any. */
  user: Data | undefined;
  /** The keys (primary first) this person is imported with, before the claims. */
  keys: string[];
  toClaim: string[];
  /** Keys a login took during the run. */
  lost: string[];
}

export interface ImportOptions {
  source: SourceName;
  appid: string;
  dryRun: boolean;
  /** Used for createdAt when a source record has none (a stable value keeps re-runs identical). */
  fallbackCreatedAt: Date;
  onProgress?: (done: number, total: number) => void;
}

interface Run {
  db: ImportDatabase;
  names: CollectionNames;
  options: ImportOptions;
  report: ImportReport;
  store: ReturnType<typeof createCloudbaseStore>;
  /** Keys this run claimed (or, with --dry-run, would have claimed), and for whom. */
  claimed: Map<string, string>;
}

export async function importPeople(
  db: ImportDatabase,
  names: CollectionNames,
  read: ReadRecord[],
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
    cleaned: [],
    keysLeftOut: [],
  };
  const people = planFile(read, options, report);
  const run: Run = { db, names, options, report, store: createCloudbaseStore(db as unknown as DatabaseLike, names), claimed: new Map() };
  if (!options.dryRun) {
    await db.createCollection(names.users).catch(() => undefined);
    await db.createCollection(names.identities).catch(() => undefined);
  }
  let done = read.length - people.length;
  options.onProgress?.(done, report.total);
  for (let start = 0; start < people.length; start += IMPORT_CHUNK_SIZE) {
    const chunk = people.slice(start, start + IMPORT_CHUNK_SIZE);
    const { writes, leftBehind, toActivate } = await decideChunk(run, chunk);
    if (!options.dryRun) {
      await inParallel(leftBehind, PARALLEL_RETRIES, ({ userId, keys }) => removeWritten(run, userId, keys));
      await writeChunk(run, writes);
      await activate(run, toActivate);
    }
    done += chunk.length;
    options.onProgress?.(done, report.total);
  }
  return report;
}

/** What the file alone decides: unreadable and refused records, repeated keys, colliding ids. */
function planFile(read: ReadRecord[], options: ImportOptions, report: ImportReport): Planned[] {
  const people: Planned[] = [];
  const userIds = new Map<string, string>();
  const keyRecords = new Map<string, string>();
  const phones = new Set<string>();
  for (const record of read) {
    if (!record.ok) {
      report.skipped.push({ sourceId: shownId(record.sourceId), reason: record.reason });
      continue;
    }
    const clean = cleanPerson(record.person);
    if (!clean.ok) {
      report.skipped.push({ sourceId: shownId(record.person.sourceId), reason: clean.reason });
      continue;
    }
    const { person } = clean;
    const sourceId = shownId(person.sourceId);
    const userId = importedUserId(options.source, person.sourceId);
    const keys = identityKeysFor({ appid: options.appid, openid: person.openid, ...(person.unionid ? { unionid: person.unionid } : {}) });
    const sameId = userIds.get(userId);
    if (sameId !== undefined) {
      report.conflicts.push({
        sourceId,
        reason: `its id becomes ${userId} once normalised, as that of the earlier record ${shownId(sameId)}: not imported`,
      });
      continue;
    }
    if (keyRecords.has(keys.openid)) {
      report.skipped.push({ sourceId, reason: 'the same openid appears earlier in the file' });
      continue;
    }
    const repeated = keys.all.filter((key) => keyRecords.has(key));
    if (repeated.length > 0) {
      report.conflicts.push({
        sourceId,
        reason: `${repeated.map(providerOf).join(', ')} appears on an earlier record of the file (${repeated.map((key) => shownId(keyRecords.get(key) ?? '')).join(', ')})`,
      });
      continue;
    }
    userIds.set(userId, person.sourceId);
    for (const key of keys.all) keyRecords.set(key, person.sourceId);
    let phoneKey = person.phone ? phoneIdentityKey(person.phone) : null;
    if (phoneKey !== null && phones.has(phoneKey)) {
      report.phonesLeftOut.push(sourceId);
      phoneKey = null;
    } else if (phoneKey !== null) phones.add(phoneKey);
    people.push({ person, userId, keys, phoneKey, cleaned: clean.cleaned });
  }
  return people;
}

async function existing(db: ImportDatabase, collection: string, ids: string[]): Promise<Map<string, Data>> {
  if (ids.length === 0) return new Map();
  const pages = await Promise.all(
    Array.from({ length: Math.ceil(ids.length / PAGE) }, (_page, index) =>
      orEmpty(
        () =>
          db
            .collection(collection)
            .where({ _id: db.command.in(ids.slice(index * PAGE, (index + 1) * PAGE)) })
            .limit(PAGE)
            .get(),
        { data: [] as Data[] },
      ),
    ),
  );
  return new Map(
    pages
      .flatMap((page) => page.data)
      .filter((doc) => typeof doc._id === 'string')
      .map((doc) => [doc._id as string, doc]),
  );
}

function isImportOf(user: Data, source: SourceName, sourceId: string): boolean {
  const from = user.importedFrom as { source?: unknown; id?: unknown } | undefined;
  return from?.source === source && from.id === sourceId;
}

/** Decides every person of the chunk from one read of the database; reports all but what the writes find. */
async function decideChunk(
  run: Run,
  chunk: Planned[],
): Promise<{ writes: Write[]; leftBehind: Array<{ userId: string; keys: string[] }>; toActivate: string[] }> {
  const { report, options } = run;
  const ids = chunk.map((planned) => planned.userId);
  const [identities, users, deleted] = await Promise.all([
    existing(
      run.db,
      run.names.identities,
      chunk.flatMap((planned) => [...planned.keys.all, ...(planned.phoneKey ? [planned.phoneKey] : [])]),
    ),
    existing(run.db, run.names.users, ids),
    deletedAccounts(run.db, run.names.audit, ids),
  ]);
  const ownerOf = (key: string) => run.claimed.get(key) ?? (identities.get(key)?.userId as string | undefined);
  const writes: Write[] = [];
  const leftBehind: Array<{ userId: string; keys: string[] }> = [];
  const toActivate: string[] = [];
  for (const planned of chunk) {
    const { person, userId, keys } = planned;
    const sourceId = shownId(person.sourceId);
    const user = users.get(userId);
    if (deleted.has(userId)) {
      // Anything under that id now — a user, claims — was written after the deletion by a run cut
      // short before it checked (step 6): nobody's account, removed.
      const allKeys = [...keys.all, ...(planned.phoneKey ? [planned.phoneKey] : [])];
      const leftover = user !== undefined || allKeys.some((key) => identities.get(key)?.userId === userId);
      report.skipped.push({
        sourceId,
        reason: `${userId} was imported before and deleted by its owner (注销): never imported again${leftover ? '; what an interrupted run wrote after the deletion is removed' : ''}`,
      });
      if (leftover) leftBehind.push({ userId, keys: allKeys });
      continue;
    }
    if (user && !isImportOf(user, options.source, person.sourceId) && ownerOf(keys.primary) !== userId) {
      const from = user.importedFrom as { id?: unknown } | undefined;
      report.conflicts.push({
        sourceId,
        reason: `user id ${userId} already belongs to another ${from ? `record (${shownId(String(from.id))})` : 'user'}: not imported`,
      });
      continue;
    }
    if (user?.status === 'merged') {
      report.alreadyPresent += 1;
      continue;
    }
    const foreign = keys.all.filter((key) => ownerOf(key) !== undefined && ownerOf(key) !== userId);
    if (foreign.length > 0) {
      const held = Array.isArray(user?.identityKeys) && foreign.some((key) => (user.identityKeys as string[]).includes(key));
      report.conflicts.push({
        sourceId,
        reason:
          `${foreign.map(providerOf).join(', ')} already signs in to another user (${foreign.map(ownerOf).join(', ')})` +
          (held
            ? `; ${userId}, left by an earlier import, lists it without any claim (no login signs in to it): check it with npm run admin -- user show ${userId}, remove it with npm run admin -- delete ${userId} --yes`
            : ''),
      });
      continue;
    }
    const phoneOwner = planned.phoneKey ? ownerOf(planned.phoneKey) : undefined;
    const phoneFree = planned.phoneKey !== null && (phoneOwner === undefined || phoneOwner === userId);
    if (planned.phoneKey && !phoneFree) report.phonesLeftOut.push(sourceId);
    const wanted = phoneFree && planned.phoneKey ? [...keys.all, planned.phoneKey] : keys.all;
    // A user a login created on this import's claim (no importedFrom) gets every key; one this
    // import wrote only those it lists (a run cut short before their claims).
    const completing = user !== undefined && user.importedFrom === undefined;
    const listed = (key: string) => user === undefined || completing || (user.identityKeys as string[] | undefined)?.includes(key) === true;
    const toClaim = wanted.filter((key) => ownerOf(key) !== userId && listed(key));
    if (user && toClaim.length === 0 && !completing) {
      report.alreadyPresent += 1;
      // Written by a run cut short before its final check: not deleted (read above), so activated now.
      if (user.status === 'importing') toActivate.push(userId);
      continue;
    }
    for (const key of toClaim) run.claimed.set(key, userId);
    report.imported += 1;
    if (planned.cleaned.length > 0) report.cleaned.push({ sourceId, fields: planned.cleaned });
    writes.push({ planned, user, keys: wanted.filter(listed), toClaim, lost: [] });
  }
  return { writes, leftBehind, toActivate };
}

function createdAtOf(write: Write, options: ImportOptions): Date {
  return write.planned.person.createdAt ?? options.fallbackCreatedAt;
}

/** Takes a person back out of the counts: something happened to them during the run. */
function unimport(run: Run, write: Write, reason: string): void {
  const sourceId = shownId(write.planned.person.sourceId);
  run.report.imported -= 1;
  run.report.cleaned = run.report.cleaned.filter((entry) => entry.sourceId !== sourceId);
  run.report.conflicts.push({ sourceId, reason });
  for (const key of write.toClaim) if (run.claimed.get(key) === write.planned.userId) run.claimed.delete(key);
}

/**
 * Claims every `[write, key]` in one bulk insert. When a login claimed one of them first, the
 * insert fails as a whole (or, on a service that inserts up to the duplicate, in part): each key is
 * then claimed as the login claims it (rules/identity.ts), which answers its owner either way.
 * Answers the keys another user holds, with that user.
 */
async function claimAll(run: Run, claims: Array<[Write, string]>): Promise<Map<string, string>> {
  const lost = new Map<string, string>();
  if (claims.length === 0) return lost;
  try {
    await run.db.collection(run.names.identities).add({
      data: claims.map(([write, key]) => ({
        _id: key,
        userId: write.planned.userId,
        provider: key.slice(0, key.indexOf(':')),
        createdAt: createdAtOf(write, run.options),
      })),
    });
    return lost;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  await inParallel(claims, PARALLEL_RETRIES, async ([write, key]) => {
    const owner = await run.store.claimIdentity(key, write.planned.userId, createdAtOf(write, run.options));
    if (owner !== write.planned.userId) lost.set(key, owner);
  });
  return lost;
}

function userDocument(write: Write, options: ImportOptions): Data {
  const { person, userId, keys, phoneKey } = write.planned;
  const held = write.keys.filter((key) => !write.lost.includes(key));
  const createdAt = createdAtOf(write, options);
  const phone = person.phone && phoneKey && held.includes(phoneKey) ? person.phone : null;
  const lostWechat = write.lost.filter((key) => key !== phoneKey);
  return {
    _id: userId,
    identityKeys: held,
    ...(lostWechat.length > 0 ? { keysHeldElsewhere: lostWechat } : {}),
    // Not usable before step 6 (or a login making the same check) activates it: imported-account.ts.
    status: 'importing',
    activatesAs: person.disabled ? 'banned' : 'active',
    ...(person.disabled ? { banReason: 'other' } : {}),
    // The WeChat account as a unit (the openid seen with its unionid), as a login records it.
    ...(keys.unionid && held.includes(keys.unionid) && held.includes(keys.openid)
      ? { wechatPairs: [{ openidKey: keys.openid, unionidKey: keys.unionid }] }
      : {}),
    nickName: person.nickName,
    avatarUrl: person.avatarUrl,
    createdAt,
    loginCount: 0,
    ...(phone && phoneKey ? { boundPhone: { ...phone, key: phoneKey, boundAt: createdAt } } : {}),
    importedFrom: { source: options.source, id: person.sourceId },
  };
}

/**
 * A user a login inserted under the import id (it met this import's claim before the user): the
 * imported profile fills what the login left empty, the import's keys are added; nothing the
 * person set is overwritten.
 */
async function complete(run: Run, write: Write): Promise<void> {
  const current = await run.store.getUser(write.planned.userId);
  if (!current) return; // deleted meanwhile: the check of the claims decides
  const imported = userDocument(write, run.options) as Partial<UserDoc> & Data;
  const set: Partial<UserDoc> & Data = { importedFrom: imported.importedFrom, createdAt: imported.createdAt };
  if (!current.nickName) set.nickName = imported.nickName;
  if (!current.avatarUrl && !current.avatarFileID) set.avatarUrl = imported.avatarUrl;
  if (imported.boundPhone && !current.boundPhone) set.boundPhone = imported.boundPhone;
  if (imported.activatesAs === 'banned' && current.status === 'active') Object.assign(set, { status: 'banned', banReason: 'other' });
  const patch: UserPatch = { addIdentityKeys: imported.identityKeys as string[], set: set as UserPatch['set'] };
  await run.store.updateUser(write.planned.userId, patch);
}

async function writeChunk(run: Run, writes: Write[]): Promise<void> {
  const { db, names, report } = run;
  // 3. The primary claims: who owns the person is decided here, as in a login.
  const primary = (write: Write) => write.planned.keys.primary;
  const lostPrimaries = await claimAll(
    run,
    writes.filter((write) => write.toClaim.includes(primary(write))).map((write) => [write, primary(write)]),
  );
  const owned = writes.filter((write) => {
    const owner = lostPrimaries.get(primary(write));
    if (owner !== undefined) unimport(run, write, `wechat began to sign in to another user during the import (${owner}): not imported`);
    return owner === undefined;
  });
  // 4. The other keys of the people this run owns.
  const lost = await claimAll(
    run,
    owned.flatMap((write) => write.toClaim.filter((key) => key !== primary(write)).map((key): [Write, string] => [write, key])),
  );
  for (const write of owned) {
    write.lost = write.toClaim.filter((key) => lost.has(key));
    const sourceId = shownId(write.planned.person.sourceId);
    for (const key of write.lost) {
      if (key === write.planned.phoneKey) report.phonesLeftOut.push(sourceId);
      else
        report.keysLeftOut.push({
          sourceId,
          reason: `${providerOf(key)} began to sign in to another user during the import (${lost.get(key)})`,
        });
    }
  }
  // 5. The users, listing the keys won.
  const toInsert = owned.filter((write) => write.user === undefined);
  const toComplete = owned.filter((write) => write.user !== undefined && write.user.importedFrom === undefined);
  if (toInsert.length > 0) {
    try {
      await db.collection(names.users).add({ data: toInsert.map((write) => userDocument(write, run.options)) });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await inParallel(toInsert, PARALLEL_RETRIES, async (write) => {
        if (!(await run.store.insertUser(userDocument(write, run.options) as unknown as UserDoc))) toComplete.push(write);
      });
    }
  }
  await inParallel(toComplete, PARALLEL_RETRIES, (write) => complete(run, write));
  // A user an earlier run wrote (before its claims were finished) stops listing the keys a login
  // took since, as a login records keys held elsewhere.
  const listingLost = owned.filter((write) => write.user !== undefined && write.user.importedFrom !== undefined && write.lost.length > 0);
  await inParallel(listingLost, PARALLEL_RETRIES, async (write) => {
    const phoneLost = write.planned.phoneKey !== null && write.lost.includes(write.planned.phoneKey);
    const wechatLost = write.lost.filter((key) => key !== write.planned.phoneKey);
    await run.store.updateUser(write.planned.userId, {
      removeIdentityKeys: write.lost,
      ...(wechatLost.length > 0 ? { noteKeysHeldElsewhere: wechatLost } : {}),
      ...(phoneLost ? { remove: ['boundPhone'] } : {}),
    });
  });
  // 6. An account deleted since 3 (the person signed in, met the claim, and deleted the account
  // the login made for it): the user written in 5 is theirs no more. Its deletion's audit entry,
  // written in the deletion's own transaction, tells — one read of a small collection.
  const deleted = await deletedAccounts(
    db,
    names.audit,
    owned.map((write) => write.planned.userId),
  );
  const gone = owned.filter((write) => deleted.has(write.planned.userId));
  await inParallel(gone, PARALLEL_RETRIES, async (write) => {
    await removeWritten(run, write.planned.userId, write.keys);
    unimport(run, write, `signed in and deleted the account (注销) during the import: not imported`);
  });
  // 7. The rest become usable: until now no login or function acted under them (status 'importing').
  await activate(
    run,
    owned.filter((write) => !deleted.has(write.planned.userId)).map((write) => write.planned.userId),
  );
}

/**
 * Activates users this import wrote ('importing') once the check for deletions found none: two
 * bulk updates (the status each was imported with), only where the status is still 'importing' —
 * a login may have made the same check and activated one already (imported-account.ts).
 */
async function activate(run: Run, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const { db, names } = run;
  for (const status of ['active', 'banned'] as const) {
    for (let start = 0; start < userIds.length; start += PAGE) {
      await db
        .collection(names.users)
        .where({ _id: db.command.in(userIds.slice(start, start + PAGE)), status: 'importing', activatesAs: status })
        .update({ data: { status, activatesAs: db.command.remove() } });
    }
  }
}

/**
 * Removes what this import wrote under an id whose owner deleted the account (its audit entry
 * says so): the claims of `keys` pointing at it, then the user. The deletion wins over anything
 * written after it — a claim this run made after the deletion included, which would otherwise
 * vouch for the re-created user.
 */
async function removeWritten(run: Run, userId: string, keys: string[]): Promise<void> {
  const { db, names } = run;
  await db
    .collection(names.identities)
    .where({ _id: db.command.in(keys), userId })
    .remove();
  await db.collection(names.users).where({ _id: userId }).remove();
}
