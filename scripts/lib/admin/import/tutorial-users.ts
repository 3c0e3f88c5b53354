/**
 * `npm run admin -- import users --appid <appid>`: adopts, in one pass, every tutorial-style
 * document of the project's own users collection that no login has adopted yet — what the login
 * does for one person at their first login (actions/login.ts, adoptLegacyUser), for everyone at once.
 *
 * A document is adopted in place (it keeps its `_id`, so whatever the project keyed by that id
 * stays the person's) and exactly as a login of its openid would leave it: the identity claims in
 * `identities` (an insert with the key as its unique `_id`), then identityKeys / wechatPairs /
 * status / createdAt and no secrets (actions/shared/legacy-adoption.ts, the same code), the secrets
 * scrubbed from the tutorial's duplicates too — only no login is recorded (lastLoginAt and
 * loginCount stay as they are: nobody logged in). Which documents qualify is the login's rule
 * (model.ts, the trust rule): `_openid` with no different `openid` (the person wrote it), or
 * `openid` without `_openid` (a cloud function wrote it). A document whose `openid` differs from
 * its `_openid` was written by someone else about that openid: skipped, never touched.
 *
 * The unionid a document names is claimed only when a cloud function wrote the document (no
 * `_openid`): a client could write any unionid into its own document and so take over that
 * person's account in the other apps. Left out, it is attached by the person's next login, which
 * reads it from WeChat.
 *
 * In chunks of 300 people, each with a few bulk requests (one read of their identities, one insert
 * of the claims, one update removing the duplicates' secrets) and one update per adopted document
 * (their identity keys differ), a few at a time. Claims go first: a document is adopted only once
 * an identity points at it, and from then on a login adopts it the same way, so a run cut short
 * anywhere leaves no one half-adopted and running it again finishes the same database a clean run
 * makes; a second run finds nothing to do. A person who signs in and deletes the account (注销)
 * while the run is under way is left deleted: the deletion's audit entry is read before the claims,
 * and a document gone by the time of its update has this run's claims removed, so no claim points
 * at the deleted id for a later login to open a fresh account under.
 */
import {
  adoptionPatch,
  LEGACY_SECRET_FIELDS,
  legacyDocumentToAdopt,
} from '../../../../cloudfunctions/login/src/actions/shared/legacy-adoption';
import { isClientWritten } from '../../../../cloudfunctions/login/src/cloudbase/client-written';
import { isDuplicateKeyError, orEmpty } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';
import {
  type CollectionNames,
  createCloudbaseStore,
  type DatabaseLike,
} from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import type { UserDoc } from '../../../../cloudfunctions/login/src/model';
import { activeBan } from '../../../../cloudfunctions/login/src/rules/ban';
import { identityKeyForOpenid, identityKeysFor, type IdentityKeys } from '../../../../cloudfunctions/login/src/rules/identity';
import { providerOf } from '../../../../cloudfunctions/login/src/rules/identity-summary';
import { deletedAccounts } from './deletions';
import { inParallel } from './parallel';

type Data = Record<string, unknown>;

interface QueryLike {
  orderBy(field: string, order: 'asc' | 'desc'): QueryLike;
  limit(count: number): QueryLike;
  get(): Promise<{ data: Data[] }>;
  update(options: { data: Data }): Promise<unknown>;
  remove(): Promise<unknown>;
}

/** The part of wx-server-sdk's database the adoption uses besides the login's store. */
export interface AdoptionDatabase {
  collection(name: string): { where(condition: unknown): QueryLike; add(options: { data: Data[] }): Promise<unknown> };
  createCollection(name: string): Promise<unknown>;
  command: {
    exists(value: boolean): unknown;
    gt(value: unknown): unknown;
    in(values: unknown[]): unknown;
    remove(): unknown;
  };
}

export interface AdoptionReport {
  source: 'users';
  collection: string;
  appid: string;
  dryRun: boolean;
  /** Tutorial-style documents read: those with `_openid` or `openid`. Each is counted in exactly one of the lines below. */
  total: number;
  adopted: number;
  /** Adopted before (by a login or an earlier run): nothing to do. */
  alreadyPresent: number;
  /** This openid or unionid already signs in to another user: nothing of either is changed. */
  conflicts: Array<{ userId: string; reason: string }>;
  /** Not adopted, with the reason (duplicates of an adopted document among them: their secrets are removed). */
  skipped: Array<{ userId: string; reason: string }>;
  /** Adopted without the unionid they name: written by the client, so unverifiable; the next login adds it. */
  unionidsLeftOut: string[];
}

export interface AdoptionOptions {
  appid: string;
  dryRun: boolean;
  /** The time written as the claims' and (when the document has none) the account's createdAt. */
  now: Date;
  onProgress?: (done: number, total: number) => void;
}

