/**
 * wx.cloud.database() as the emulator's client gives it (src/client/database.ts): the mini-program's
 * answer shapes and failures, callbacks, aggregate and watch, over POST /client/database against
 * the fixture project of test/client-access (diary PRIVATE, posts READONLY, secrets ADMINONLY).
 */
import path from 'node:path';
import { type ClientDatabase, createClientDatabase, type WatchSnapshot } from '../../src/client/database';
import { createEmulator, type Emulator } from '../../src/server';

const PROJECT = path.join(__dirname, '..', 'client-access', 'fixtures', 'acl-project');
let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    projectDir: PROJECT,
    functionsRoot: path.join(PROJECT, 'cloudfunctions'),
    onClientDenied: () => undefined,
  });
});
afterAll(() => emulator.close());

/** The signals of the requests a client sent, to see that close() ends a watch's open round. */
const signals: AbortSignal[] = [];

function as(openid: string): ClientDatabase {
  return createClientDatabase({
    send: async (action, params, signal) => {
      if (signal) signals.push(signal);
      const response = await fetch(`${emulator.url}/client/database`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
        body: JSON.stringify({ ...params, action }),
        ...(signal && { signal }),
      });
      return (await response.json()) as Record<string, unknown>;
    },
  });
}

/** The next snapshot a watch reports (resolved by its onChange). */
function snapshots(): { next(): Promise<WatchSnapshot>; onChange(snapshot: WatchSnapshot): void } {
  const queue: WatchSnapshot[] = [];
  let waiting: ((snapshot: WatchSnapshot) => void) | undefined;
  return {
    onChange(snapshot) {
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(snapshot);
      } else queue.push(snapshot);
    },
    next: () => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => (waiting = resolve));
    },
  };
}

describe('answers in the shapes the mini-program gets', () => {
  it('add, doc get, set, update, count, where update, remove', async () => {
    const posts = as('o-shapes').collection('posts');
    const added = await posts.add({ data: { title: 'a', at: as('o-shapes').serverDate() } });
    expect(added).toEqual({ _id: expect.any(String), errMsg: 'collection.add:ok' });
    const got = await posts.doc(String(added._id)).get();
    expect(got).toEqual({
      data: expect.objectContaining({ title: 'a', _openid: 'o-shapes', at: expect.any(Date) }),
      errMsg: 'document.get:ok',
    });
    expect(await posts.doc('fixed-id').set({ data: { title: 'b' } })).toEqual({
      _id: 'fixed-id',
      stats: { updated: 0, created: 1 },
      errMsg: 'document.set:ok',
    });
    expect(await posts.doc('fixed-id').update({ data: { title: 'c' } })).toEqual({ stats: { updated: 1 }, errMsg: 'document.update:ok' });
    expect(await posts.where({ _openid: '{openid}' }).count()).toEqual({ total: 2, errMsg: 'collection.count:ok' });
    expect(await posts.where({ title: 'c' }).update({ data: { title: 'd' } })).toEqual({
      stats: { updated: 1 },
      errMsg: 'collection.update:ok',
    });
    expect(await posts.doc('fixed-id').remove()).toEqual({ stats: { removed: 1 }, errMsg: 'document.remove:ok' });
    expect(await posts.where({ _openid: '{openid}' }).field({ title: true }).get()).toEqual({
      data: [{ _id: added._id, title: 'a' }],
      errMsg: 'collection.get:ok',
    });
  });

  it('fails like wx.cloud: an Error with errCode and errMsg "<api>:fail <code> <meaning>. <message>"', async () => {
    const error = await as('o-shapes')
      .collection('secrets')
      .get()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      errCode: -502003,
      errMsg: expect.stringMatching(/^collection\.get:fail -502003 database permission denied\. /),
    });
    await expect(as('o-shapes').collection('posts').doc('missing').get()).rejects.toMatchObject({
      errCode: -1,
      errMsg: 'document.get:fail document with _id missing does not exist',
    });
  });

  it('answers through success/fail/complete when given', async () => {
    const outcome = await new Promise<{ how: string; value: unknown }>((resolve) => {
      void as('o-shapes')
        .collection('secrets')
        .count({ fail: (error) => resolve({ how: 'fail', value: error.errCode }) });
    });
    expect(outcome).toEqual({ how: 'fail', value: -502003 });
    const completed = await new Promise<unknown>((resolve) => {
      void as('o-shapes').collection('posts').limit(1).get({ complete: resolve });
    });
    expect(completed).toMatchObject({ errMsg: 'collection.get:ok' });
  });
});

