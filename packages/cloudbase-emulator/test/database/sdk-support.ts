/**
 * Runs the REAL wx-server-sdk against a fresh emulator, configured only through the environment
 * variables a deployed function would see (emulator.sdkEnv()) and `cloud.init({ env:
 * cloud.DYNAMIC_CURRENT_ENV })`, so that any protocol mismatch with the database service fails here.
 */
import { createEmulator, type Emulator } from '../../src/server';

export type Cloud = typeof import('wx-server-sdk');
type Doc = Record<string, unknown>;

/*
 * wx-server-sdk's own typings declare every call as `string | void | Promise<...>` (callback
 * style) and miss some options (serverDate's offset); these describe what the calls resolve to.
 */
export interface SdkQuery {
  where(condition: Doc): SdkQuery;
  orderBy(field: string, order: 'asc' | 'desc'): SdkQuery;
  skip(offset: number): SdkQuery;
  limit(max: number): SdkQuery;
  field(projection: Doc): SdkQuery;
  get(): Promise<{ data: Doc[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: Doc }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface SdkDocument {
  get(): Promise<{ data: Doc }>;
  set(options: { data: Doc }): Promise<{ _id: string; stats: { updated: number; created: number } }>;
  update(options: { data: Doc }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface SdkAggregate {
  match(condition: Doc): SdkAggregate;
  lookup(spec: Doc): SdkAggregate;
  project(spec: Doc): SdkAggregate;
  sort(spec: Doc): SdkAggregate;
  end(): Promise<{ list: Doc[] }>;
}

export interface SdkCollection extends SdkQuery {
  doc(id: string): SdkDocument;
  add(options: { data: Doc | Doc[] }): Promise<{ _id?: string; _ids?: string[] }>;
  aggregate(): SdkAggregate;
}

export interface SdkTransaction {
  collection(name: string): SdkCollection;
  commit(): Promise<unknown>;
  rollback(reason?: unknown): Promise<unknown>;
}

export interface Database {
  collection(name: string): SdkCollection;
  createCollection(name: string): Promise<unknown>;
  command: ReturnType<Cloud['database']>['command'];
  serverDate(options?: { offset: number }): unknown;
  RegExp(options: { regexp: string; options?: string }): unknown;
  runTransaction<T>(callback: (transaction: SdkTransaction) => Promise<T>, retries?: number): Promise<T>;
  startTransaction(): Promise<SdkTransaction>;
}

/** What a failed SDK call rejects with. */
export interface SdkError {
  errCode: number;
  errMsg: string;
}

export interface SdkHarness {
  emulator: Emulator;
  cloud: Cloud;
  db: Database;
  close(): Promise<void>;
}

export async function startSdk(): Promise<SdkHarness> {
  const emulator = await createEmulator({ memory: true, deployDeclaredCollections: false });
  const saved = { ...process.env };
  Object.assign(process.env, emulator.sdkEnv());
  // Loaded after the environment is set, as in a function instance.
  const cloud = (await import('wx-server-sdk')) as Cloud;
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
  return {
    emulator,
    cloud,
    db: cloud.database() as unknown as Database,
    async close() {
      await emulator.close();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

/** The rejection of `promise`, which must reject. */
export async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}
