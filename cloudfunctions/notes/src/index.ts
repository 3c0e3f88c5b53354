/**
 * Entry point of the `notes` cloud function (我的笔记): the worked example of a protected function.
 * protectedFunction (@wx-cloud-login/server-auth) reads the caller from cloud.getWXContext(),
 * resolves them with login's own rule, answers login's envelope and never throws; this file only
 * wires the database and says which actions only read. The same file runs in CloudBase and under the local emulator.
 */
import { randomUUID } from 'node:crypto';
import cloud from 'wx-server-sdk';
import { protectedFunction } from '@wx-cloud-login/server-auth/src/protected-function';
import type { NotesActionMap } from '../../../typings/contract';
import { notesActions } from './actions';
import type { NotesDeps } from './model';
import { createNotesStore, type NotesDatabase } from './notes-store';

export const main = protectedFunction<NotesActionMap, NotesDeps>(cloud, {
  name: 'notes',
  setup: ({ db, log }) => ({
    notes: createNotesStore(db as NotesDatabase, process.env.NOTES_COLLECTION || 'notes', (message) => log.warn(message)),
    newId: () => randomUUID().replace(/-/g, ''),
  }),
  // list only reads: answered through the caller cache (0 round trips warm). add, edit and delete
  // are writes: the account is read before and checked after each (server-auth late-write.ts).
  reads: ['list'],
  actions: notesActions,
});
