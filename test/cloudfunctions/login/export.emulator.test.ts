/**
 * 下载我的信息 through the BUILT login and notes functions on the local emulator (real
 * wx-server-sdk, real transactions, real storage): a database holding several people, two of
 * them linked into one account. The export holds every field the kit stores of the person —
 * and no secret planted at any depth, no raw identifier, nothing of anyone else.
 */
import { EJSON } from 'bson';
import type { ActionMap, ActionName, ExportMyDataData, PersonalDataExport, Result } from '../../../typings/contract';
import { PER_USER_COLLECTIONS } from '@wx-cloud-login/server-auth';
import { BOOKKEEPING_FIELDS } from '../../../cloudfunctions/login/src/rules/personal-data';
import { RATE_LIMITS } from '../../../cloudfunctions/login/src/rules/rate-limit';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { dataOf } from './support/actions';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
});

afterAll(async () => {
  await emulator?.close();
});

const APPID = 'wx-export-app';
let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `oExport-${name}-${people}-openid`, appid: APPID, unionid: `uExport-${name}-${people}-unionid` };
}

async function call<A extends ActionName>(
  caller: Caller,
  action: A,
  payload: Record<string, unknown> = {},
): Promise<Result<ActionMap[A]['data']>> {
  const invocation = await emulator.callFunction('login', { ...payload, action }, caller);
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return invocation.result as Result<ActionMap[A]['data']>;
}

async function addNote(caller: Caller, text: string): Promise<void> {
  const invocation = await emulator.callFunction('notes', { action: 'add', text }, caller);
  const result = invocation.result as Result<unknown>;
  if (!result?.ok) throw new Error(`notes add failed: ${JSON.stringify(invocation.result ?? invocation.error)}`);
}

function stored(collection: string, id: string): Record<string, unknown> {
  const found = emulator.database.documents(collection).find((candidate) => candidate._id === id);
  if (!found) throw new Error(`${collection}/${id} does not exist`);
  return found;
}

async function patch(collection: string, id: string, fields: Record<string, unknown>): Promise<void> {
  await emulator.database.importCollection(collection, EJSON.stringify({ ...stored(collection, id), ...fields }, { relaxed: false }));
}

/** Enough notes that the export goes through storage (over INLINE_EXPORT_MAX_BYTES). */
async function seedLongNotes(accountId: string): Promise<void> {
  const notes = Array.from({ length: 200 }, (_, index) => ({
    _id: `note-${accountId}-${index}`,
    owner: accountId,
    text: `长笔记${index}`.padEnd(500, '记'),
    createdAt: { $date: '2026-06-01T00:00:00Z' },
    updatedAt: { $date: '2026-06-01T00:00:00Z' },
  }));
  await emulator.database.importCollection('notes', notes.map((note) => JSON.stringify(note)).join('\n'));
}

/** Another person's openid (set once that person exists). */
let OTHER_OPENID = 'oSomeoneElse';

/** Secrets in every spelling the tutorial pattern and other sign-in services used, at every depth, and another person's openid. */
function planted(): Record<string, unknown> {
  return {
    session_key: 'planted-session_key',
    skey: 'planted-skey',
    'session-key': 'planted-dash',
    sk: 'planted-sk',
    access_token: 'planted-access',
    refreshToken: 'planted-refresh',
    openid: OTHER_OPENID,
    nested: { session_key: 'planted-nested', list: [{ token: 'planted-in-array', _openid: OTHER_OPENID }] },
  };
}

function inline(data: ExportMyDataData): PersonalDataExport {
  if (data.delivery !== 'inline') throw new Error(`expected inline, got ${data.delivery}`);
  return data.document;
}

/** Every string in the stored documents of `userId` a person could recognise as someone else's. */
function tracesOf(userId: string, extra: string[]): string[] {
  const notes = emulator.database.documents('notes').filter((note) => note.owner === userId);
  return [userId, ...notes.map((note) => String(note.text)), ...extra];
}

