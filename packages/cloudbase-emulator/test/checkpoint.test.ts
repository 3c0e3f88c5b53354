/**
 * Checkpoints: the data as it was, back with restore() — the database (collections, documents in
 * natural order, what indexes find) and the stored files — for tests that prepare a world once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '../src/database';
import { createEmulator, type Emulator } from '../src/server';
import { call, data, ejson, failure, ids, memoryDatabase } from './database/wire';

const lines = (...docs: object[]) => docs.map((doc) => ejson(doc)).join('\n');

describe('a database checkpoint', () => {
  it('given writes after it, restore brings back every collection and document as it was, in natural order', async () => {
    const db = await memoryDatabase();
    await db.importCollection(
      'users',
      lines({ _id: 'a', name: 'ann', n: 1 }, { _id: 'b', name: 'bob', n: 2 }, { _id: 'c', name: 'cy', n: 3 }),
    );
    const checkpoint = db.checkpoint();

    await data(db, 'database.modifyDocument', { collectionName: 'users', query: ejson({ _id: 'a' }), data: ejson({ name: 'changed' }) });
    await data(db, 'database.removeDocument', { collectionName: 'users', query: ejson({ _id: 'b' }) });
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'd', name: 'dan' })] });
    await data(db, 'database.addCollection', { collectionName: 'later' });
    checkpoint.restore();

    expect(db.listCollections()).toEqual(['users']);
    expect(db.documents('users')).toEqual([
      { _id: 'a', name: 'ann', n: 1 },
      { _id: 'b', name: 'bob', n: 2 },
      { _id: 'c', name: 'cy', n: 3 },
    ]);
    // Queries served by an index see the restored documents, not the ones written since.
    expect(await ids(db, 'users', { name: 'ann' })).toEqual(['a']);
    expect(await ids(db, 'users', { name: { $in: ['changed', 'dan', 'bob'] } })).toEqual(['b']);
  });

  it('can be restored again and again: each time the same state', async () => {
    const db = await memoryDatabase();
    await db.importCollection('users', lines({ _id: 'a', n: 1 }));
    const checkpoint = db.checkpoint();
    for (const round of [1, 2, 3]) {
      await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: `r${round}` })] });
      checkpoint.restore();
      expect(db.documents('users')).toEqual([{ _id: 'a', n: 1 }]);
    }
  });

  it('given a transaction open when it is restored, then the transaction fails and wrote nothing', async () => {
    const db = await memoryDatabase();
    await db.importCollection('users', lines({ _id: 'a', n: 1 }));
    const checkpoint = db.checkpoint();
    const started = await call(db, 'database.startTransaction');
    const transactionId = started.kind === 'json' ? started.top?.transactionId : undefined;
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'in-tx' })], transactionId });
    checkpoint.restore();

    const error = await failure(db, 'database.commitTransaction', { transactionId });
    expect(error.code).toBe('DATABASE_TRANSACTION_FAIL');
    expect(db.documents('users')).toEqual([{ _id: 'a', n: 1 }]);
  });

  it('tells commit listeners (client watchers) that the data changed', async () => {
    const db = await memoryDatabase();
    const checkpoint = db.checkpoint();
    let commits = 0;
    db.onCommit(() => {
      commits += 1;
    });
    checkpoint.restore();
    expect(commits).toBe(1);
  });

  it('given a database in a data directory, then it refuses: a checkpoint is not durable', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'db-checkpoint-'));
    const db = await createDatabase({ dataDir: dir, fsync: false });
    try {
      expect(() => db.checkpoint()).toThrow(/in-memory/);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an emulator checkpoint', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ memory: true });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('given files stored and replaced after it, restore brings back the files with their bytes and uploaders', async () => {
    await emulator.storage.write('kept.txt', Buffer.from('kept'), 'text/plain');
    await emulator.storage.write('replaced.txt', Buffer.from('before'), 'text/plain', { openid: 'o-owner' });
    await emulator.storage.write('overwritten.txt', Buffer.from('first'), 'text/plain');
    await emulator.database.importCollection('notes', lines({ _id: 'n1', text: '笔记' }));
    const before = emulator.storage.list();
    const checkpoint = await emulator.checkpoint();

    await emulator.storage.write('replaced.txt', Buffer.from('after'), 'image/png', { openid: 'o-owner' });
    await emulator.storage.write('new.txt', Buffer.from('new'));
    await emulator.storage.write('overwritten.txt', Buffer.from('overwritten'));
    await emulator.database.importCollection('notes', lines({ _id: 'n2', text: '新的' }));
    await checkpoint.restore();

    expect(emulator.storage.list()).toEqual(expect.arrayContaining(before));
    expect(emulator.storage.list()).toHaveLength(before.length);
    expect((await emulator.storage.read(emulator.storage.fileIdFor('replaced.txt')))?.toString()).toBe('before');
    expect((await emulator.storage.read(emulator.storage.fileIdFor('overwritten.txt')))?.toString()).toBe('first');
    expect(emulator.database.documents('notes')).toEqual([{ _id: 'n1', text: '笔记' }]);

    // Restored a second time (the restored files are kept as they are).
    await emulator.storage.write('new.txt', Buffer.from('new'));
    await checkpoint.restore();
    expect(emulator.storage.list()).toHaveLength(before.length);
    expect((await emulator.storage.read(emulator.storage.fileIdFor('replaced.txt')))?.toString()).toBe('before');
  });
});
