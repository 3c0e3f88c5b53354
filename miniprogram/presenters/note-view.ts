import type { Note } from '../../typings/contract';
import { NOTE_MAX_LENGTH } from '../contract/lists';
import { formatDateTime } from './user-view';

/** The editor's maxlength: the function's own limit (contract/lists.ts). */
export const NOTE_INPUT_MAX_LENGTH = NOTE_MAX_LENGTH;

/** What 我的笔记 renders of a note, so WXML needs no logic. */
export interface NoteView {
  id: string;
  text: string;
  /** 'yyyy-mm-dd hh:mm', local time: when it was written, or last edited ('编辑于 …'). */
  time: string;
}

export function toNoteView(note: Note): NoteView {
  const edited = note.updatedAt > note.createdAt;
  return { id: note.id, text: note.text, time: edited ? `编辑于 ${formatDateTime(note.updatedAt)}` : formatDateTime(note.createdAt) };
}

/** The counter under the editor: '12/500'. Code points of the trimmed text, as the function counts them. */
export function lengthHint(text: string): string {
  return `${[...text.trim()].length}/${NOTE_MAX_LENGTH}`;
}

/** What the delete confirmation says: the note's beginning, so the person sees which one. */
export function deleteConfirmation(note: NoteView): { title: string; content: string } {
  const chars = [...note.text];
  const preview = chars.length > 20 ? `${chars.slice(0, 20).join('')}…` : note.text;
  return { title: '删除这条笔记？', content: `「${preview}」删除后无法恢复。` };
}
