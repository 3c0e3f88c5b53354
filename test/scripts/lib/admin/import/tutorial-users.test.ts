/**
 * `import users` racing the people it adopts: the BUILT login function, run by the local emulator
 * through the unmodified wx-server-sdk, signs a person in (adopting their tutorial document) and
 * deletes the account at chosen points of the adoption, held there exactly, not by timing.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import type { Result } from '../../../../../typings/contract';
import { collectionNamesFrom } from '../../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { type AdoptionDatabase, type AdoptionReport, adoptTutorialUsers } from '../../../../../scripts/lib/admin/import/tutorial-users';
import { holdingFirst } from '../../../support/holding-database';

const APPID = 'wx-adoption-race-app';
const saved = { ...process.env };
let emulator: Emulator;

type Data = Record<string, unknown>;

beforeAll(async () => {
  // Only users exists, as the scenario assumes, not every collection cloudbaserc.json declares.
  emulator = await createEmulator({ memory: true, deployDeclaredCollections: false });
  Object.assign(process.env, emulator.sdkEnv());
  delete process.env.USERS_COLLECTION;
  delete process.env.IDENTITIES_COLLECTION;
  cloud.init({ env: emulator.env });
  await cloud.database().createCollection('users');
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

let people = 0;

/** A tutorial-era document a cloud function wrote (`openid`, a secret), for a new person. */
async function tutorialPerson(): Promise<{ docId: string; openid: string }> {
  people += 1;
  const person = { docId: `tutorial-${people}`, openid: `oTutorial${people}` };
  await cloud
    .database()
    .collection('users')
    .add({ data: { _id: person.docId, openid: person.openid, nickName: `教程用户${people}`, session_key: 'c2VjcmV0' } });
  return person;
}

async function call(openid: string, action: string, payload: Data = {}): Promise<Result<Data>> {
  const invocation = await emulator.callFunction('login', { ...payload, action }, { appid: APPID, openid });
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return invocation.result as Result<Data>;
}

async function login(openid: string): Promise<{ id: string; isNewUser: boolean }> {
  const result = await call(openid, 'login');
  if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
  const { user, isNewUser } = result.data as { user: { id: string }; isNewUser: boolean };
  return { id: user.id, isNewUser };
}

function adopt(db: AdoptionDatabase): Promise<AdoptionReport> {
  return adoptTutorialUsers(db, collectionNamesFrom({}), { appid: APPID, dryRun: false, now: new Date('2026-12-02T00:00:00Z') });
}

const key = (openid: string) => `wx-openid:${APPID}:${openid}`;
const users = () => emulator.database.documents('users');
const claimsTo = (userId: string) => emulator.database.documents('identities').filter((doc) => doc.userId === userId);
/** Accounts that list the person's key or are their tutorial document. */
const homesOf = (person: { docId: string; openid: string }) =>
  users()
    .filter((user) => user._id === person.docId || (Array.isArray(user.identityKeys) && user.identityKeys.includes(key(person.openid))))
    .map((user) => user._id);

describe('import users racing the login', () => {
  it('given the person signs in first (adopting the same document), both adopt the one document', async () => {
    const person = await tutorialPerson();
    let first = { id: '', isNewUser: true };
    const report = await adopt(
      holdingFirst<AdoptionDatabase>(
        async () => {
          first = await login(person.openid);
        },
        { method: 'add', collection: 'identities' },
      ),
    );
    expect(first).toEqual({ id: person.docId, isNewUser: false });
    expect(report.conflicts).toEqual([]);
    expect(homesOf(person)).toEqual([person.docId]);
    expect(claimsTo(person.docId).map((doc) => doc._id)).toEqual([key(person.openid)]);
    expect(JSON.stringify(users())).not.toContain('c2VjcmV0');
  });

  it.each([
    ['before the run checks for deletions', { method: 'where', collection: 'account_audit' }],
    ['after that check, before its claims', { method: 'add', collection: 'identities' }],
  ] as const)(
    'given the person signs in and deletes the account (注销) %s, nothing is adopted and their next login starts afresh',
    async (_when, hold) => {
      const person = await tutorialPerson();
      const report = await adopt(
        holdingFirst<AdoptionDatabase>(async () => {
          expect((await login(person.openid)).id).toBe(person.docId);
          expect((await call(person.openid, 'deleteAccount', { confirm: true })).ok).toBe(true);
        }, hold),
      );

      expect(report.skipped).toContainEqual({ userId: person.docId, reason: expect.stringContaining('注销') });
      expect(homesOf(person)).toEqual([]);
      expect(claimsTo(person.docId)).toEqual([]);
      const next = await login(person.openid);
      expect(next.isNewUser).toBe(true);
      expect(next.id).not.toBe(person.docId);
      expect(homesOf(person)).toEqual([next.id]);
    },
  );
});
