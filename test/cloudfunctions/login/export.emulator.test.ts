/**
 * 下载我的信息 through the BUILT login and notes functions on the local emulator (real
 * wx-server-sdk, real transactions, real storage): a database holding several people, two of
 * them linked into one account. The export holds every stored field of the person — and nothing
 * of anyone else.
 */
import { EJSON } from 'bson';
import type { ActionMap, ActionName, ExportMyDataData, PersonalDataExport, Result } from '../../../typings/contract';
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
    // Fields another app (or a team's own code) left on the account, and a secret the tutorial pattern stored.
    await patch('users', accountId, { gender: 1, city: '杭州', session_key: 'tutorial-secret==' });

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
      if (field === 'session_key' || BOOKKEEPING_FIELDS.includes(field)) continue;
      const where = field in placed ? placed[field] : document.account.otherFields[field];
      expect([field, where]).toEqual([field, expect.anything()]);
    }
    expect(document.account).toMatchObject({ id: accountId, nickName: '小明', phone: { maskedPhoneNumber: '138****8123' } });
    expect(document.account.otherFields).toEqual({ gender: 1, city: '杭州' });
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
    for (const note of emulator.database.documents('notes').filter((candidate) => candidate.owner === accountId)) {
      const exported = document.data.notes?.find((candidate) => candidate._id === note._id);
      expect(Object.keys(exported ?? {}).sort()).toEqual(Object.keys(note).sort());
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
    for (const raw of [xiaoming.openid, xiaoming.unionid, secondWechat.openid, secondWechat.unionid, phone, 'tutorial-secret']) {
      expect([raw, text.includes(raw)]).toEqual([raw, false]);
    }

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
});
