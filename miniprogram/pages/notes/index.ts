import { userPage } from '../../behaviors/user-page';
import { setChanged } from '../../behaviors/changed-data';
import { dialogs, getAuthService, getNotesService, navigator } from '../../composition-root';
import { loginStep, ROUTES } from '../../navigation/routes';
import { failureCode, messageFor } from '../../presenters/error-message';
import { deleteConfirmation, lengthHint, NOTE_INPUT_MAX_LENGTH, type NoteView, toNoteView } from '../../presenters/note-view';
import { toUserView } from '../../presenters/user-view';

/**
 * 我的笔记: the worked example of a page on a second cloud function (notes) through auth.call.
 * The notes belong to the account, not to this WeChat app: the same person in another
 * mini-program of the same open platform sees the same ones. Logged out, the page offers 微信登录
 * (pages/login, with its consent) and loads the notes on the way back. Pull down to reload.
 */

type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

Component({
  behaviors: [userPage],
  data: {
    notes: [] as NoteView[],
    listStatus: 'idle' as ListStatus,
    nextCursor: null as string | null,
    loadingMore: false,
    draft: '',
    draftHint: lengthHint(''),
    maxLength: NOTE_INPUT_MAX_LENGTH,
    /** The note being edited ('' while adding a new one). */
    editingId: '',
    saving: false,
    /** The note being deleted: its button shows the loading state. */
    deletingId: '',
  },
  methods: {
    onShow() {
      this.showUser();
      // First show, and the return from pages/login after a logged-out visit.
      if (this.data.user.loggedIn && this.data.listStatus === 'idle') void this.loadNotes();
    },
    showUser() {
      const user = getAuthService().currentUser();
      setChanged(this, {
        user: toUserView(user),
        ...(!user && { notes: [], listStatus: 'idle', nextCursor: null, draft: '', editingId: '' }),
      });
    },
    async loadNotes() {
      this.setData({ listStatus: 'loading' });
      try {
        const page = await getNotesService().list();
        this.setData({ notes: page.notes.map(toNoteView), nextCursor: page.nextCursor, listStatus: 'ready', errorMessage: '' });
      } catch (error) {
        this.setData({ listStatus: 'error' });
        this.showFailure(error);
      }
    },
    async onPullDownRefresh() {
      if (this.data.user.loggedIn) await this.loadNotes();
      navigator.stopRefresh();
    },
    async onLoadMore() {
      const cursor = this.data.nextCursor;
      if (!cursor || this.data.loadingMore) return;
      this.setData({ loadingMore: true });
      try {
        const page = await getNotesService().list(cursor);
        this.setData({ notes: [...this.data.notes, ...page.notes.map(toNoteView)], nextCursor: page.nextCursor });
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ loadingMore: false });
      }
    },
    onReachBottom() {
      void this.onLoadMore();
    },
    onRetry() {
      this.setData({ errorMessage: '' });
      void this.loadNotes();
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.notes));
    },
    onDraftInput(event: WechatMiniprogram.Input) {
      const draft = event.detail.value;
      this.setData({ draft, draftHint: lengthHint(draft) });
    },
    async onSave() {
      if (this.data.saving) return;
      const text = this.data.draft;
      // Decided here too, so an empty note costs no call; the function checks it again.
      if (text.trim() === '') {
        this.setData({ errorMessage: messageFor('NOTE_EMPTY'), notice: '' });
        return;
      }
      const editingId = this.data.editingId;
      this.setData({ saving: true, errorMessage: '', notice: '' });
      try {
        const service = getNotesService();
        if (editingId) {
          const note = toNoteView(await service.edit(editingId, text));
          this.setData({ notes: this.data.notes.map((entry) => (entry.id === note.id ? note : entry)) });
          dialogs.toast('已保存');
        } else {
          const note = toNoteView(await service.add(text));
          this.setData({ notes: [note, ...this.data.notes], listStatus: 'ready' });
          dialogs.toast('已添加');
        }
        this.setData({ draft: '', draftHint: lengthHint(''), editingId: '' });
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ saving: false });
      }
    },
    onEditTap(event: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const note = this.data.notes.find((entry) => entry.id === event.currentTarget.dataset.id);
      if (!note) return;
      this.setData({ editingId: note.id, draft: note.text, draftHint: lengthHint(note.text), errorMessage: '', notice: '' });
    },
    onCancelEdit() {
      this.setData({ editingId: '', draft: '', draftHint: lengthHint('') });
    },
    async onDeleteTap(event: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const note = this.data.notes.find((entry) => entry.id === event.currentTarget.dataset.id);
      if (!note || this.data.deletingId) return;
      const confirmed = await dialogs.confirm({ ...deleteConfirmation(note), confirmText: '删除', destructive: true });
      if (!confirmed) return;
      this.setData({ deletingId: note.id, errorMessage: '', notice: '' });
      try {
        await getNotesService().remove(note.id);
        this.removeFromList(note.id);
        dialogs.toast('已删除');
      } catch (error) {
        // Gone already (deleted in the other app): what the person wanted.
        if (failureCode(error) === 'NOTE_NOT_FOUND') this.removeFromList(note.id);
        this.showFailure(error);
      } finally {
        this.setData({ deletingId: '' });
      }
    },
    removeFromList(id: string) {
      this.setData({
        notes: this.data.notes.filter((entry) => entry.id !== id),
        ...(this.data.editingId === id ? { editingId: '', draft: '', draftHint: lengthHint('') } : {}),
      });
    },
  },
});
