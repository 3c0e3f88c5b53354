/**
 * NotesStore (model.ts) on the CloudBase database through wx-server-sdk. Every query is filtered
 * by `owner`; every document read goes through a guard (a document of the wrong shape reads as
 * absent). A missing collection reads as empty, and the first insert creates it (logging that only
 * the console, or `npm run deploy`, can make it ADMINONLY).
 */
import { isCollectionExistsError, isCollectionMissingError, orEmpty } from '@wx-cloud-login/server-auth/src/cloudbase-errors';
import type { NoteDoc, NotesStore, PagePosition } from './model';

type Data = Record<string, unknown>;

interface NotesQuery {
  get(): Promise<{ data: Data[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: Data }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
  orderBy(field: string, order: 'asc' | 'desc'): NotesQuery;
  limit(count: number): NotesQuery;
}

/** The part of wx-server-sdk's database used here; `cloud.database()` satisfies it. */
export interface NotesDatabase {
  collection(name: string): { where(condition: unknown): NotesQuery; add(options: { data: Data }): Promise<unknown> };
  createCollection(name: string): Promise<unknown>;
  command: { and(conditions: unknown[]): unknown; or(conditions: unknown[]): unknown; lt(value: unknown): unknown };
}

function asNote(data: Data): NoteDoc | null {
  const { _id, owner, text, createdAt, updatedAt } = data;
  if (typeof _id !== 'string' || typeof owner !== 'string' || typeof text !== 'string') return null;
  if (!(createdAt instanceof Date) || !(updatedAt instanceof Date)) return null;
  return { _id, owner, text, createdAt, updatedAt };
}

export function createNotesStore(db: NotesDatabase, name: string, warn: (message: string) => void): NotesStore {
  const _ = db.command;
  const notes = () => db.collection(name);
  const owned = (id: string, owner: string) => notes().where({ _id: id, owner });

  return {
    async countOf(owner) {
      return (await orEmpty(() => notes().where({ owner }).count(), { total: 0 })).total;
    },

    async insert(note) {
      const add = () => notes().add({ data: { ...note } });
      try {
        await add();
      } catch (error) {
        if (!isCollectionMissingError(error)) throw error;
        await db.createCollection(name).then(
          () =>
            warn(
              `created collection ${name}: set its permission to ADMINONLY (仅管理端可读写) in the CloudBase console, or deploy with npm run deploy`,
            ),
          (createError: unknown) => {
            if (!isCollectionExistsError(createError)) throw createError;
          },
        );
        await add();
      }
    },

    async page(owner, after: PagePosition | null, limit) {
      const condition = after
        ? _.and([{ owner }, _.or([{ createdAt: _.lt(after.createdAt) }, { createdAt: after.createdAt, _id: _.lt(after.id) }])])
        : { owner };
      const { data } = await orEmpty(
        () => notes().where(condition).orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(limit).get(),
        { data: [] },
      );
      return data.map(asNote).filter((note): note is NoteDoc => note !== null);
    },

    async getOwned(id, owner) {
      const { data } = await orEmpty(() => owned(id, owner).limit(1).get(), { data: [] });
      const first = data[0];
      return first ? asNote(first) : null;
    },

    async updateText(id, owner, text, at) {
      const { stats } = await orEmpty(() => owned(id, owner).update({ data: { text, updatedAt: at } }), { stats: { updated: 0 } });
      return stats.updated > 0;
    },

    async remove(id, owner) {
      const { stats } = await orEmpty(() => owned(id, owner).remove(), { stats: { removed: 0 } });
      return stats.removed > 0;
    },
  };
}