/** People per chunk: 2 keys each stays under the 1000 documents one query answers. */
const CHUNK = 300;
const PAGE = 1000;
/** Adopted documents updated at once (one update each: their keys differ). */
const PARALLEL_UPDATES = 25;

/**
 * Every document with `_openid` or `openid`, a page at a time in `_id` order (a cursor on `_id`, not
 * an offset). The pages are read by `_id` alone and sorted out here: a query on `_openid` / `openid`
 * existing would scan the whole collection on CloudBase, which no index serves.
 */
async function readTutorialDocuments(db: AdoptionDatabase, collection: string): Promise<UserDoc[]> {
  const _ = db.command;
  const docs: UserDoc[] = [];
  let last: string | undefined;
  for (;;) {
    const { data } = await orEmpty(
      () =>
        db
          .collection(collection)
          .where(last === undefined ? {} : { _id: _.gt(last) })
          .orderBy('_id', 'asc')
          .limit(PAGE)
          .get(),
      { data: [] as Data[] },
    );
    const page = data.filter((doc): doc is UserDoc => typeof doc._id === 'string');
    docs.push(...page.filter((doc) => '_openid' in doc || 'openid' in doc));
    last = page.at(-1)?._id;
    if (data.length < PAGE || last === undefined) return docs;
  }
}

/** The openid a tutorial document belongs to, or why it is not adopted (the login's rule, model.ts). */
function openidOf(doc: UserDoc, appid: string, now: Date): { openid: string } | { reason: string } {
  if ('_openid' in doc && !isClientWritten(doc)) return { reason: '_openid is not text' };
  if (isClientWritten(doc) && doc.openid !== undefined && doc.openid !== doc._openid)
    return { reason: 'openid differs from _openid: written by another user about that openid, never adopted' };
  const openid = isClientWritten(doc) ? (doc._openid as string) : doc.openid;
  if (typeof openid !== 'string' || openid === '') return { reason: 'openid is not text' };
  const docAppid = typeof doc.appid === 'string' ? doc.appid : typeof doc.appId === 'string' ? doc.appId : appid;
  if (docAppid !== appid) return { reason: `belongs to AppID ${docAppid}, not ${appid}` };
  if (doc.identityKeys !== undefined) return { openid };
  if (doc.status === 'merged') return { reason: 'merged into another account' };
  if (doc.status === 'deleting') return { reason: 'being deleted (注销中): its next login completes the deletion' };
  if (activeBan(doc, now)) return { reason: 'banned: a login adopts it once the ban has ended' };
  return { openid };
}

/** The documents of one openid: the adopted ones (identityKeys) and the not-adopted ones. */
interface Person {
  openid: string;
  adopted: UserDoc[];
  legacy: UserDoc[];
}

interface Adoption {
  doc: UserDoc;
  keys: IdentityKeys;
  /** Keys no identity holds yet. */
  toClaim: string[];
  /** Not-adopted duplicates that still carry a secret. */
  toScrub: string[];
}

function hasSecret(doc: UserDoc): boolean {
  return LEGACY_SECRET_FIELDS.some((field) => field in doc);
}

/** The unionid to claim: only one a cloud function recorded (see the header). */
function trustedUnionid(doc: UserDoc): { unionid: string | null; leftOut: boolean } {
  const named = typeof doc.unionid === 'string' && doc.unionid !== '' ? doc.unionid : null;
  if (named === null) return { unionid: null, leftOut: false };
  return isClientWritten(doc) ? { unionid: null, leftOut: true } : { unionid: named, leftOut: false };
}

export async function adoptTutorialUsers(db: AdoptionDatabase, names: CollectionNames, options: AdoptionOptions): Promise<AdoptionReport> {
  const report: AdoptionReport = {
    source: 'users',
    collection: names.users,
    appid: options.appid,
    dryRun: options.dryRun,
    total: 0,
    adopted: 0,
    alreadyPresent: 0,
    conflicts: [],
    skipped: [],
    unionidsLeftOut: [],
  };
  const docs = await readTutorialDocuments(db, names.users);
  report.total = docs.length;
  const people = new Map<string, Person>();
  for (const doc of docs) {
    const read = openidOf(doc, options.appid, options.now);
    if ('reason' in read) {
      report.skipped.push({ userId: doc._id, reason: read.reason });
      continue;
    }
    const person = people.get(read.openid) ?? { openid: read.openid, adopted: [], legacy: [] };
    (doc.identityKeys !== undefined ? person.adopted : person.legacy).push(doc);
    people.set(read.openid, person);
  }
  const store = createCloudbaseStore(db as unknown as DatabaseLike, names);
  const ordered = [...people.values()].sort((a, b) => a.openid.localeCompare(b.openid));
  /** Unionid keys this run claims: one unionid on two openids is a conflict, not a shared account. */
  const unionidsClaimed = new Set<string>();
  let done = report.skipped.length;
  options.onProgress?.(done, report.total);
  for (let start = 0; start < ordered.length; start += CHUNK) {
    const chunk = ordered.slice(start, start + CHUNK);
    const adoptions = await planChunk(db, names, chunk, options, report, unionidsClaimed);
    if (!options.dryRun) await adoptChunk(db, store, names, adoptions, options, report);
    done += chunk.reduce((count, person) => count + person.adopted.length + person.legacy.length, 0);
    options.onProgress?.(done, report.total);
  }
  return report;
}

