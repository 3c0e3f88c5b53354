import { setAuthService } from '../../../../miniprogram/composition-root';
import { ERROR_MESSAGES } from '../../../../miniprogram/presenters/error-message';
import type { Note } from '../../../../typings/contract';
import type { CloudFunctionRequest } from '../../support/fake-wx';
import { installFakeWx } from '../../support/fake-wx';
import { deferred } from '../../support/fake-cloud';
import { loadPage, renderPage, settle, type RenderedPage } from '../../support/render-page';
import { launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';

const fake = installFakeWx();
const notesPage = loadPage('pages/notes/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

const T0 = Date.UTC(2026, 0, 2, 3, 4);
function aNote(id: string, text: string, overrides: Partial<Note> = {}): Note {
  return { id, text, createdAt: T0, updatedAt: T0, ...overrides };
}

/** A notes function in memory, answering like the real one (newest first). */
function serveNotes(initial: Note[] = []) {
  const notes = [...initial];
  let next = 0;
  const handler = ({ name, data }: CloudFunctionRequest): unknown => {
    if (name === 'login') return loginAnswer();
    switch (data.action) {
      case 'list':
        return { ok: true, data: { notes: [...notes], nextCursor: null } };
      case 'add': {
        const note = aNote(`new-${++next}`, String(data.text).trim(), { createdAt: T0 + next, updatedAt: T0 + next });
        notes.unshift(note);
        return { ok: true, data: { note } };
      }
      case 'edit': {
        const index = notes.findIndex((note) => note.id === data.id);
        const current = notes[index];
        if (!current) return failureAnswer('NOTE_NOT_FOUND');
        const note = { ...current, text: String(data.text), updatedAt: current.updatedAt + 60_000 };
        notes[index] = note;
        return { ok: true, data: { note } };
      }
      case 'delete': {
        const index = notes.findIndex((note) => note.id === data.id);
        if (index < 0) return failureAnswer('NOTE_NOT_FOUND');
        notes.splice(index, 1);
        return { ok: true, data: { deleted: true } };
      }
      default:
        return failureAnswer('UNKNOWN_ACTION');
    }
  };
  fake.answerCloud(handler);
  return notes;
}

function texts(page: RenderedPage): string[] {
  return (page.data().notes as { text: string }[]).map((note) => note.text);
}

async function openLoggedIn(initial: Note[] = []): Promise<{ page: RenderedPage; notes: Note[] }> {
  await launchWithCachedUser(fake, aUser());
  const notes = serveNotes(initial);
  const page = renderPage(notesPage);
  await settle();
  return { page, notes };
}

describe('pages/notes (我的笔记)', () => {
  it('logged out, offers 微信登录 and calls nothing; the login page comes back here', async () => {
    const page = renderPage(notesPage);
    await settle();

    expect(page.text('#notes-logged-out')).toContain('登录后可查看和保存你的笔记');
    expect(fake.cloudCalls).toHaveLength(0);

    await page.tap('#notes-login');
    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/notes/index')}` },
    ]);
  });

  it('shows 加载中… while the list loads, then the empty state', async () => {
    await launchWithCachedUser(fake, aUser());
    const pending = deferred<unknown>();
    fake.answerCloud(() => pending.promise);
    const page = renderPage(notesPage);
    await settle();
    expect(page.text('#notes-loading')).toBe('加载中…');

    pending.resolve({ ok: true, data: { notes: [], nextCursor: null } });
    await settle();
    expect(page.exists('#notes-loading')).toBe(false);
    expect(page.text('#notes-empty')).toContain('还没有笔记');
  });

  it('shows the notes newest first with their time; an edited one says 编辑于', async () => {
    const { page } = await openLoggedIn([aNote('b', '第二条', { updatedAt: T0 + 120_000 }), aNote('a', '第一条')]);
    expect(texts(page)).toEqual(['第二条', '第一条']);
    expect(page.text('#note-0')).toContain('编辑于');
    expect(page.text('#note-1')).not.toContain('编辑于');
  });

  it('given the list failing, shows the message of its code from the one table, and 重试 loads it', async () => {
    await launchWithCachedUser(fake, aUser());
    fake.answerCloud(({ name }) => (name === 'login' ? loginAnswer() : failureAnswer('INTERNAL')));
    const page = renderPage(notesPage);
    await settle();

    expect(page.text('#notes-error')).toBe(ERROR_MESSAGES.INTERNAL);
    expect(page.exists('#notes-failed')).toBe(true);

    serveNotes([aNote('a', '回来了')]);
    await page.tap('#notes-retry');
    expect(page.exists('#notes-error')).toBe(false);
    expect(texts(page)).toEqual(['回来了']);
  });

  it('adds a note: it appears on top, the editor empties, a toast confirms', async () => {
    const { page, notes } = await openLoggedIn([aNote('a', '旧的')]);
    await page.dispatch('#note-input', 'input', { value: '  新的想法 ' });
    expect(page.text('#note-hint')).toBe('4/500');

    await page.tap('#note-save');

    expect(texts(page)).toEqual(['新的想法', '旧的']);
    expect(notes.map((note) => note.text)).toEqual(['新的想法', '旧的']);
    expect(page.data().draft).toBe('');
    expect(fake.toasts).toEqual(['已添加']);
  });

  it('given an empty draft, shows NOTE_EMPTY’s message without calling the function', async () => {
    const { page } = await openLoggedIn();
    const calls = fake.cloudCalls.length;
    await page.dispatch('#note-input', 'input', { value: '   ' });
    await page.tap('#note-save');
    expect(page.text('#notes-error')).toBe(ERROR_MESSAGES.NOTE_EMPTY);
    expect(fake.cloudCalls).toHaveLength(calls);
  });

  it('given the function refusing the text (NOTE_TOO_LONG), shows its message and keeps the draft', async () => {
    await launchWithCachedUser(fake, aUser());
    serveNotes();
    const page = renderPage(notesPage);
    await settle();
    fake.answerCloud(() => failureAnswer('NOTE_TOO_LONG'));
    await page.dispatch('#note-input', 'input', { value: '很长' });
    await page.tap('#note-save');
    expect(page.text('#notes-error')).toBe(ERROR_MESSAGES.NOTE_TOO_LONG);
    expect(page.data().draft).toBe('很长');
  });

  it('edits a note in place: 编辑 fills the editor, 保存 replaces the text, 取消 leaves it', async () => {
    const { page } = await openLoggedIn([aNote('a', '原来的')]);
    await page.tap('#edit-0');
    expect(page.data().draft).toBe('原来的');
    expect(page.text('#note-save')).toBe('保存');

    await page.dispatch('#note-input', 'input', { value: '改过的' });
    await page.tap('#note-save');
    expect(texts(page)).toEqual(['改过的']);
    expect(page.text('#note-0')).toContain('编辑于');
    expect(page.data().editingId).toBe('');

    await page.tap('#edit-0');
    await page.tap('#note-cancel');
    expect(page.data()).toMatchObject({ editingId: '', draft: '' });
  });

  it('deletes only after confirmation: 取消 keeps the note, 删除 removes it', async () => {
    const { page, notes } = await openLoggedIn([aNote('a', '要删的笔记')]);

    fake.answerModal(false);
    await page.tap('#delete-0');
    await settle();
    expect(fake.modals[0]).toMatchObject({ title: '删除这条笔记？', content: '「要删的笔记」删除后无法恢复。', confirmText: '删除' });
    expect(texts(page)).toEqual(['要删的笔记']);
    expect(notes).toHaveLength(1);

    fake.answerModal(true);
    await page.tap('#delete-0');
    await settle();
    expect(texts(page)).toEqual([]);
    expect(notes).toHaveLength(0);
    expect(page.exists('#notes-empty')).toBe(true);
  });

  it('pull-to-refresh reloads the list and ends the refresh', async () => {
    const { page, notes } = await openLoggedIn([aNote('a', '一')]);
    notes.unshift(aNote('b', '另一台设备写的'));

    await (page.component.instance as { onPullDownRefresh(): Promise<void> }).onPullDownRefresh();

    expect(texts(page)).toEqual(['另一台设备写的', '一']);
    expect(fake.refreshStops).toBe(1);
  });

  it('given the account banned meanwhile, ends the session and shows why', async () => {
    await launchWithCachedUser(fake, aUser());
    fake.answerCloud(({ name }) => (name === 'login' ? loginAnswer() : failureAnswer('USER_BANNED')));
    const page = renderPage(notesPage);
    await settle();
    expect(page.text('#notes-error')).toBe(ERROR_MESSAGES.USER_BANNED);
    expect(page.exists('#notes-logged-out')).toBe(true);
  });
});
