/**
 * The BUILT notes function on TWO warm instances of the emulator's function runtime (real worker
 * instances, each with its own caller cache), while the BUILT login function links, unlinks and
 * deletes the account and an operator bans it: a read and a write on both instances before the
 * change, racing it, and right after it. Whatever the interleaving, no note ends under an account
 * nobody reaches or outlives 注销, writes after the change are refused or land in the right
 * account, and the device that made the change (its account hint) sees the new account at once.
 */
import { EJSON } from 'bson';
import type { ErrorBody, Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';

let emulator: Emulator;

beforeAll(async () => {
  // Two instances per function: a pair of simultaneous calls runs on both, every time.
  emulator = await createEmulator({ memory: true, maxInstances: 2, onFunctionOutput: () => undefined });
});

afterAll(async () => {
  await emulator?.close();
});

let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-notes-app', unionid: `u-${name}-${people}` };
}

interface Answer {
  result: Result<Record<string, unknown>>;
  instance: number | null;
}

async function call(name: string, caller: Caller, data: Record<string, unknown>): Promise<Answer> {
  const invocation = await emulator.callFunction(name, data, caller);
  if (invocation.error) throw new Error(`${name} did not run: ${invocation.error.message}`);
  return { result: invocation.result as Result<Record<string, unknown>>, instance: invocation.instance };
}

function dataOf(answer: Answer): Record<string, unknown> {
  if (!answer.result.ok) throw new Error(`expected success, got ${answer.result.error.code}: ${answer.result.error.message}`);
  return answer.result.data;
}

function codeOf(answer: Answer): string {
  return answer.result.ok ? 'ok' : answer.result.error.code;
}

const login = (caller: Caller, data: Record<string, unknown> = { action: 'login' }) => call('login', caller, data);
const notes = (caller: Caller, data: Record<string, unknown>) => call('notes', caller, data);

async function signUp(caller: Caller): Promise<string> {
  return (dataOf(await login(caller)).user as { id: string }).id;
}

function notesOf(owner: string): string[] {
  return emulator.database
    .documents('notes')
    .filter((note) => note.owner === owner)
    .map((note) => String(note.text))
    .sort();
}

function unreachableOwners(): string[] {
  const live = new Set(
    emulator.database
      .documents('users')
      .filter((doc) => doc.status !== 'merged' && doc.status !== 'deleting')
      .map((doc) => String(doc._id)),
  );
  return [...new Set(emulator.database.documents('notes').map((note) => String(note.owner)))].filter((owner) => !live.has(owner));
}

async function patch(collection: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = emulator.database.documents(collection).find((doc) => doc._id === id);
  if (!current) throw new Error(`${collection}/${id} does not exist`);
  await emulator.database.importCollection(collection, EJSON.stringify({ ...current, ...fields }, { relaxed: false }));
}

/** A pair of simultaneous reads, then a pair of simultaneous writes: each pair on both instances. */
async function readsAndWrites(caller: Caller, tag: string, hint?: string): Promise<Answer[]> {
  const withHint = hint === undefined ? {} : { accountHint: hint };
  const reads = await Promise.all([notes(caller, { action: 'list', ...withHint }), notes(caller, { action: 'list', ...withHint })]);
  const writes = await Promise.all([
    notes(caller, { action: 'add', text: `${tag}-a`, ...withHint }),
    notes(caller, { action: 'add', text: `${tag}-b`, ...withHint }),
  ]);
  return [...reads, ...writes];
}

/** Both instances warm, each having resolved `caller`. */
async function warmBoth(caller: Caller): Promise<void> {
  const answers = await Promise.all([notes(caller, { action: 'list' }), notes(caller, { action: 'list' })]);
  expect(answers.map(codeOf)).toEqual(['ok', 'ok']);
  expect(new Set(answers.map((answer) => answer.instance)).size).toBe(2);
}

async function linkTicket(owner: Caller, newcomer: Caller, phone: string): Promise<string> {
  dataOf(await login(owner, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) }));
  const offer = await login(newcomer, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) });
  const error = offer.result.ok ? null : (offer.result.error as ErrorBody);
  if (error?.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error('no link offer');
  return error.details.ticket;
}