/** Decides every person of the chunk from one read of their identities; reports all but the adoptions. */
async function planChunk(
  db: AdoptionDatabase,
  names: CollectionNames,
  chunk: Person[],
  options: AdoptionOptions,
  report: AdoptionReport,
  unionidsClaimed: Set<string>,
): Promise<Adoption[]> {
  const _ = db.command;
  // The openid key, and the unionid key of every document that may be the one adopted.
  const wanted = chunk.flatMap((person) => [
    identityKeyForOpenid(options.appid, person.openid),
    ...person.legacy.flatMap((doc) => {
      const { unionid } = trustedUnionid(doc);
      return unionid ? [identityKeysFor({ appid: options.appid, openid: person.openid, unionid }).primary] : [];
    }),
  ]);
  const unique = [...new Set(wanted)];
  // Usually one query; more only when many duplicates name a unionid (one query answers at most PAGE).
  const pages = await Promise.all(
    Array.from({ length: Math.ceil(unique.length / PAGE) }, (_page, index) =>
      orEmpty(
        () =>
          db
            .collection(names.identities)
            .where({ _id: _.in(unique.slice(index * PAGE, (index + 1) * PAGE)) })
            .limit(PAGE)
            .get(),
        { data: [] as Data[] },
      ),
    ),
  );
  const data = pages.flatMap((page) => page.data);
  const identities = new Map(data.map((doc) => [String(doc._id), doc]));
  const adoptions: Adoption[] = [];
  for (const person of chunk) {
    const openidKey = identityKeyForOpenid(options.appid, person.openid);
    const holder = identities.get(openidKey);
    const notVouched = (doc: UserDoc) =>
      report.skipped.push({ userId: doc._id, reason: `has identityKeys, but this AppID's openid does not sign in to it` });
    const conflict = (reason: string) => {
      for (const doc of person.legacy) report.conflicts.push({ userId: doc._id, reason });
      person.adopted.forEach(notVouched);
    };
    if (holder && isClientWritten(holder)) {
      conflict(`the ${names.identities} document of this openid was written by a client: make ${names.identities} ADMINONLY first`);
      continue;
    }
    const ownerId = typeof holder?.userId === 'string' ? holder.userId : undefined;
    const present = person.adopted.find((doc) => doc._id === ownerId);
    if (ownerId !== undefined && !present && !person.legacy.some((doc) => doc._id === ownerId)) {
      conflict(`wechat already signs in to another user (${ownerId})`);
      continue;
    }
    // The document an identity already points at (a run or a login cut short after its claim), else the login's choice.
    const doc = present ?? person.legacy.find((legacy) => legacy._id === ownerId) ?? legacyDocumentToAdopt(person.legacy);
    for (const other of person.adopted) if (other !== present) notVouched(other);
    if (!doc) continue;
    const duplicates = person.legacy.filter((legacy) => legacy !== doc);
    const duplicate = (reason: string) => {
      for (const legacy of duplicates) report.skipped.push({ userId: legacy._id, reason });
    };
    if (present) {
      report.alreadyPresent += 1;
      duplicate(`duplicate of ${doc._id}, adopted before: keeps its data, without its secrets`);
      if (duplicates.some(hasSecret))
        adoptions.push({
          doc,
          keys: identityKeysFor({ appid: options.appid, openid: person.openid }),
          toClaim: [],
          toScrub: duplicates.filter(hasSecret).map((legacy) => legacy._id),
        });
      continue;
    }
    const { unionid, leftOut } = trustedUnionid(doc);
    const keys = identityKeysFor({ appid: options.appid, openid: person.openid, ...(unionid ? { unionid } : {}) });
    const foreign = keys.all.filter((key) => {
      const owner = identities.get(key);
      return (
        (owner !== undefined && (isClientWritten(owner) || owner.userId !== doc._id)) || (key !== openidKey && unionidsClaimed.has(key))
      );
    });
    if (foreign.length > 0) {
      const owners = foreign.map((key) => (identities.get(key)?.userId as string | undefined) ?? 'an earlier document of this run');
      conflict(`${foreign.map(providerOf).join(', ')} already signs in to another user (${owners.join(', ')})`);
      continue;
    }
    if (keys.unionid) unionidsClaimed.add(keys.unionid);
    if (leftOut) report.unionidsLeftOut.push(doc._id);
    duplicate(`duplicate of ${doc._id} (the tutorial's race; the oldest is adopted): keeps its data, without its secrets`);
    adoptions.push({
      doc,
      keys,
      toClaim: keys.all.filter((key) => !identities.has(key)),
      toScrub: duplicates.filter(hasSecret).map((legacy) => legacy._id),
    });
  }
  report.adopted += adoptions.filter((adoption) => !adoption.doc.identityKeys).length;
  return adoptions;
}

