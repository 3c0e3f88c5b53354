/**
 * The notes actions (我的笔记). Each runs for the caller protectedFunction resolved (`id`: the user
 * id); no identity field of the event (userId, openid, _openid …) is ever read. Limits live in the
 * contract's lists, so the mini-program shows the same numbers:
 * - text: NOTE_MAX_LENGTH characters (code points, after trimming), not empty (NOTE_EMPTY, NOTE_TOO_LONG);
 * - NOTES_MAX_PER_USER notes per user (NOTE_LIMIT_REACHED; checked before the insert, so two adds
 *   racing at the limit may both pass: a soft bound, never a lost note);
 * - list: NOTES_PAGE_SIZE per page unless `limit` (1..NOTES_MAX_PAGE_SIZE) says otherwise;
 * - edit/delete of a note that is not the caller's: NOTE_NOT_FOUND, the same answer as a note
 *   that does not exist, so ids of other people's notes cannot be probed.
 */
import type { Note, NotesActionMap } from '../../../typings/contract';
import { NOTE_MAX_LENGTH, NOTES_MAX_PAGE_SIZE, NOTES_MAX_PER_USER, NOTES_PAGE_SIZE } from '../../../miniprogram/contract/lists';
import { AppError } from '@wx-cloud-login/server-auth/src/errors';
import { optionalString, requiredString } from '@wx-cloud-login/server-auth/src/event-fields';
import type { ActionHandlers } from '@wx-cloud-login/server-auth/src/protected-function';
import type { NoteDoc, NotesDeps, PagePosition } from './model';

/** Ids this function creates: 32 hex characters; anything else is no note of anyone's. */
const NOTE_ID = /^[0-9a-f]{32}$/;
const MAX_ID_LENGTH = 64;
const MAX_CURSOR_LENGTH = 128;
/** More than the longest note in UTF-16 units, so the length error comes from the rule below. */
const MAX_TEXT_UNITS = NOTE_MAX_LENGTH * 2 + 1000;

function toNote(doc: NoteDoc): Note {
  return { id: doc._id, text: doc.text, createdAt: doc.createdAt.getTime(), updatedAt: doc.updatedAt.getTime() };
}

/** The note's text as stored: trimmed, 1..NOTE_MAX_LENGTH code points. */
export function readNoteText(event: Record<string, unknown>): string {
  const value = event.text;
  if (typeof value !== 'string') throw new AppError('INVALID_ARGUMENT', 'text must be a string');
  if (value.length > MAX_TEXT_UNITS) throw new AppError('NOTE_TOO_LONG', `text is longer than ${NOTE_MAX_LENGTH} characters`);
  const text = value.trim();
  if (text === '') throw new AppError('NOTE_EMPTY', 'text is empty');
  if ([...text].length > NOTE_MAX_LENGTH) throw new AppError('NOTE_TOO_LONG', `text is longer than ${NOTE_MAX_LENGTH} characters`);
  return text;
}

function readNoteId(event: Record<string, unknown>): string {
  const id = requiredString(event, 'id', MAX_ID_LENGTH);
  if (!NOTE_ID.test(id)) throw new AppError('NOTE_NOT_FOUND', 'no such note');
  return id;
}

function readLimit(event: Record<string, unknown>): number {
  const value = event.limit;
  if (value === undefined || value === null) return NOTES_PAGE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > NOTES_MAX_PAGE_SIZE) {
    throw new AppError('INVALID_ARGUMENT', `limit must be an integer from 1 to ${NOTES_MAX_PAGE_SIZE}`);
  }
  return value;
}

/** The cursor is opaque to the client: `<createdAt ms>.<id>` of the page's last note, base64url. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.createdAt.getTime()}.${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition | null {
  const match = /^(\d{1,15})\.([0-9a-f]{32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] && match[2] ? { createdAt: new Date(Number(match[1])), id: match[2] } : null;
}

function readCursor(event: Record<string, unknown>): PagePosition | null {
  const cursor = optionalString(event, 'cursor', MAX_CURSOR_LENGTH);
  if (cursor === undefined || cursor === '') return null;
  const position = decodeCursor(cursor);
  if (!position) throw new AppError('INVALID_ARGUMENT', 'cursor is not one list answered');
  return position;
}

export const notesActions: ActionHandlers<NotesActionMap, NotesDeps> = {
  async add({ id: owner, event, deps, now }) {
    const text = readNoteText(event);
    if ((await deps.notes.countOf(owner)) >= NOTES_MAX_PER_USER) {
      throw new AppError('NOTE_LIMIT_REACHED', `at most ${NOTES_MAX_PER_USER} notes per user`);
    }
    const doc: NoteDoc = { _id: deps.newId(), owner, text, createdAt: now, updatedAt: now };
    await deps.notes.insert(doc);
    return { note: toNote(doc) };
  },

  async list({ id: owner, event, deps }) {
    const limit = readLimit(event);
    const after = readCursor(event);
    // One more than asked tells whether another page follows, without a count.
    const docs = await deps.notes.page(owner, after, limit + 1);
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = docs.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last._id }) : null;
    return { notes: page.map(toNote), nextCursor };
  },

  async edit({ id: owner, event, deps, now }) {
    const id = readNoteId(event);
    const text = readNoteText(event);
    const current = await deps.notes.getOwned(id, owner);
    if (!current || !(await deps.notes.updateText(id, owner, text, now))) throw new AppError('NOTE_NOT_FOUND', 'no such note');
    return { note: toNote({ ...current, text, updatedAt: now }) };
  },

  async delete({ id: owner, event, deps }) {
    const id = readNoteId(event);
    if (!(await deps.notes.remove(id, owner))) throw new AppError('NOTE_NOT_FOUND', 'no such note');
    return { deleted: true };
  },
};
