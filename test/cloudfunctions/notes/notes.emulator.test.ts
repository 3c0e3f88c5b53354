/**
 * The BUILT notes function (`npm run build`) run by the local emulator's function runtime through
 * the unmodified wx-server-sdk, beside the built login function: notes belong to the user id, so
 * they follow the person across apps of one unionid, into the account a link joins, and out with
 * a deletion.
 */
import { EJSON } from 'bson';
import type { ErrorBody, FunctionData, NotesActionName, Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, onFunctionOutput: () => undefined });
});

afterAll(async () => {
  await emulator?.close();
});

let people = 0;
function person(name: string, appid = 'wx-notes-app'): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid, unionid: `u-${name}-${people}` };
}

async function run(name: string, caller: Caller, data: Record<string, unknown>): Promise<Result<unknown>> {
  const invocation = await emulator.callFunction(name, data, caller);
  if (invocation.error) throw new Error(`${name} did not run: ${invocation.error.message}`);
  return invocation.result as Result<unknown>;
}

async function notes<A extends NotesActionName>(caller: Caller, action: A, payload: Record<string, unknown> = {}) {
  return (await run('notes', caller, { ...payload, action })) as Result<FunctionData<'notes', A>>;
}

function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

function errorOf(result: Result<unknown>): ErrorBody {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return result.error;
}

async function signUp(caller: Caller): Promise<string> {
  return (dataOf(await run('login', caller, { action: 'login' })) as { user: { id: string } }).user.id;
}

function notesOf(owner: string): Record<string, unknown>[] {
  return emulator.database.documents('notes').filter((note) => note.owner === owner);
}

