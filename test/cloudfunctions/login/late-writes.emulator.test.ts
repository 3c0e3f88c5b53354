/**
 * A protected function's write whose after-write check never finished (server-auth late-write.ts:
 * the instance crashed between the write and its re-read of the account), landing after the
 * deletion's or the link's own removal or move. The BUILT functions on the emulator, the emulator
 * clock for the late-write window; the crashed write is made here with the admin SDK exactly as
 * the notes function makes it, stamped with the dead or merged owner.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';
import { runAdminAt } from '../../scripts/support/admin';

let emulator: Emulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: emulator.env });
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

type Data = Record<string, unknown>;
interface TestDatabase {
  collection(name: string): {
    add(options: { data: Data }): Promise<unknown>;
    where(condition: Data): { get(): Promise<{ data: Data[] }> };
    doc(id: string): { get(): Promise<{ data: Data | null }> };
  };
}

function db(): TestDatabase {
  return cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as TestDatabase;
}

let people = 0;
function person(name: string): Caller {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-late-writes-app', unionid: `u-${name}-${people}` };
}

async function call(caller: Caller, action: string, payload: Data = {}): Promise<Data> {
  const invocation = await emulator.callFunction('login', { ...payload, action }, caller);
  const result = invocation.result as { ok: boolean; data?: Data; error?: { code: string } };
  if (!result?.ok) throw new Error(`${action} failed: ${JSON.stringify(invocation.result ?? invocation.error)}`);
  return result.data ?? {};
}

async function signUp(caller: Caller): Promise<string> {
  return ((await call(caller, 'login')).user as { id: string }).id;
}

async function addNote(caller: Caller, text: string): Promise<void> {
  const invocation = await emulator.callFunction('notes', { action: 'add', text }, caller);
  expect(invocation.result).toEqual(expect.objectContaining({ ok: true }));
}

/** The write of a notes call whose after-write check never ran: the document as notes-store.ts writes it. */
async function crashedNoteWrite(owner: string, text: string): Promise<void> {
  const at = new Date(emulator.clock.now());
  await db()
    .collection('notes')
    .add({ data: { owner, text, createdAt: at, updatedAt: at } });
}

async function notesOf(owner: string): Promise<string[]> {
  const { data } = await db().collection('notes').where({ owner }).get();
  return data.map((note) => String(note.text)).sort();
}

async function deletionEntry(userId: string): Promise<Data | null> {
  return (await db().collection('account_audit').doc(`delete:${userId}`).get()).data;
}

async function userDoc(userId: string): Promise<Data | null> {
  return (await db().collection('users').doc(userId).get()).data;
}

/** `npm run admin -- cleanup` reading the emulator's clock as now. */
function adminCleanup() {
  return runAdminAt(emulator.url, ['cleanup'], () => new Date(emulator.clock.now()));
}

/** The emulator clock only moves forward here: every entry made before a call is due after it. */
function pastTheWindow(): void {
  emulator.clock.advance(LATE_WRITE_WINDOW_MS + 1000);
}

describe('a write under a deleted account after the deletion removed its data', () => {
  async function deletedWithLateNote(name: string): Promise<{ id: string; gone: Caller }> {
    const gone = person(name);
    const id = await signUp(gone);
    await addNote(gone, '注销前的笔记');
    expect(await call(gone, 'deleteAccount', { confirm: true })).toEqual({ deleted: true });
    expect(await notesOf(id)).toEqual([]);
    await crashedNoteWrite(id, '迟到的笔记');
    return { id, gone };
  }

  it('stays listed while the window lasts; another deletion after it removes the note and records when it finished', async () => {
    const { id } = await deletedWithLateNote('late-a');
    expect(await deletionEntry(id)).toMatchObject({ pendingUserIds: [id], finishedAt: null, lateWritesUntil: expect.any(Date) });

    // Another deletion inside the window does not finish it: the entry stays pending.
    const early = person('early');
    await signUp(early);
    await call(early, 'deleteAccount', { confirm: true });
    expect(await deletionEntry(id)).toMatchObject({ pendingUserIds: [id], finishedAt: null });

    pastTheWindow();
    const later = person('later');
    await signUp(later);
    await call(later, 'deleteAccount', { confirm: true });
    expect(await notesOf(id)).toEqual([]);
    const finished = await deletionEntry(id);
    expect(finished).toMatchObject({ pendingUserIds: [], pendingFileIDs: [], finishedAt: expect.any(Date) });
    const { finishedAt, lateWritesUntil } = (finished ?? {}) as { finishedAt?: Date; lateWritesUntil?: Date };
    expect(finishedAt?.getTime()).toBeGreaterThanOrEqual(lateWritesUntil?.getTime() ?? Number.POSITIVE_INFINITY);
  });

  it('the deleted person’s next login after the window removes it', async () => {
    const { id, gone } = await deletedWithLateNote('late-b');
    pastTheWindow();

    // Their WeChat signs in again: a first login (a fresh account) sweeps what earlier deletions left.
    expect(await signUp(gone)).not.toBe(id);
    expect(await notesOf(id)).toEqual([]);
    expect(await deletionEntry(id)).toMatchObject({ pendingUserIds: [], finishedAt: expect.any(Date) });
  });

  it('npm run admin -- cleanup removes it now, reports the entry as waiting, and finishes it after the window', async () => {
    const { id } = await deletedWithLateNote('late-c');

    const early = await adminCleanup();
    expect(early.code).toBe(0);
    expect(await notesOf(id)).toEqual([]);
    expect(early.stdout).toContain('等待迟到写入窗口');
    expect(await deletionEntry(id)).toMatchObject({ pendingUserIds: [id], finishedAt: null });

    // One more write whose check never ran, still inside the window.
    await crashedNoteWrite(id, '更迟的笔记');
    pastTheWindow();
    const done = await adminCleanup();
    expect(done.code).toBe(0);
    expect(done.stdout).not.toContain('等待迟到写入窗口');
    expect(await notesOf(id)).toEqual([]);
    expect(await deletionEntry(id)).toMatchObject({ pendingUserIds: [], finishedAt: expect.any(Date) });
  });
});