describe('notes around an account change, on two warm instances', () => {
  it('注销: notes written before, racing and after the deletion all go with the account; writes after it are refused', async () => {
    const leaving = person('leaving');
    const id = await signUp(leaving);
    await warmBoth(leaving);
    expect((await readsAndWrites(leaving, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const [deleted, during] = await Promise.all([
      login(leaving, { action: 'deleteAccount', confirm: true }),
      readsAndWrites(leaving, 'during'),
    ]);
    dataOf(deleted);
    for (const answer of during) expect(['ok', 'USER_NOT_FOUND']).toContain(codeOf(answer));

    const after = await readsAndWrites(leaving, 'after');
    expect(after.slice(2).map(codeOf)).toEqual(['USER_NOT_FOUND', 'USER_NOT_FOUND']);
    for (const read of after.slice(0, 2)) if (read.result.ok) expect(read.result.data.notes).toEqual([]);
    expect(notesOf(id)).toEqual([]);
    expect(unreachableOwners()).toEqual([]);
  });

  it('注销 racing adds, 20 times over: no note ever outlives the account', async () => {
    for (let round = 0; round < 20; round += 1) {
      const leaving = person(`race-${round}`);
      const id = await signUp(leaving);
      const [adds, deleted] = await Promise.all([
        Promise.all([notes(leaving, { action: 'add', text: 'a' }), notes(leaving, { action: 'add', text: 'b' })]),
        login(leaving, { action: 'deleteAccount', confirm: true }),
      ]);
      dataOf(deleted);
      for (const answer of adds) expect(['ok', 'USER_NOT_FOUND']).toContain(codeOf(answer));
      expect(notesOf(id)).toEqual([]);
    }
    expect(unreachableOwners()).toEqual([]);
  });

  it('关联: every note of both accounts ends in the joined account; the device that linked lists them all on its next call', async () => {
    const owner = person('owner');
    const ownerId = await signUp(owner);
    dataOf(await notes(owner, { action: 'add', text: 'owner-note' }));
    const newcomer = person('newcomer');
    const newcomerId = await signUp(newcomer);
    const ticket = await linkTicket(owner, newcomer, '13900000301');
    await warmBoth(newcomer);
    expect((await readsAndWrites(newcomer, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const [linked, during] = await Promise.all([login(newcomer, { action: 'confirmLink', ticket }), readsAndWrites(newcomer, 'during')]);
    expect((dataOf(linked).user as { id: string }).id).toBe(ownerId);
    expect(during.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const after = await readsAndWrites(newcomer, 'after', ownerId);
    expect(after.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const all = ['after-a', 'after-b', 'before-a', 'before-b', 'during-a', 'during-b', 'owner-note'];
    expect(notesOf(ownerId)).toEqual(all);
    expect(notesOf(newcomerId)).toEqual([]);
    const listed = await Promise.all([
      notes(newcomer, { action: 'list', limit: 50, accountHint: ownerId }),
      notes(newcomer, { action: 'list', limit: 50, accountHint: ownerId }),
    ]);
    for (const answer of listed) expect((dataOf(answer).notes as Array<{ text: string }>).map((note) => note.text).sort()).toEqual(all);
    expect(unreachableOwners()).toEqual([]);
  });

  it('解绑: once this WeChat is unlinked no instance writes into the account it left; signed in again, both list the new, empty account', async () => {
    const caller = person('unlinked');
    const accountId = await signUp(caller);
    dataOf(await login(caller, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700000401') }));
    await warmBoth(caller);
    expect((await readsAndWrites(caller, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const { identities } = dataOf(await login(caller, { action: 'listIdentities' })) as { identities: Array<{ id: string; kind: string }> };
    const wechat = identities.find((identity) => identity.kind === 'wechat')?.id;

    const [unlinked, during] = await Promise.all([
      login(caller, { action: 'unlinkIdentity', identityId: wechat }),
      readsAndWrites(caller, 'during'),
    ]);
    expect(dataOf(unlinked).signedOut).toBe(true);
    for (const answer of during) expect(['ok', 'USER_NOT_FOUND']).toContain(codeOf(answer));
    const kept = notesOf(accountId);

    const after = await readsAndWrites(caller, 'after');
    expect(after.slice(2).map(codeOf)).toEqual(['USER_NOT_FOUND', 'USER_NOT_FOUND']);
    expect(notesOf(accountId)).toEqual(kept);

    const newId = await signUp(caller);
    const listed = await Promise.all([
      notes(caller, { action: 'list', accountHint: newId }),
      notes(caller, { action: 'list', accountHint: newId }),
    ]);
    for (const answer of listed) expect(dataOf(answer).notes).toEqual([]);
    expect(unreachableOwners()).toEqual([]);
  });

  it('封禁: from the moment the ban is stored neither instance writes; reads show only the person’s own notes', async () => {
    const caller = person('banned');
    const id = await signUp(caller);
    await warmBoth(caller);
    expect((await readsAndWrites(caller, 'before')).map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const [, during] = await Promise.all([patch('users', id, { status: 'banned' }), readsAndWrites(caller, 'during')]);
    for (const answer of during) expect(['ok', 'USER_BANNED']).toContain(codeOf(answer));

    const after = await readsAndWrites(caller, 'after');
    expect(after.slice(2).map(codeOf)).toEqual(['USER_BANNED', 'USER_BANNED']);
    expect(notesOf(id).filter((text) => text.startsWith('after'))).toEqual([]);
    for (const read of after.slice(0, 2)) {
      if (read.result.ok)
        expect(notesOf(id)).toEqual(expect.arrayContaining((read.result.data.notes as Array<{ text: string }>).map((note) => note.text)));
    }
  });
});
