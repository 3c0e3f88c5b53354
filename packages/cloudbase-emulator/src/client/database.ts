/**
 * `wx.cloud.database()` as a mini-program page sees it, for the browser preview and for rules tests
 * (rules-testing.ts). Browser-safe: no Node module.
 *
 * The query builder is the real one, @cloudbase/database (the library wx-server-sdk and the
 * CloudBase JS SDK run; the mini-program's own client speaks the same `database.*` actions): every
 * command, serverDate, Geo, RegExp, orderBy/skip/limit/field is encoded exactly as CloudBase
 * receives it. This file adds what the mini-program client adds on top: wx-style answers
 * (`{ data, errMsg: 'collection.get:ok' }`, `{ _id }`, `{ stats: { updated } }`, `{ stats: { removed } }`,
 * `{ total }`), optional success/fail/complete callbacks, and failures as
 * `Error('<api>:fail <errCode> <meaning>. <message>')` with `errCode`/`errMsg`, the codes wx-server-sdk
 * maps CloudBase's error names to (DATABASE_PERMISSION_DENIED → -502003).
 *
 * @cloudbase/database reaches its transport through one static, `Db.reqClass`, read when a query,
 * document or collection object is built. Building runs synchronously under this file's request
 * class and puts the old one back, so wx-server-sdk (node-sdk sets its own) can share the process.
 */
import { Db } from '@cloudbase/database';

/**
 * One `database.*` action sent as the client; resolves with the envelope `{ data }` or `{ code, message }`.
 * `signal` aborts a watch's long-poll round when the watcher is closed.
 */
export type ClientDatabaseSend = (
  action: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
) => Promise<Record<string, unknown>>;

export interface ClientDatabaseOptions {
  send: ClientDatabaseSend;
  /** Reported for each finished call (the preview's call log). */
  onCall?: (record: { label: string; ok: boolean; durationMs: number; error?: string }) => void;
  /** Clock for durationMs. Default Date.now. */
  now?: () => number;
}

/** One change of a watched query, in the shape of the mini-program's realtime snapshots. */
export interface WatchChange {
  id: number;
  dataType: 'init' | 'add' | 'update' | 'remove';
  queueType: 'init' | 'enqueue' | 'update' | 'dequeue';
  docId: unknown;
  doc: Record<string, unknown>;
  /** On an update: the top-level fields that changed, with their new values. */
  updatedFields?: Record<string, unknown>;
  /** On an update: the top-level fields that went away. */
  removedFields?: string[];
}

export interface WatchSnapshot {
  id: number;
  docs: Record<string, unknown>[];
  docChanges: WatchChange[];
  /** 'init' on the first snapshot. */
  type?: 'init';
}

export interface WatchOptions {
  onChange(snapshot: WatchSnapshot): void;
  onError?(error: WxCloudError): void;
}

export interface Watcher {
  close(): Promise<void>;
}

/** CloudBase error NAME → the errCode a mini-program sees, and its meaning as the SDK prints it. */
const ERROR_CODES: Record<string, [number, string]> = {
  SYS_ERR: [-501001, 'system error'],
  INVALID_PARAM: [-501007, 'invalid parameters'],
  DATABASE_REQUEST_FAILED: [-502001, 'database request fail'],
  DATABASE_INVALID_OPERRATOR: [-502002, 'database invalid operator'],
  DATABASE_PERMISSION_DENIED: [-502003, 'database permission denied'],
  DATABASE_COLLECTION_EXCEED_LIMIT: [-502004, 'database collection exceed limit'],
  DATABASE_COLLECTION_NOT_EXIST: [-502005, 'database collection not exists'],
};

export interface WxCloudError extends Error {
  errCode: number;
  errMsg: string;
}

function sdkError(api: string, errCode: number, meaning: string, message: string): WxCloudError {
  const error = new Error(`${api}:fail ${errCode} ${meaning}. ${message}`) as WxCloudError;
  error.errCode = errCode;
  error.errMsg = error.message;
  return error;
}

function failureOf(api: string, error: unknown): WxCloudError {
  if (error instanceof Error && typeof (error as Partial<WxCloudError>).errMsg === 'string') return error as WxCloudError;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    const { code, message } = error as { code: string; message?: unknown };
    const [errCode, meaning] = ERROR_CODES[code] ?? [-501001, 'system error'];
    return sdkError(api, errCode, meaning, `[${code}] ${String(message ?? '')}`);
  }
  const text = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`${api}:fail ${text}`) as WxCloudError;
  wrapped.errCode = -1;
  wrapped.errMsg = wrapped.message;
  return wrapped;
}

