/**
 * Calls the database module's handlers with bodies shaped like wx-server-sdk 4.0.2's requests
 * (see /work/shared/reference/wire-capture-wx-server-sdk-4.0.2.txt) and decodes the replies the
 * way @cloudbase/database does (EJSON.parse of each `list` item).
 */
import { EJSON } from 'bson';
import type { AdminReply } from '../../src/core/module';
import { ServiceError } from '../../src/core/module';
import { createDatabase, type DatabaseModule, type DatabaseOptions } from '../../src/database';

/** Every SDK request carries these besides the action's own fields. */
const SDK_ENVELOPE = {
  envName: 'test-env',
  wxCloudApiToken: 'token-1',
  tcb_sessionToken: '',
  crossAuthorizationToken: '',
};

/** Canonical EJSON, as the SDK's stringifyByEJSON writes queries, updates and documents. */
export function ejson(value: unknown): string {
  return EJSON.stringify(value, { relaxed: false });
}

export async function memoryDatabase(options: DatabaseOptions = {}): Promise<DatabaseModule> {
  return createDatabase({ memory: true, now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 678), ...options });
}

export async function call(db: DatabaseModule, action: string, body: Record<string, unknown> = {}): Promise<AdminReply> {
  const handler = db.actions?.[action];
  if (!handler) throw new Error(`no handler for ${action}`);
  return handler({ action, body: { ...body, action, ...SDK_ENVELOPE }, files: {}, env: 'test-env', invocationId: '' });
}

/** The `data` of a successful reply. */
export async function data<T = Record<string, unknown>>(
  db: DatabaseModule,
  action: string,
  body: Record<string, unknown> = {},
): Promise<T> {
  const reply = await call(db, action, body);
  if (reply.kind !== 'json') throw new Error(`expected a JSON reply from ${action}`);
  return reply.data as T;
}

/** The ServiceError an action fails with (fails the test if it succeeds). */
export async function failure(db: DatabaseModule, action: string, body: Record<string, unknown> = {}): Promise<ServiceError> {
  try {
    await call(db, action, body);
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error(`${action} was expected to fail`);
}

/** getDocument's documents, parsed as the SDK parses them (relaxed: numbers as numbers, Dates as Date). */
export async function getDocs(db: DatabaseModule, body: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const result = await data<{ list: string[] }>(db, 'database.getDocument', body);
  return result.list.map((item) => EJSON.parse(item) as Record<string, unknown>);
}

export async function where(
  db: DatabaseModule,
  collectionName: string,
  query: unknown,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  return getDocs(db, { collectionName, queryType: 'WHERE', query: ejson(query), limit: 100, ...extra });
}

export async function ids(
  db: DatabaseModule,
  collectionName: string,
  query: unknown,
  extra: Record<string, unknown> = {},
): Promise<unknown[]> {
  return (await where(db, collectionName, query, extra)).map((doc) => doc._id);
}

export async function docById(
  db: DatabaseModule,
  collectionName: string,
  id: string,
  transactionId?: string,
): Promise<Record<string, unknown> | undefined> {
  const docs = await getDocs(db, {
    collectionName,
    query: ejson({ _id: id }),
    queryType: 'DOC',
    multi: false,
    ...(transactionId ? { transactionId } : {}),
  });
  return docs[0];
}

/** A collection created through database.addCollection, filled through database.insertDocument. */
export async function seed(db: DatabaseModule, collectionName: string, docs: Record<string, unknown>[]): Promise<void> {
  await call(db, 'database.addCollection', { collectionName });
  if (docs.length > 0) await call(db, 'database.insertDocument', { collectionName, data: docs.map(ejson) });
}

/** doc(id).update(data) as the SDK sends it (`data` already in `$`-operator form). */
export async function updateDoc(
  db: DatabaseModule,
  collectionName: string,
  id: string,
  update: unknown,
  transactionId?: string,
): Promise<Record<string, unknown>> {
  return data(db, 'database.modifyDocument', {
    collectionName,
    ...(transactionId ? { transactionId } : {}),
    data: ejson(update),
    query: ejson({ _id: id }),
    queryType: 'DOC',
    multi: false,
    merge: true,
    upsert: false,
  });
}