describe('exportMyData on the emulator', () => {
  it('holds every stored field of the person, across a linked account, and nothing of anyone else', async () => {
    // One minute into a rate-limit window: the two exports at the end fall in the same one.
    const { windowMs } = RATE_LIMITS.exportMyData;
    emulator.clock.set(Math.ceil(emulator.clock.now() / windowMs) * windowMs + 60_000);
    const xiaoming = person('xiaoming');
    const phone = '13800138123';
    const accountId = dataOf(await call(xiaoming, 'login')).user.id;
    dataOf(await call(xiaoming, 'updateProfile', { nickName: '小明' }));
    dataOf(await call(xiaoming, 'bindPhone', { code: emulator.openapi.issuePhoneCode(phone) }));
    await addNote(xiaoming, '小明的第一条笔记');

    // The same person on a second WeChat: a new account, a note, then linked in by the phone number.
    const secondWechat = person('xiaoming-new-phone');
    const oldAccountId = dataOf(await call(secondWechat, 'login')).user.id;
    dataOf(await call(secondWechat, 'updateProfile', { nickName: '小明新号' }));
    await addNote(secondWechat, '换手机后记的笔记');
    const offer = await call(secondWechat, 'bindPhone', { code: emulator.openapi.issuePhoneCode(phone) });
    if (offer.ok || offer.error.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error('expected a link offer');
    dataOf(await call(secondWechat, 'confirmLink', { ticket: offer.error.details.ticket }));

    // Someone else entirely.
    const xiaohong = person('xiaohong');
    const otherId = dataOf(await call(xiaohong, 'login')).user.id;
    dataOf(await call(xiaohong, 'updateProfile', { nickName: '小红' }));
    dataOf(await call(xiaohong, 'bindPhone', { code: emulator.openapi.issuePhoneCode('13900139456') }));
    await addNote(xiaohong, '小红的秘密笔记');
    // Fields another app (or a team's own code) left on the account; secrets in every spelling at
    // every depth and 小红's openid, planted where only a hand-edit or an old app puts them.
    OTHER_OPENID = xiaohong.openid;
    await patch('users', accountId, { gender: 1, city: '杭州', ...planted(), userInfo: { nickName: '小明', ...planted() } });
    const note = emulator.database.documents('notes').find((candidate) => candidate.owner === accountId);
    if (!note) throw new Error('no note');
    await patch('notes', String(note._id), { ...planted(), meta: planted() });

    const data = dataOf(await call(xiaoming, 'exportMyData'));
    const document = inline(data);
    const text = JSON.stringify(document);

    // The account document, field by field: placed, in otherFields, or the function's bookkeeping.
    const account = stored('users', accountId);
    const placed: Record<string, unknown> = {
      _id: document.account.id,
      status: document.account.status,
      nickName: document.account.nickName,
      avatarUrl: document.account.avatarUrl,
      avatarFileID: document.account.avatarFileID,
      boundPhone: document.account.phone?.maskedPhoneNumber,
      createdAt: document.loginHistory.firstLoginAt,
      lastLoginAt: document.loginHistory.lastLoginAt,
      loginCount: document.loginHistory.loginCount,
      identityKeys: document.signInMethods,
      keysHeldElsewhere: document.heldByOtherAccounts,
      linkNotices: document.account.pendingNotices,
    };
    for (const field of Object.keys(account)) {
      if (Object.keys(planted()).includes(field) || BOOKKEEPING_FIELDS.includes(field)) continue;
      const where = field in placed ? placed[field] : document.account.otherFields[field];
      expect([field, where]).toEqual([field, expect.anything()]);
    }
    expect(document.account).toMatchObject({ id: accountId, nickName: '小明', phone: { maskedPhoneNumber: '138****8123' } });
    expect(document.account.otherFields).toEqual({ gender: 1, city: '杭州', userInfo: { nickName: '小明' } });
    // The holder has not logged in since the link: the notice they will see is part of the account.
    expect(document.account.pendingNotices).toEqual([{ kind: 'linked-by-phone', at: expect.any(Number) }]);
    expect(document.loginHistory.loginCount).toBe(stored('users', accountId).loginCount);

    // Both WeChat accounts' sign-in methods, the phone, the merged account and the link, the notes of both.
    expect(document.signInMethods.map((method) => method.provider).sort()).toEqual(
      ['phone', 'wechat', 'wechat', 'wechat-unionid', 'wechat-unionid'].sort(),
    );
    expect(document.signInMethods.filter((method) => method.movedFromAccount === oldAccountId)).toHaveLength(2);
    expect(document.mergedAccounts).toEqual([expect.objectContaining({ id: oldAccountId, nickName: '小明新号' })]);
    expect(document.accountEvents).toEqual([
      expect.objectContaining({
        kind: 'account-linked',
        fromAccount: oldAccountId,
        toAccount: accountId,
        movedProviders: expect.any(Array),
      }),
    ]);
    expect(document.data.notes?.map((note) => note.text).sort()).toEqual(['小明的第一条笔记', '换手机后记的笔记'].sort());
    // Each note with the fields its collection exports (PER_USER_COLLECTIONS), nothing planted.
    const { exportFields } = PER_USER_COLLECTIONS.find((entry) => entry.collection === 'notes') ?? { exportFields: [] };
    for (const stored of emulator.database.documents('notes').filter((candidate) => candidate.owner === accountId)) {
      const exported = document.data.notes?.find((candidate) => candidate._id === stored._id);
      expect(Object.keys(exported ?? {}).sort()).toEqual(exportFields.filter((field) => field in stored).sort());
    }
    expect(data.summary).toMatchObject({
      signInMethods: 5,
      mergedAccounts: 1,
      accountEvents: 1,
      collections: [{ collection: 'notes', documents: 2 }],
    });

    // Nothing of 小红, no raw identifier, no secret.
    for (const trace of [...tracesOf(otherId, ['小红', '13900139456', '139****9456']), xiaohong.openid, xiaohong.unionid]) {
      expect([trace, text.includes(trace)]).toEqual([trace, false]);
    }
    for (const raw of [xiaoming.openid, xiaoming.unionid, secondWechat.openid, secondWechat.unionid, phone, 'planted-']) {
      expect([raw, text.includes(raw)]).toEqual([raw, false]);
    }
    // No field named like a secret or an identifier, anywhere in the document.
    expect(text).not.toMatch(/"[^"]*(session|token|skey|password|openid|unionid)[^"]*":/i);

    // One export per few minutes, counted in the database (any instance sees it).
    const again = await call(xiaoming, 'exportMyData');
    expect(again.ok ? null : again.error).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } }),
    );
  });

  it('hands a large export over through storage: the temporary URL serves the same document, 注销 removes the file', async () => {
    const xiaogang = person('xiaogang');
    const accountId = dataOf(await call(xiaogang, 'login')).user.id;
    const notes = Array.from({ length: 200 }, (_, index) => ({
      _id: `note-${accountId}-${index}`,
      owner: accountId,
      text: `长笔记${index}`.padEnd(500, '记'),
      createdAt: { $date: '2026-06-01T00:00:00Z' },
      updatedAt: { $date: '2026-06-01T00:00:00Z' },
    }));
    await emulator.database.importCollection('notes', notes.map((note) => JSON.stringify(note)).join('\n'));

    const data = dataOf(await call(xiaogang, 'exportMyData'));
    if (data.delivery !== 'file') throw new Error(`expected a file, got ${data.delivery}`);
    const response = await fetch(data.file.url);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(Buffer.byteLength(body, 'utf8')).toBe(data.summary.bytes);
    const document = JSON.parse(body) as PersonalDataExport;
    expect(document.account.id).toBe(accountId);
    expect(document.data.notes).toHaveLength(200);
    expect(stored('users', accountId).personalDataFileID).toBe(data.file.fileID);

    dataOf(await call(xiaogang, 'deleteAccount', { confirm: true }));
    expect(await emulator.storage.read(data.file.fileID)).toBeNull();
  });
  it('given the process dies after the export file is uploaded, before the account records it, 注销 still removes the file', async () => {
    const xiaohong = person('xiaohong');
    const accountId = dataOf(await call(xiaohong, 'login')).user.id;
    await seedLongNotes(accountId);
    const exportsOf = () => emulator.storage.list().filter((file) => file.cloudPath.startsWith(`exports/${accountId}/`));

    // The crash: from the write after the upload on (users write 1 is the intent, 2 the record),
    // nothing the function asks of the database or storage happens any more.
    const dead = [
      emulator.faults.add({
        action: 'database.modifyDocument',
        collection: 'users',
        nth: 2,
        times: 'always',
        error: { code: 'SYS_ERR', message: 'injected: the process is gone' },
      }),
      emulator.faults.add({ action: 'storage.batchDeleteFile', times: 'always', error: { code: 'SYS_ERR', message: 'injected: gone' } }),
    ];
    let crashed: Result<unknown>;
    try {
      crashed = await call(xiaohong, 'exportMyData');
    } finally {
      for (const fault of dead) fault.remove();
    }

    expect(crashed.ok).toBe(false);
    expect(exportsOf()).toHaveLength(1);
    expect(stored('users', accountId).personalDataFileID).toBeUndefined();
    expect(stored('users', accountId).pendingUploads).toEqual([exportsOf()[0]?.cloudPath]);

    dataOf(await call(xiaohong, 'deleteAccount', { confirm: true }));

    expect(exportsOf()).toEqual([]);
    expect(stored('account_audit', `delete:${accountId}`)).toMatchObject({ pendingFileIDs: [], finishedAt: null });
  });

  it('given an export upload that lands after 注销 committed, the next deletion after the late-write window removes it', async () => {
    const xiaoli = person('xiaoli');
    const accountId = dataOf(await call(xiaoli, 'login')).user.id;
    await seedLongNotes(accountId);
    const exportsOf = () => emulator.storage.list().filter((file) => file.cloudPath.startsWith(`exports/${accountId}/`));
    // The export listed its path and died before its upload finished (no file yet, the path listed).
    const dead = emulator.faults.add({
      action: 'storage.getUploadMetadata',
      times: 'always',
      error: { code: 'SYS_ERR', message: 'injected' },
    });
    try {
      expect((await call(xiaoli, 'exportMyData')).ok).toBe(false);
    } finally {
      dead.remove();
    }
    const [listed] = stored('users', accountId).pendingUploads as string[];
    expect(listed).toMatch(new RegExp(`^exports/${accountId}/`));

    dataOf(await call(xiaoli, 'deleteAccount', { confirm: true }));
    // The upload, still in flight in the dying instance, lands after the deletion removed the path.
    await emulator.storage.write(listed as string, Buffer.from('{"profile":"late"}'), 'application/json');
    expect(exportsOf()).toHaveLength(1);
    expect(stored('account_audit', `delete:${accountId}`)).toMatchObject({
      lateUploadFileIDs: [emulator.storage.fileIdFor(listed as string)],
    });

    // Any deletion after the window sweeps it, and the entry is finished.
    emulator.clock.set(emulator.clock.now() + 3 * 60 * 1000);
    const other = person('xiaoli-friend');
    dataOf(await call(other, 'login'));
    dataOf(await call(other, 'deleteAccount', { confirm: true }));
    expect(exportsOf()).toEqual([]);
    expect(stored('account_audit', `delete:${accountId}`)).toMatchObject({ lateUploadFileIDs: [], finishedAt: expect.any(Date) });
  });

  it('given a killed export, the person’s next export an hour later removes the file it left', async () => {
    const xiaozhao = person('xiaozhao');
    const accountId = dataOf(await call(xiaozhao, 'login')).user.id;
    await seedLongNotes(accountId);
    const exportsOf = () => emulator.storage.list().filter((file) => file.cloudPath.startsWith(`exports/${accountId}/`));
    const dead = [
      emulator.faults.add({
        action: 'database.modifyDocument',
        collection: 'users',
        nth: 2,
        times: 'always',
        error: { code: 'SYS_ERR', message: 'injected: the process is gone' },
      }),
      emulator.faults.add({ action: 'storage.batchDeleteFile', times: 'always', error: { code: 'SYS_ERR', message: 'injected: gone' } }),
    ];
    try {
      expect((await call(xiaozhao, 'exportMyData')).ok).toBe(false);
    } finally {
      for (const fault of dead) fault.remove();
    }
    const [left] = exportsOf();

    emulator.clock.set(emulator.clock.now() + 61 * 60 * 1000);
    const data = dataOf(await call(xiaozhao, 'exportMyData'));

    if (data.delivery !== 'file') throw new Error(`expected a file, got ${data.delivery}`);
    expect(exportsOf().map((file) => file.fileID)).toEqual([data.file.fileID]);
    expect(exportsOf()[0]?.cloudPath).not.toBe(left?.cloudPath);
    expect(stored('users', accountId).pendingUploads).toEqual([]);
  });

  it('given an export that completes, the record takes its upload path off the account and 注销 removes the file', async () => {
    const xiaoli = person('xiaoli');
    const accountId = dataOf(await call(xiaoli, 'login')).user.id;
    await seedLongNotes(accountId);

    const data = dataOf(await call(xiaoli, 'exportMyData'));

    if (data.delivery !== 'file') throw new Error(`expected a file, got ${data.delivery}`);
    expect(stored('users', accountId)).toMatchObject({ personalDataFileID: data.file.fileID, pendingUploads: [] });
    dataOf(await call(xiaoli, 'deleteAccount', { confirm: true }));
    expect(emulator.storage.list().filter((file) => file.cloudPath.startsWith(`exports/${accountId}/`))).toEqual([]);
  });
});