/** A CloudBase error envelope `{ code, message }` becomes a thrown failure. */
function checked<T extends Record<string, unknown>>(reply: T): T {
  if (typeof reply.code === 'string' && reply.code !== '') throw reply;
  return reply;
}

interface Callbacks<T> {
  success?: (result: T) => void;
  fail?: (error: WxCloudError) => void;
  complete?: (resultOrError: T | WxCloudError) => void;
}

type Inner = Record<string, (...args: unknown[]) => unknown>;

class PortRequest {
  constructor(private readonly config: { send: ClientDatabaseSend }) {}
  send(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.config.send(action, params);
  }
}

type Sender = (action: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

type Change = Omit<WatchChange, 'id'>;

function initChange(doc: Record<string, unknown>): Change {
  return { dataType: 'init', queueType: 'init', docId: doc._id, doc };
}

/** What changed between two answers of a watched query, by _id: adds and updates in order, then removals. */
function changesBetween(before: Map<string, Record<string, unknown>>, after: Map<string, Record<string, unknown>>): Change[] {
  const changes: Change[] = [];
  for (const [key, doc] of after) {
    const old = before.get(key);
    if (!old) {
      changes.push({ dataType: 'add', queueType: 'enqueue', docId: doc._id, doc });
      continue;
    }
    const updatedFields: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(doc)) {
      if (JSON.stringify(value) !== JSON.stringify(old[field])) updatedFields[field] = value;
    }
    const removedFields = Object.keys(old).filter((field) => !(field in doc));
    if (Object.keys(updatedFields).length > 0 || removedFields.length > 0)
      changes.push({ dataType: 'update', queueType: 'update', docId: doc._id, doc, updatedFields, removedFields });
  }
  for (const [key, doc] of before) {
    if (!after.has(key)) changes.push({ dataType: 'remove', queueType: 'dequeue', docId: doc._id, doc });
  }
  return changes;
}

export interface ClientDatabase {
  collection(name: string): ClientCollection;
  command: unknown;
  serverDate(options?: { offset?: number }): unknown;
  Geo: Record<string, (...args: unknown[]) => unknown>;
  RegExp(options: { regexp: string; options?: string }): unknown;
}

