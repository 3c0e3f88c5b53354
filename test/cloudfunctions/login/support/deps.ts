import { PER_USER_COLLECTIONS, type UserDataStore } from '@wx-cloud-login/server-auth';
import type { Deps } from '../../../../cloudfunctions/login/src/ports';
import {
  createFakeContentSecurity,
  createFakeFiles,
  createFakePhoneApi,
  type FakeContentSecurity,
  type RequestGate,
  type FakeFiles,
  type FakePhoneApi,
} from './fake-services';
import { createMemoryStore, type MemoryStore } from './memory-store';

export interface TestDeps extends Deps {
  store: MemoryStore;
  phone: FakePhoneApi;
  security: FakeContentSecurity;
  files: FakeFiles;
  userData: FakeUserData;
  clock: { now: Date };
  logged: string[];
}

/**
 * Per-user data of other functions, in memory: the documents per collection (each with an `owner`
 * field), really moved and removed, and a log of the calls deleteAccount and confirmLink made.
 */
export interface FakeUserData extends UserDataStore {
  moved: Array<[string, string]>;
  removed: string[][];
  /** Documents per collection that listAll answers (each with an `owner` field). */
  documents: Map<string, Array<Record<string, unknown>>>;
  /** The documents any of `userIds` owns, in every collection. */
  ownedBy(userIds: string[]): Array<Record<string, unknown>>;
}

function createFakeUserData(gate: RequestGate): FakeUserData {
  const moved: Array<[string, string]> = [];
  const removed: string[][] = [];
  const documents = new Map<string, Array<Record<string, unknown>>>([['notes', []]]);
  return {
    moved,
    removed,
    documents,
    ownedBy: (userIds) => [...documents.values()].flat().filter((doc) => userIds.includes(doc.owner as string)),
    async listAll(userIds) {
      await gate('userData.listAll');
      return [...documents].map(([collection, docs]) => ({
        collection,
        exportFields: PER_USER_COLLECTIONS.find((entry) => entry.collection === collection)?.exportFields ?? ['_id'],
        documents: docs.filter((doc) => userIds.includes(doc.owner as string)).map((doc) => ({ ...doc })),
      }));
    },
    async moveAll(from, to) {
      await gate('userData.moveAll');
      moved.push([from, to]);
      for (const docs of documents.values()) for (const doc of docs) if (doc.owner === from) doc.owner = to;
    },
    async removeAll(userIds) {
      await gate('userData.removeAll');
      removed.push([...userIds]);
      for (const [collection, docs] of documents) {
        documents.set(
          collection,
          docs.filter((doc) => !userIds.includes(doc.owner as string)),
        );
      }
    },
  };
}

/** The environment id the tests' fileIDs belong to (getWXContext().ENV). */
export const TEST_ENV = 'test-env-1a2b';
export const TEST_INVOCATION = { env: TEST_ENV };

/** A fileID of TEST_ENV, as wx.cloud.uploadFile would answer it. */
export function testFileId(cloudPath: string): string {
  return `cloud://${TEST_ENV}.7465-${TEST_ENV}-1250000000/${cloudPath}`;
}

/** Deterministic ids, tokens and a settable clock around in-memory stores and fake WeChat services. */
export function createTestDeps(): TestDeps {
  let counter = 0;
  let tokens = 0;
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const logged: string[] = [];
  const now = () => clock.now;
  const store = createMemoryStore();
  // Storage and per-user data requests count with the store's, so failAt reaches them too.
  const gate: RequestGate = (request) => store.enterService(request);
  return {
    store,
    userData: createFakeUserData(gate),
    phone: createFakePhoneApi(),
    security: createFakeContentSecurity(),
    files: createFakeFiles(now, TEST_ENV, gate),
    clock,
    logged,
    now,
    newId: () => `id${String(++counter).padStart(4, '0')}`,
    // 32 bytes of base64url: 43 characters.
    randomToken: () => `token${String(++tokens).padStart(38, '0')}`,
    warn: (message) => logged.push(`warn: ${message}`),
    error: (message) => logged.push(`error: ${message}`),
  };
}