/**
 * Writes the chunk's adoptions: the claims first (one bulk insert), then the documents (one update
 * each) and the duplicates' secrets (one update). A claim lost to a login running right now (a
 * duplicate key) is retried one key at a time, as a login claims: the same document wins it, or
 * the person becomes a conflict and their document is not adopted (a key this run did claim still
 * points at it, as after a login cut short there; the person's next login completes it).
 */
async function adoptChunk(
  db: AdoptionDatabase,
  store: ReturnType<typeof createCloudbaseStore>,
  names: CollectionNames,
  chunkAdoptions: Adoption[],
  options: AdoptionOptions,
  report: AdoptionReport,
): Promise<void> {
  let adoptions = chunkAdoptions;
  const _ = db.command;
  // A person who signed in (adopting the document) and deleted the account since the read: their
  // document is gone for good, and no claim of this run may point at its id (a login would meet it
  // and open a fresh account under that id, which whatever the project keyed by it would follow).
  const deleted = await deletedAccounts(
    db,
    names.audit,
    adoptions.map((adoption) => adoption.doc._id),
  );
  const gone = (adoption: Adoption) => {
    // Counted once: among the adopted, or (a duplicate's secrets to remove) among the present.
    if (adoption.doc.identityKeys) report.alreadyPresent -= 1;
    else report.adopted -= 1;
    report.skipped.push({ userId: adoption.doc._id, reason: 'deleted by its owner (注销) during the run: not adopted' });
  };
  for (const adoption of adoptions) if (deleted.has(adoption.doc._id)) gone(adoption);
  adoptions = adoptions.filter((adoption) => !deleted.has(adoption.doc._id));
  const claims = adoptions.flatMap((adoption) =>
    adoption.toClaim.map((key) => ({
      _id: key,
      userId: adoption.doc._id,
      provider: key.slice(0, key.indexOf(':')),
      createdAt: options.now,
    })),
  );
  let adopted = adoptions;
  if (claims.length > 0) {
    await db.createCollection(names.identities).catch(() => undefined);
    try {
      await db.collection(names.identities).add({ data: claims });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      adopted = [];
      for (const adoption of adoptions) {
        const owners = await Promise.all(adoption.toClaim.map((key) => store.claimIdentity(key, adoption.doc._id, options.now)));
        const foreign = owners.filter((owner) => owner !== adoption.doc._id);
        if (foreign.length === 0) adopted.push(adoption);
        else {
          report.adopted -= 1;
          report.conflicts.push({
            userId: adoption.doc._id,
            reason: `wechat began to sign in to another user during the run (${foreign.join(', ')})`,
          });
        }
      }
    }
  }
  const scrub = adopted.flatMap((adoption) => adoption.toScrub);
  await Promise.all([
    inParallel(
      adopted.filter((adoption) => !adoption.doc.identityKeys),
      PARALLEL_UPDATES,
      async (adoption) => {
        const { doc, keys } = adoption;
        // "Not updated" also answers an update that changed nothing: another run adopted it just now.
        if (!(await store.updateUser(doc._id, adoptionPatch(doc, keys, keys.all, [], options.now))) && !(await store.getUser(doc._id))) {
          // Deleted (注销) between the check above and this update: its claims of this run go too.
          await db
            .collection(names.identities)
            .where({ _id: _.in(adoption.toClaim), userId: doc._id })
            .remove();
          gone(adoption);
        }
      },
    ),
    scrub.length > 0
      ? db
          .collection(names.users)
          .where({ _id: _.in(scrub), identityKeys: _.exists(false) })
          .update({ data: Object.fromEntries(LEGACY_SECRET_FIELDS.map((field) => [field, _.remove()])) })
      : undefined,
  ]);
}