export function createClientDatabase(options: ClientDatabaseOptions): ClientDatabase {
  /** Set while a watch round calls get(): where that get() sends (get() sends before its first await). */
  let redirect: Sender | null = null;
  const db = new Db({ send: ((action, params) => (redirect ?? options.send)(action, params)) satisfies Sender });

  /** Runs `work` (one get()) with its request going to `sender` instead of the emulator's get. */
  function sendingThrough<T>(sender: Sender, work: () => T): T {
    const previous = redirect;
    redirect = sender;
    try {
      return work();
    } finally {
      redirect = previous;
    }
  }

  function build<T>(work: () => T): T {
    const previous = Db.reqClass;
    Db.reqClass = PortRequest;
    try {
      return work();
    } finally {
      Db.reqClass = previous;
    }
  }

  /**
   * Runs one API call and answers through the callbacks when the caller gave any. The Promise is
   * returned either way (wx returns undefined with callbacks; a caller using them ignores it), and
   * then its rejection is handled, so a failure reported to `fail` is not also an unhandled one.
   */
  function call<T>(api: string, label: string, callbacks: Callbacks<T> | undefined, work: () => Promise<T>): Promise<T> {
    const now = options.now ?? Date.now;
    const started = now();
    const promise = work().then(
      (result) => {
        options.onCall?.({ label, ok: true, durationMs: now() - started });
        return result;
      },
      (error: unknown) => {
        const failure = failureOf(api, error);
        options.onCall?.({ label, ok: false, durationMs: now() - started, error: failure.errMsg });
        throw failure;
      },
    );
    if (!callbacks || (!callbacks.success && !callbacks.fail && !callbacks.complete)) return promise;
    promise.catch(() => undefined);
    promise.then(
      (result) => {
        callbacks.success?.(result);
        callbacks.complete?.(result);
      },
      (error: WxCloudError) => {
        callbacks.fail?.(error);
        callbacks.complete?.(error);
      },
    );
    return promise;
  }

  const ok = (api: string) => `${api}:ok`;

  /**
   * watch(): the emulator pushes through long-poll rounds (`database.watch`, client-access/watch.ts).
   * Each round carries the get() the watched query would send and the digest of the last answer;
   * the emulator answers when what this client may read differs. The answer goes through get()'s
   * own decoding, then becomes a snapshot: the first is 'init', later ones list what was added,
   * updated (with updatedFields / removedFields) and removed, by _id. A refusal or a lost
   * connection ends the watch through onError; close() ends the open round.
   */
  function push(api: string, get: () => Promise<unknown>, watchOptions: WatchOptions): Watcher {
    if (typeof watchOptions?.onChange !== 'function') throw failureOf(api, 'onChange must be a function');
    const controller = new AbortController();
    let closed = false;
    let digest: string | null = null;
    let previous: Map<string, Record<string, unknown>> | null = null;
    let snapshots = 0;
    let changeIds = 0;
    const round = async (): Promise<Record<string, unknown>[]> => {
      const reply = checked(
        (await sendingThrough(async (action, params) => {
          const answer = await options.send('database.watch', { request: { ...params, action }, digest }, controller.signal);
          if (typeof answer.code === 'string' && answer.code !== '') return answer;
          const data = answer.data as { digest: string; reply: unknown };
          digest = data.digest;
          return { requestId: answer.requestId, data: data.reply };
        }, get)) as Record<string, unknown>,
      );
      const data = reply.data;
      return (Array.isArray(data) ? data : data ? [data] : []) as Record<string, unknown>[];
    };
    const run = async (): Promise<void> => {
      for (;;) {
        let docs: Record<string, unknown>[];
        try {
          docs = await round();
        } catch (error) {
          if (closed) return;
          closed = true;
          watchOptions.onError?.(failureOf(api, error));
          return;
        }
        if (closed) return;
        const current = new Map(docs.map((doc) => [JSON.stringify(doc._id), doc]));
        const changes = previous ? changesBetween(previous, current) : docs.map((doc) => initChange(doc));
        const first = previous === null;
        previous = current;
        if (first || changes.length > 0) {
          snapshots += 1;
          watchOptions.onChange({
            id: snapshots,
            docs,
            docChanges: changes.map((change) => ({ id: ++changeIds, ...change })),
            ...(first && { type: 'init' as const }),
          });
        }
      }
    };
    void run();
    return {
      close: async () => {
        closed = true;
        controller.abort();
      },
    };
  }

  type UpdateOptions = { data: Record<string, unknown> } & Callbacks<{ stats: { updated: number }; errMsg: string }>;
  type RemoveCallbacks = Callbacks<{ stats: { removed: number }; errMsg: string }>;

  // update / remove / watch answer alike for a query and a document: only the API name and the label differ.
  function updateThrough(api: 'collection' | 'document', label: string, inner: Inner, options: UpdateOptions) {
    return call(`${api}.update`, `database update ${label}`, options, async () => {
      const reply = checked((await inner.update?.(options.data)) as Record<string, unknown>);
      return { stats: { updated: reply.updated as number }, errMsg: ok(`${api}.update`) };
    });
  }
  function removeThrough(api: 'collection' | 'document', label: string, inner: Inner, callbacks: RemoveCallbacks | undefined) {
    return call(`${api}.remove`, `database remove ${label}`, callbacks, async () => {
      const reply = checked((await inner.remove?.()) as Record<string, unknown>);
      return { stats: { removed: (reply.deleted as number) ?? 0 }, errMsg: ok(`${api}.remove`) };
    });
  }
  function watchThrough(api: 'collection' | 'document', inner: Inner, watchOptions: WatchOptions): Watcher {
    return push(`${api}.watch`, () => inner.get?.() as Promise<unknown>, watchOptions);
  }

  class Query implements ClientQuery {
    constructor(
      protected readonly inner: Inner,
      protected readonly name: string,
    ) {}

    protected derive(method: string, args: unknown[]): Query {
      return new Query(
        build(() => this.inner[method]?.(...args) as Inner),
        this.name,
      );
    }
    where(query: Record<string, unknown>): Query {
      return this.derive('where', [query]);
    }
    orderBy(field: string, order: 'asc' | 'desc'): Query {
      return this.derive('orderBy', [field, order]);
    }
    limit(n: number): Query {
      return this.derive('limit', [n]);
    }
    skip(n: number): Query {
      return this.derive('skip', [n]);
    }
    field(projection: Record<string, unknown>): Query {
      return this.derive('field', [projection]);
    }
    get(callbacks?: Callbacks<{ data: Record<string, unknown>[]; errMsg: string }>) {
      return call('collection.get', `database get ${this.name}`, callbacks, async () => {
        const reply = checked((await this.inner.get?.()) as Record<string, unknown>);
        return { data: reply.data as Record<string, unknown>[], errMsg: ok('collection.get') };
      });
    }
    count(callbacks?: Callbacks<{ total: number; errMsg: string }>) {
      return call('collection.count', `database count ${this.name}`, callbacks, async () => {
        const reply = checked((await this.inner.count?.()) as Record<string, unknown>);
        return { total: reply.total as number, errMsg: ok('collection.count') };
      });
    }
    update(options: UpdateOptions) {
      return updateThrough('collection', this.name, this.inner, options);
    }
    remove(callbacks?: RemoveCallbacks) {
      return removeThrough('collection', this.name, this.inner, callbacks);
    }
    watch(watchOptions: WatchOptions): Watcher {
      return watchThrough('collection', this.inner, watchOptions);
    }
  }

  class Collection extends Query implements ClientCollection {
    doc(id: string | number): ClientDocument {
      return new Document(
        build(() => this.inner.doc?.(id) as Inner),
        this.name,
        id,
      );
    }
    add(options: { data: Record<string, unknown> } & Callbacks<{ _id: string | number; errMsg: string }>) {
      return call('collection.add', `database add ${this.name}`, options, async () => {
        if (typeof options?.data !== 'object' || options.data === null) throw new Error('parameter.data should be an object');
        const reply = checked((await build(() => this.inner.add?.(options.data) as Promise<unknown>)) as Record<string, unknown>);
        return { _id: reply.id as string, errMsg: ok('collection.add') };
      });
    }
    aggregate(): ClientAggregate {
      // @cloudbase/database's Aggregation adds each stage to itself and returns itself.
      const inner = build(() => this.inner.aggregate?.() as Inner);
      const name = this.name;
      const pipeline = new Proxy({} as ClientAggregate, {
        get(_target, key) {
          if (key === 'end') {
            return (callbacks?: Callbacks<{ list: Record<string, unknown>[]; errMsg: string }>) =>
              call('collection.aggregate', `database aggregate ${name}`, callbacks, async () => {
                const reply = checked((await inner.end?.()) as Record<string, unknown>);
                return { list: reply.data as Record<string, unknown>[], errMsg: ok('collection.aggregate') };
              });
          }
          const stage = typeof key === 'string' ? inner[key] : undefined;
          if (typeof stage !== 'function' || key === 'unwrap' || key === 'done') return undefined;
          return (...args: unknown[]) => {
            stage.apply(inner, args);
            return pipeline;
          };
        },
      });
      return pipeline;
    }
  }

  class Document implements ClientDocument {
    constructor(
      private readonly inner: Inner,
      private readonly name: string,
      private readonly id: string | number,
    ) {}
    field(projection: Record<string, unknown>): ClientDocument {
      return new Document(
        build(() => this.inner.field?.(projection) as Inner),
        this.name,
        this.id,
      );
    }
    get(callbacks?: Callbacks<{ data: Record<string, unknown>; errMsg: string }>) {
      return call('document.get', `database get ${this.name}/${this.id}`, callbacks, async () => {
        const reply = checked((await this.inner.get?.()) as Record<string, unknown>);
        const list = reply.data as Record<string, unknown>[];
        if (!Array.isArray(list) || list.length === 0) throw `document with _id ${this.id} does not exist`;
        return { data: list[0] as Record<string, unknown>, errMsg: ok('document.get') };
      });
    }
    set(
      options: { data: Record<string, unknown> } & Callbacks<{
        _id: string | number;
        stats: { updated: number; created: number };
        errMsg: string;
      }>,
    ) {
      return call('document.set', `database set ${this.name}/${this.id}`, options, async () => {
        const reply = checked((await this.inner.set?.(options.data)) as Record<string, unknown>);
        return {
          _id: this.id,
          stats: { updated: (reply.updated as number) ?? 0, created: reply.upsertedId ? 1 : 0 },
          errMsg: ok('document.set'),
        };
      });
    }
    update(options: UpdateOptions) {
      return updateThrough('document', `${this.name}/${this.id}`, this.inner, options);
    }
    remove(callbacks?: RemoveCallbacks) {
      return removeThrough('document', `${this.name}/${this.id}`, this.inner, callbacks);
    }
    watch(watchOptions: WatchOptions): Watcher {
      return watchThrough('document', this.inner, watchOptions);
    }
  }

  const geo: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [key, value] of Object.entries(db.Geo as unknown as Record<string, unknown>)) {
    // The mini-program calls db.Geo.Point(…) without `new`.
    if (typeof value === 'function') geo[key] = (...args: unknown[]) => new (value as new (...a: unknown[]) => unknown)(...args);
  }

  return {
    collection(name: string): ClientCollection {
      if (typeof name !== 'string' || name === '') throw failureOf('database.collection', 'a collection name is required');
      return new Collection(
        build(() => db.collection(name) as unknown as Inner),
        name,
      );
    },
    command: db.command,
    serverDate: (serverDateOptions) => (db.serverDate as (o?: unknown) => unknown)(serverDateOptions),
    Geo: geo,
    RegExp: (regexpOptions) => (db.RegExp as (o: unknown) => unknown)(regexpOptions),
  };
}