describe('aggregate', () => {
  it('runs on a collection everyone may read, and only over the caller’s own documents of a PRIVATE one', async () => {
    await as('o-agg-a')
      .collection('diary')
      .add({ data: { mood: 'good' } });
    await as('o-agg-b')
      .collection('diary')
      .add({ data: { mood: 'good' } });
    const mine = await as('o-agg-a')
      .collection('diary')
      .aggregate()
      .group({ _id: '$_openid', n: { $sum: 1 } })
      .end();
    expect(mine).toEqual({ list: [{ _id: 'o-agg-a', n: 1 }], errMsg: 'collection.aggregate:ok' });
    const posts = await as('o-agg-a').collection('posts').aggregate().match({ title: 'a' }).count('n').end();
    expect(posts.list).toEqual([{ n: 1 }]);
  });

  it('is refused on ADMINONLY, and $lookup into a collection not everyone may read', async () => {
    await expect(as('o-agg-a').collection('secrets').aggregate().end()).rejects.toMatchObject({ errCode: -502003 });
    const lookup = as('o-agg-a')
      .collection('posts')
      .aggregate()
      .lookup({ from: 'secrets', localField: 'title', foreignField: 'key', as: 's' });
    await expect(lookup.end()).rejects.toMatchObject({ errCode: -502003 });
  });
});

describe('watch, pushed by the emulator', () => {
  it('reports the init snapshot, then adds, updates and removes, until closed', async () => {
    const db = as('o-watch');
    const seen = snapshots();
    const watcher = db.collection('diary').where({ topic: 'watched' }).watch({ onChange: seen.onChange });
    expect(await seen.next()).toMatchObject({ type: 'init', docs: [], docChanges: [] });

    const { _id } = await db.collection('diary').add({ data: { topic: 'watched', n: 1 } });
    expect((await seen.next()).docChanges).toEqual([expect.objectContaining({ dataType: 'add', queueType: 'enqueue', docId: _id })]);
    await db
      .collection('diary')
      .doc(String(_id))
      .update({ data: { n: 2 } });
    expect((await seen.next()).docChanges).toEqual([
      expect.objectContaining({
        dataType: 'update',
        queueType: 'update',
        doc: expect.objectContaining({ n: 2 }),
        updatedFields: { n: 2 },
        removedFields: [],
      }),
    ]);
    await db.collection('diary').doc(String(_id)).remove();
    const removed = await seen.next();
    expect(removed.docs).toEqual([]);
    expect(removed.docChanges).toEqual([expect.objectContaining({ dataType: 'remove', docId: _id })]);
    await watcher.close();
  });

  it('given two people watching a PRIVATE collection, then each receives only their own documents', async () => {
    const alice = as('o-watch-alice');
    const seen = snapshots();
    const watcher = alice.collection('diary').where({ topic: 'shared-watch' }).watch({ onChange: seen.onChange });
    expect(await seen.next()).toMatchObject({ type: 'init', docs: [] });

    await as('o-watch-bob')
      .collection('diary')
      .add({ data: { topic: 'shared-watch', text: 'Bob 的日记' } });
    const { _id } = await alice.collection('diary').add({ data: { topic: 'shared-watch', text: 'Alice 的日记' } });
    // Bob's write woke Alice's watch, but nothing she may read changed: her next snapshot is her own add.
    const next = await seen.next();
    expect(next.docs).toEqual([expect.objectContaining({ _id, _openid: 'o-watch-alice' })]);
    expect(next.docChanges).toEqual([expect.objectContaining({ dataType: 'add', docId: _id })]);
    await watcher.close();
  });

  it('watches one document, snapshot ids counting up and change ids continuing', async () => {
    const db = as('o-watch-doc');
    const { _id } = await db.collection('posts').add({ data: { title: '一' } });
    const seen = snapshots();
    const watcher = db.collection('posts').doc(String(_id)).watch({ onChange: seen.onChange });
    const init = await seen.next();
    expect(init).toEqual({
      id: 1,
      type: 'init',
      docs: [expect.objectContaining({ _id, title: '一' })],
      docChanges: [expect.objectContaining({ id: 1, dataType: 'init', queueType: 'init', docId: _id })],
    });
    await db
      .collection('posts')
      .doc(String(_id))
      .update({ data: { title: '二' } });
    expect(await seen.next()).toMatchObject({ id: 2, docChanges: [{ id: 2, dataType: 'update', updatedFields: { title: '二' } }] });
    await watcher.close();
  });

  it('given a write that is not a client’s (a cloud function, an import), then the watcher receives it too', async () => {
    const seen = snapshots();
    const watcher = as('o-watch-admin').collection('posts').where({ from: 'admin' }).watch({ onChange: seen.onChange });
    expect(await seen.next()).toMatchObject({ type: 'init', docs: [] });
    await emulator.database.importCollection('posts', '{"_id":"from-admin","from":"admin"}\n');
    expect(await seen.next()).toMatchObject({ docs: [{ _id: 'from-admin' }], docChanges: [{ dataType: 'add', docId: 'from-admin' }] });
    await watcher.close();
  });

  it('ends the open round when closed', async () => {
    signals.length = 0;
    const seen = snapshots();
    const watcher = as('o-watch-close').collection('posts').where({ title: 'never' }).watch({ onChange: seen.onChange });
    await seen.next();
    await watcher.close();
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('ends through onError when the permissions refuse the query', async () => {
    const error = await new Promise<unknown>((resolve) => {
      as('o-watch')
        .collection('secrets')
        .watch({ onChange: () => undefined, onError: resolve });
    });
    expect(error).toMatchObject({ errCode: -502003, errMsg: expect.stringMatching(/^collection\.watch:fail -502003/) });
  });
});
