/**
 * The kit's collections are closed to mini-program clients, with the permissions cloudbaserc.json
 * declares (proved by the emulator's rules-testing API, the way Firebase projects test their rules):
 * a page can reach users, identities, link tickets, the audit, rate limits and notes only through
 * the login and notes functions, which are administrators and read everything.
 */
import path from 'node:path';
import { assertFails, type ClientDatabase, initializeTestEnvironment, type RulesTestEnvironment } from '@wx-cloud-login/cloudbase-emulator';

const ROOT = path.join(__dirname, '..', '..');
const KIT_COLLECTIONS = ['users', 'identities', 'link_tickets', 'account_audit', 'rate_limits', 'notes'] as const;
const alice = { openid: 'o-alice-perm', appid: 'wx-perm-app', unionid: 'u-alice-perm' };
const bob = { openid: 'o-bob-perm', appid: 'wx-perm-app', unionid: 'u-bob-perm' };

let env: RulesTestEnvironment;
let aliceNoteId = '';

async function run(name: string, caller: typeof alice, data: Record<string, unknown>): Promise<{ ok: boolean; data?: unknown }> {
  const invocation = await env.withSecurityRulesDisabled((emulator) => emulator.callFunction(name, data, caller));
  if (invocation.error) throw new Error(`${name} did not run: ${invocation.error.message}`);
  return invocation.result as { ok: boolean; data?: unknown };
}

beforeAll(async () => {
  env = await initializeTestEnvironment({ projectDir: ROOT, emulator: { onFunctionOutput: () => undefined } });
  // Real data, written by the kit's own functions: two people signed in, Alice wrote a note.
  await run('login', alice, { action: 'login' });
  await run('login', bob, { action: 'login' });
  const added = (await run('notes', alice, { action: 'add', text: '只给自己看' })) as { data: { note: { id: string } } };
  aliceNoteId = added.data.note.id;
  await env.withSecurityRulesDisabled(async (emulator) => {
    // Every kit collection holds a document a client could try to reach.
    for (const name of ['link_tickets', 'account_audit', 'rate_limits']) {
      if (emulator.database.count(name) === 0) await emulator.database.importCollection(name, `{"_id":"seed-${name}"}\n`);
    }
  });
});
afterAll(() => env?.cleanup());

function someIdIn(collection: string): Promise<string> {
  return env.withSecurityRulesDisabled(async (emulator) => String(emulator.database.documents(collection)[0]?._id));
}

const clients: [string, () => ClientDatabase][] = [
  ['Alice', () => env.authenticatedContext(alice.openid, alice).database()],
  ['Bob', () => env.authenticatedContext(bob.openid, bob).database()],
  ['a client that is not signed in', () => env.unauthenticatedContext().database()],
];

describe.each(clients)('%s, from a page', (_who, database) => {
  it.each(KIT_COLLECTIONS)('can neither read nor write %s', async (collection) => {
    const id = await someIdIn(collection);
    const target = database().collection(collection);
    await assertFails(target.get());
    await assertFails(target.count());
    await assertFails(target.doc(id).get());
    await assertFails(target.where({ _openid: '{openid}' }).get());
    await assertFails(target.add({ data: { planted: true } }));
    await assertFails(target.doc(id).update({ data: { planted: true } }));
    await assertFails(target.doc(id).set({ data: { planted: true } }));
    await assertFails(target.where({}).update({ data: { planted: true } }));
    await assertFails(target.doc(id).remove());
    await assertFails(target.where({}).remove());
  });
});

describe("another person's notes", () => {
  it('are out of reach of a client, by id or by query, and still served to their owner by the notes function', async () => {
    const bobDb = env.authenticatedContext(bob.openid, bob).database();
    await assertFails(bobDb.collection('notes').doc(aliceNoteId).get());
    await assertFails(bobDb.collection('notes').where({ text: '只给自己看' }).get());
    await assertFails(
      bobDb
        .collection('notes')
        .doc(aliceNoteId)
        .update({ data: { text: '改掉' } }),
    );
    const listed = (await run('notes', alice, { action: 'list' })) as { data: { notes: { text: string }[] } };
    expect(listed.data.notes.map((note) => note.text)).toEqual(['只给自己看']);
  });
});

it('declares every collection the functions use in cloudbaserc.json (none falls back to the default)', async () => {
  await env.withSecurityRulesDisabled(async (emulator) => {
    expect(emulator.database.listCollections()).toEqual(expect.arrayContaining([...KIT_COLLECTIONS]));
    expect(emulator.database.listCollections().filter((name) => !(KIT_COLLECTIONS as readonly string[]).includes(name))).toEqual([]);
  });
});