type Answer<R> = Promise<R>;
type Stats<K extends string> = { stats: Record<K, number>; errMsg: string };

export interface ClientQuery {
  where(query: Record<string, unknown>): ClientQuery;
  orderBy(field: string, order: 'asc' | 'desc'): ClientQuery;
  limit(n: number): ClientQuery;
  skip(n: number): ClientQuery;
  field(projection: Record<string, unknown>): ClientQuery;
  get(
    callbacks?: Callbacks<{ data: Record<string, unknown>[]; errMsg: string }>,
  ): Answer<{ data: Record<string, unknown>[]; errMsg: string }>;
  count(callbacks?: Callbacks<{ total: number; errMsg: string }>): Answer<{ total: number; errMsg: string }>;
  update(options: { data: Record<string, unknown> } & Callbacks<Stats<'updated'>>): Answer<Stats<'updated'>>;
  remove(callbacks?: Callbacks<Stats<'removed'>>): Answer<Stats<'removed'>>;
  watch(options: WatchOptions): Watcher;
}

type Stage = (argument: unknown) => ClientAggregate;
/** collection.aggregate(): stages chained, then end() → `{ list, errMsg: 'collection.aggregate:ok' }`. */
export interface ClientAggregate {
  addFields: Stage;
  bucket: Stage;
  bucketAuto: Stage;
  count: Stage;
  geoNear: Stage;
  group: Stage;
  limit: Stage;
  lookup: Stage;
  match: Stage;
  project: Stage;
  replaceRoot: Stage;
  sample: Stage;
  skip: Stage;
  sort: Stage;
  sortByCount: Stage;
  unwind: Stage;
  end(
    callbacks?: Callbacks<{ list: Record<string, unknown>[]; errMsg: string }>,
  ): Answer<{ list: Record<string, unknown>[]; errMsg: string }>;
}

export interface ClientCollection extends ClientQuery {
  doc(id: string | number): ClientDocument;
  add(
    options: { data: Record<string, unknown> } & Callbacks<{ _id: string | number; errMsg: string }>,
  ): Answer<{ _id: string | number; errMsg: string }>;
  aggregate(): ClientAggregate;
}

export interface ClientDocument {
  field(projection: Record<string, unknown>): ClientDocument;
  get(callbacks?: Callbacks<{ data: Record<string, unknown>; errMsg: string }>): Answer<{ data: Record<string, unknown>; errMsg: string }>;
  set(
    options: { data: Record<string, unknown> } & Callbacks<{
      _id: string | number;
      stats: { updated: number; created: number };
      errMsg: string;
    }>,
  ): Answer<{ _id: string | number; stats: { updated: number; created: number }; errMsg: string }>;
  update(options: { data: Record<string, unknown> } & Callbacks<Stats<'updated'>>): Answer<Stats<'updated'>>;
  remove(callbacks?: Callbacks<Stats<'removed'>>): Answer<Stats<'removed'>>;
  watch(options: WatchOptions): Watcher;
}