describe('a write under a merged account after the link moved its data', () => {
  async function linked(): Promise<{ owner: Caller; ownerId: string; newcomer: Caller; newcomerId: string }> {
    const owner = person('owner');
    const ownerId = await signUp(owner);
    const phone = `1390000${String(people).padStart(4, '0')}`;
    await call(owner, 'bindPhone', { code: emulator.openapi.issuePhoneCode(phone) });
    const newcomer = person('newcomer');
    const newcomerId = await signUp(newcomer);
    await addNote(newcomer, '关联前的笔记');
    const offer = await emulator.callFunction('login', { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) }, newcomer);
    const ticket = (offer.result as { error: { details: { ticket: string } } }).error.details.ticket;
    expect(((await call(newcomer, 'confirmLink', { ticket })).user as { id: string }).id).toBe(ownerId);
    return { owner, ownerId, newcomer, newcomerId };
  }

  it('npm run admin -- cleanup moves it for people who do not log in again, and finishes after the window', async () => {
    const { ownerId, newcomerId } = await linked();
    await crashedNoteWrite(newcomerId, '迟到的笔记');

    const early = await adminCleanup();
    expect(early.code).toBe(0);
    expect(await notesOf(newcomerId)).toEqual([]);
    expect(await notesOf(ownerId)).toEqual(['关联前的笔记', '迟到的笔记']);
    expect((await userDoc(ownerId))?.lateDataMoves).toEqual([newcomerId]);

    await crashedNoteWrite(newcomerId, '更迟的笔记');
    pastTheWindow();
    const done = await runAdminAt(emulator.url, ['cleanup', '--json'], () => new Date(emulator.clock.now()));
    expect(JSON.parse(done.stdout)).toMatchObject({ linkMoves: { left: 0, waiting: 0 } });
    expect(await notesOf(newcomerId)).toEqual([]);
    expect(await notesOf(ownerId)).toEqual(['关联前的笔记', '更迟的笔记', '迟到的笔记']);
    expect((await userDoc(ownerId))?.lateDataMoves).toEqual([]);
  });

  it('each login inside the window moves it to the joined account; the first after the window finishes the move', async () => {
    const { owner, ownerId, newcomer, newcomerId } = await linked();
    expect(await notesOf(ownerId)).toEqual(['关联前的笔记']);

    await crashedNoteWrite(newcomerId, '迟到的笔记');
    await call(newcomer, 'login');
    expect(await notesOf(newcomerId)).toEqual([]);
    expect(await notesOf(ownerId)).toEqual(['关联前的笔记', '迟到的笔记']);
    // Inside the window the move stays owed.
    expect((await userDoc(ownerId))?.lateDataMoves).toEqual([newcomerId]);
    const { data: open } = await db().collection('account_audit').where({ type: 'account-linked', fromUserId: newcomerId }).get();
    expect(open[0]?.dataMovedAt).toBeUndefined();

    await crashedNoteWrite(newcomerId, '更迟的笔记');
    pastTheWindow();
    await call(owner, 'login');
    expect(await notesOf(newcomerId)).toEqual([]);
    expect(await notesOf(ownerId)).toEqual(['关联前的笔记', '更迟的笔记', '迟到的笔记']);
    expect((await userDoc(ownerId))?.lateDataMoves).toEqual([]);
    expect((await userDoc(ownerId))?.pendingDataMoves).toEqual([]);
    // The link's audit entry says when its data move finished.
    const { data: links } = await db().collection('account_audit').where({ type: 'account-linked', fromUserId: newcomerId }).get();
    expect(links).toEqual([expect.objectContaining({ toUserId: ownerId, dataMovedAt: expect.any(Date) })]);
  });
});
