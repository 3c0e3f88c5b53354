import type { Note } from '../../../typings/contract';
import { NOTES_FUNCTION_NAME } from '../../contract/lists';
import type { AuthService } from '../auth/create-auth-service';
import { isDeleteAccountData, isNoteData, isNotesPage } from '../response-guards';

/**
 * 我的笔记 on top of auth.call: the notes function's actions as the logged-in user, each answer
 * checked at run time. Holds no state: the notes belong to the account on the server (its user
 * id), so every app of the same person sees the same ones.
 */
export interface NotesService {
  /** A page, newest first; pass `nextCursor` back for the next one (null: the end). */
  list(cursor?: string | null): Promise<{ notes: Note[]; nextCursor: string | null }>;
  add(text: string): Promise<Note>;
  edit(id: string, text: string): Promise<Note>;
  remove(id: string): Promise<void>;
}

export function createNotesService(auth: AuthService): NotesService {
  return {
    list: (cursor = null) => auth.call(NOTES_FUNCTION_NAME, { action: 'list', cursor }, isNotesPage),
    add: async (text) => (await auth.call(NOTES_FUNCTION_NAME, { action: 'add', text }, isNoteData)).note,
    edit: async (id, text) => (await auth.call(NOTES_FUNCTION_NAME, { action: 'edit', id, text }, isNoteData)).note,
    async remove(id) {
      await auth.call(NOTES_FUNCTION_NAME, { action: 'delete', id }, isDeleteAccountData);
    },
  };
}
