/**
 * The notes function's data: the `notes` collection (name overridable through NOTES_COLLECTION),
 * one document per note. `owner` is the user id the shared resolution rule answered, never an
 * openid: the same person in every mini-program of one open platform (same unionid) owns the same
 * notes, and the per-user collection list (@wx-cloud-login/server-auth, user-data.ts) lets
 * confirmLink move them and deleteAccount remove them. ADMINONLY with an index on `owner`
 * (cloudbaserc.json): only this function reads and writes it, always filtered by the caller's id.
 */
export interface NoteDoc {
  _id: string;
  owner: string;
  text: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Where a page of notes continues: after this note, in the order newest first. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

/** The database, as the actions need it; notes-store.ts implements it on wx-server-sdk. */
export interface NotesStore {
  countOf(owner: string): Promise<number>;
  insert(note: NoteDoc): Promise<void>;
  /** The owner's notes newest first (createdAt, then _id, descending), after `after`, at most `limit`. */
  page(owner: string, after: PagePosition | null, limit: number): Promise<NoteDoc[]>;
  /** The note if it belongs to `owner`, else null. */
  getOwned(id: string, owner: string): Promise<NoteDoc | null>;
  /** False when no note with this id belongs to `owner` (nothing written). */
  updateText(id: string, owner: string, text: string, at: Date): Promise<boolean>;
  /** False when no note with this id belongs to `owner`. */
  remove(id: string, owner: string): Promise<boolean>;
}

export interface NotesDeps {
  notes: NotesStore;
  newId: () => string;
}