describe('the notes function', () => {
  it('adds, lists newest first with a cursor, edits and deletes the caller’s notes', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const first = dataOf(await notes(alice, 'add', { text: '  买牛奶  ' })).note;
    const second = dataOf(await notes(alice, 'add', { text: '第二条' })).note;
    expect(first).toMatchObject({ text: '买牛奶' });
    expect(first.updatedAt).toBe(first.createdAt);

    const page1 = dataOf(await notes(alice, 'list', { limit: 1 }));
    expect(page1.notes.map((note) => note.id)).toEqual([second.id]);
    const page2 = dataOf(await notes(alice, 'list', { limit: 1, cursor: page1.nextCursor }));
    expect(page2).toEqual({ notes: [first], nextCursor: null });

    const edited = dataOf(await notes(alice, 'edit', { id: first.id, text: '买豆浆' })).note;
    expect(edited).toMatchObject({ id: first.id, text: '买豆浆', createdAt: first.createdAt });
    expect(dataOf(await notes(alice, 'delete', { id: second.id }))).toEqual({ deleted: true });
    expect(dataOf(await notes(alice, 'list')).notes.map((note) => note.text)).toEqual(['买豆浆']);
    expect(notesOf(id).map((note) => note.text)).toEqual(['买豆浆']);
  });

  it('ignores identity fields in the event: userId, openid, _openid and owner name nobody', async () => {
    const victim = person('victim');
    const victimId = await signUp(victim);
    dataOf(await notes(victim, 'add', { text: '私密' }));
    const mallory = person('mallory');
    const malloryId = await signUp(mallory);
    const forged = { userId: victimId, openid: victim.openid, _openid: victim.openid, owner: victimId, unionid: victim.unionid };

    const added = dataOf(await notes(mallory, 'add', { text: '我的', ...forged })).note;
    expect(dataOf(await notes(mallory, 'list', forged)).notes.map((note) => note.text)).toEqual(['我的']);
    expect(notesOf(malloryId).map((note) => note._id)).toEqual([added.id]);
    const victimNote = notesOf(victimId)[0]?._id;
    expect(errorOf(await notes(mallory, 'edit', { id: victimNote, text: 'x', ...forged })).code).toBe('NOTE_NOT_FOUND');
    expect(errorOf(await notes(mallory, 'delete', { id: victimNote, ...forged })).code).toBe('NOTE_NOT_FOUND');
    expect(notesOf(victimId).map((note) => note.text)).toEqual(['私密']);
  });

  it('shows the same notes to the same person in a second mini-program (same unionid)', async () => {
    const inFirstApp = person('two-apps', 'wx-notes-app');
    const id = await signUp(inFirstApp);
    const note = dataOf(await notes(inFirstApp, 'add', { text: '两个小程序都能看到' })).note;
    const inSecondApp = { ...inFirstApp, openid: `${inFirstApp.openid}-second`, appid: 'wx-notes-second-app' };

    expect(dataOf(await notes(inSecondApp, 'list')).notes).toEqual([note]);
    expect(await signUp(inSecondApp)).toBe(id);
    dataOf(await notes(inSecondApp, 'add', { text: '从第二个小程序写的' }));
    expect(dataOf(await notes(inFirstApp, 'list')).notes.map((entry) => entry.text)).toEqual(['从第二个小程序写的', '两个小程序都能看到']);
  });

  it('moves the notes into the account confirmLink joins', async () => {
    const owner = person('owner');
    const ownerId = await signUp(owner);
    dataOf(await run('login', owner, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13900000001') }));
    dataOf(await notes(owner, 'add', { text: '老账号的笔记' }));
    const newcomer = person('newcomer');
    const newcomerId = await signUp(newcomer);
    dataOf(await notes(newcomer, 'add', { text: '新微信的笔记' }));
    const offer = errorOf(await run('login', newcomer, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13900000001') }));
    if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(`no link offer: ${offer.code}`);

    dataOf(await run('login', newcomer, { action: 'confirmLink', ticket: offer.details.ticket }));

    expect(notesOf(newcomerId)).toEqual([]);
    expect(
      notesOf(ownerId)
        .map((note) => note.text)
        .sort(),
    ).toEqual(['新微信的笔记', '老账号的笔记']);
    expect(dataOf(await notes(owner, 'list')).notes).toHaveLength(2);
  });

  it('removes the notes with the account (deleteAccount)', async () => {
    const leaving = person('leaving');
    const id = await signUp(leaving);
    dataOf(await notes(leaving, 'add', { text: '要被删除的笔记' }));
    const staying = person('staying');
    const stayingId = await signUp(staying);
    dataOf(await notes(staying, 'add', { text: '别人的笔记' }));

    dataOf(await run('login', leaving, { action: 'deleteAccount', confirm: true }));

    expect(notesOf(id)).toEqual([]);
    expect(notesOf(stayingId)).toHaveLength(1);
  });

  it('keeps at most NOTES_MAX_PER_USER notes: NOTE_LIMIT_REACHED, nothing written', async () => {
    const busy = person('busy');
    const id = await signUp(busy);
    const now = new Date();
    const seeded = Array.from({ length: 200 }, (_, index) =>
      EJSON.stringify(
        { _id: index.toString(16).padStart(32, '0'), owner: id, text: `n${index}`, createdAt: now, updatedAt: now },
        { relaxed: false },
      ),
    );
    await emulator.database.importCollection('notes', seeded.join('\n'));

    expect(errorOf(await notes(busy, 'add', { text: '第 201 条' })).code).toBe('NOTE_LIMIT_REACHED');
    expect(notesOf(id)).toHaveLength(200);
  });

  describe('bad input', () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['add without text', 'INVALID_ARGUMENT', { action: 'add' }],
      ['add with a number', 'INVALID_ARGUMENT', { action: 'add', text: 42 }],
      ['add with only spaces', 'NOTE_EMPTY', { action: 'add', text: ' \n\t ' }],
      ['add 501 characters', 'NOTE_TOO_LONG', { action: 'add', text: '字'.repeat(501) }],
      ['add 501 emoji (code points, not UTF-16 units)', 'NOTE_TOO_LONG', { action: 'add', text: '😀'.repeat(501) }],
      ['list with limit 0', 'INVALID_ARGUMENT', { action: 'list', limit: 0 }],
      ['list with limit 51', 'INVALID_ARGUMENT', { action: 'list', limit: 51 }],
      ['list with a fractional limit', 'INVALID_ARGUMENT', { action: 'list', limit: 1.5 }],
      ['list with a forged cursor', 'INVALID_ARGUMENT', { action: 'list', cursor: 'not-a-cursor' }],
      ['list with a cursor object', 'INVALID_ARGUMENT', { action: 'list', cursor: { $gt: '' } }],
      ['edit without id', 'INVALID_ARGUMENT', { action: 'edit', text: 'x' }],
      ['edit an id that is an operator', 'INVALID_ARGUMENT', { action: 'edit', id: { $ne: '' }, text: 'x' }],
      ['edit an unknown id', 'NOTE_NOT_FOUND', { action: 'edit', id: 'f'.repeat(32), text: 'x' }],
      ['edit to empty text', 'NOTE_EMPTY', { action: 'edit', id: 'f'.repeat(32), text: '' }],
      ['delete a malformed id', 'NOTE_NOT_FOUND', { action: 'delete', id: '../users' }],
      ['delete without id', 'INVALID_ARGUMENT', { action: 'delete' }],
      ['no action', 'INVALID_ARGUMENT', {}],
      ['an unknown action', 'UNKNOWN_ACTION', { action: 'purge' }],
      ['a prototype member as action', 'UNKNOWN_ACTION', { action: 'constructor' }],
    ];

    let caller: Caller;
    beforeAll(async () => {
      caller = person('bad-input');
      await signUp(caller);
      dataOf(await notes(caller, 'add', { text: '不会被改动' }));
    });

    it.each(cases)('%s: answers %s', async (_name, code, event) => {
      const before = JSON.stringify(emulator.database.documents('notes'));
      expect(errorOf(await run('notes', caller, event)).code).toBe(code);
      expect(JSON.stringify(emulator.database.documents('notes'))).toBe(before);
    });

    it('given an event that is not an object, answers INVALID_ARGUMENT', async () => {
      expect(errorOf(await run('notes', caller, [1, 2] as unknown as Record<string, unknown>)).code).toBe('INVALID_ARGUMENT');
    });
  });

  it('given no WeChat identity (HTTP trigger, timer), answers UNAUTHENTICATED', async () => {
    const invocation = await emulator.callFunction('notes', { action: 'list' }, { openid: '' } as Caller);
    expect(errorOf(invocation.result as Result<unknown>).code).toBe('UNAUTHENTICATED');
  });
});
