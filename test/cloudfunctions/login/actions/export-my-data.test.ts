/**
 * exportMyData through the handler with the in-memory store: what the document holds, the rate
 * limit, and the large-export path through cloud storage (one file per person, gone with 注销).
 */
import type { ExportMyDataData, PersonalDataExport } from '../../../../typings/contract';
import { INLINE_EXPORT_MAX_BYTES } from '../../../../cloudfunctions/login/src/actions/export-my-data';
import { RATE_LIMITS } from '../../../../cloudfunctions/login/src/rules/rate-limit';
import { alice, bob, call, dataOf, errorWith, signUp, signUpWithPhone } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';

function inline(data: ExportMyDataData): PersonalDataExport {
  if (data.delivery !== 'inline') throw new Error(`expected an inline export, got ${data.delivery}`);
  return data.document;
}

function addNotes(deps: TestDeps, owner: string, count: number, text: string): void {
  const notes = deps.userData.documents.get('notes') ?? [];
  for (let index = 0; index < count; index += 1) {
    notes.push({ _id: `${owner}-note-${index}`, owner, text, createdAt: deps.clock.now });
  }
  deps.userData.documents.set('notes', notes);
}

function later(deps: TestDeps, minutes: number): void {
  deps.clock.now = new Date(deps.clock.now.getTime() + minutes * 60 * 1000);
}

describe('exportMyData', () => {
  it('answers the caller’s document inline: profile, masked sign-in methods and phone, login figures, notes', async () => {
    const deps = createTestDeps();
    const id = await signUpWithPhone(deps, alice, '13800138000');
    dataOf(await call(deps, alice, 'updateProfile', { nickName: '小明' }));
    addNotes(deps, id, 2, '买牛奶');
    await signUp(deps, bob);
    addNotes(deps, 'someone-else', 1, '别人的笔记');

    const data = dataOf(await call(deps, alice, 'exportMyData'));
    const document = inline(data);

    expect(document).toMatchObject({
      schemaVersion: 1,
      exportedAt: deps.clock.now.toISOString(),
      account: { id, status: 'active', nickName: '小明', phone: { maskedPhoneNumber: '138****8000' }, ban: null },
      loginHistory: { loginCount: 1 },
      heldByOtherAccounts: [],
      mergedAccounts: [],
    });
    expect(document.signInMethods.map((method) => [method.provider, method.masked, method.appid])).toEqual(
      expect.arrayContaining([
        ['wechat', '****', 'wxapp1'],
        ['wechat-unionid', '****', null],
        ['phone', '138****8000', null],
      ]),
    );
    expect(document.data.notes?.map((note) => note.text)).toEqual(['买牛奶', '买牛奶']);
    expect(data.summary).toMatchObject({ signInMethods: 3, collections: [{ collection: 'notes', documents: 2 }] });
    expect(data.summary.fileName).toMatch(/^我的信息-2026-01-01\.json$/);
    const text = JSON.stringify(document);
    expect(text).not.toContain('o-alice');
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('别人的笔记');
  });

  it('allows one export per person per window: the next answers RATE_LIMITED with the wait, then passes again', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    await signUp(deps, bob);
    dataOf(await call(deps, alice, 'exportMyData'));
    later(deps, 1);
    const limited = errorWith(await call(deps, alice, 'exportMyData'), 'RATE_LIMITED');
    expect(limited.details.retryAfterMs).toBeGreaterThan(0);
    expect(limited.details.retryAfterMs).toBeLessThanOrEqual(RATE_LIMITS.exportMyData.windowMs);
    dataOf(await call(deps, bob, 'exportMyData'));

    later(deps, RATE_LIMITS.exportMyData.windowMs / 60000);
    dataOf(await call(deps, alice, 'exportMyData'));
  });

  it('refuses a caller without an account (no export creates one)', async () => {
    const deps = createTestDeps();
    errorWith(await call(deps, alice, 'exportMyData'), 'USER_NOT_FOUND');
    expect(deps.store.users.size).toBe(0);
  });

  it('hands a large document over as a file in storage, keeps one file per person, and 注销 deletes it', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    addNotes(deps, id, 200, '长'.repeat(500));

    const first = dataOf(await call(deps, alice, 'exportMyData'));
    if (first.delivery !== 'file') throw new Error('expected a file');
    expect(first.summary.bytes).toBeGreaterThan(INLINE_EXPORT_MAX_BYTES);
    expect(first.file.fileID).toMatch(new RegExp(`/exports/${id}/[^/]+\\.json$`));
    expect(first.file.url).toMatch(/^https:\/\//);
    const stored = JSON.parse(deps.files.uploads.get(first.file.fileID) ?? 'null') as PersonalDataExport;
    expect(stored.data.notes).toHaveLength(200);
    expect(Buffer.byteLength(deps.files.uploads.get(first.file.fileID) ?? '', 'utf8')).toBe(first.summary.bytes);
    expect(deps.store.users.get(id)?.personalDataFileID).toBe(first.file.fileID);

    later(deps, 6);
    const second = dataOf(await call(deps, alice, 'exportMyData'));
    if (second.delivery !== 'file') throw new Error('expected a file');
    expect(second.file.fileID).not.toBe(first.file.fileID);
    expect([...deps.files.uploads.keys()]).toEqual([second.file.fileID]);

    dataOf(await call(deps, alice, 'deleteAccount', { confirm: true }));
    expect(deps.files.uploads.size).toBe(0);
  });

  it('a failure after the upload leaves no file the account does not name', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, alice);
    addNotes(deps, id, 200, '长'.repeat(500));
    deps.store.failNext('updateUser');

    expect(errorWith(await call(deps, alice, 'exportMyData'), 'INTERNAL')).toBeDefined();
    expect(deps.files.uploads.size).toBe(0);
    expect(deps.store.users.get(id)?.personalDataFileID).toBeUndefined();
  });
});
