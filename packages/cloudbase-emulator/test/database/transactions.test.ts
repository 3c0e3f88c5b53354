/**
 * Transactions as wx-server-sdk drives them: database.startTransaction, then the ordinary document
 * actions carrying `transactionId`, then commitTransaction / abortTransaction.
 */
import type { DatabaseModule } from '../../src/database';
import { call, data, docById, ejson, failure, ids, memoryDatabase, seed, updateDoc } from './wire';

let clock = Date.UTC(2024, 0, 2);
let db: DatabaseModule;
beforeEach(async () => {
  clock = Date.UTC(2024, 0, 2);
  db = await memoryDatabase({ now: () => clock });
  await seed(db, 'users', [
    { _id: 'a', name: 'alice', n: 1, q: 1 },
    { _id: 'c', name: 'carol', q: 1 },
  ]);
});

async function start(): Promise<string> {
  const reply = await call(db, 'database.startTransaction');
  if (reply.kind !== 'json' || typeof reply.top?.transactionId !== 'string') throw new Error('no transactionId');
  // The id is top-level in the answer, not under data: Transaction.init() reads res.transactionId.
  expect(reply.data).toBeUndefined();
  return reply.top.transactionId;
}

describe('a transaction that commits (the capture #16–#23 sequence)', () => {
  it('sees its own writes, hides them from others until commit, then applies them all', async () => {
    const tx = await start();
    expect(await docById(db, 'users', 'a', tx)).toMatchObject({ n: 1 });

    await updateDoc(db, 'users', 'a', { $inc: { n: 1 } }, tx);
    const inserted = await data<{ insertedIds: string[] }>(db, 'database.insertDocument', {
      collectionName: 'users',
      data: ['{"x":{"$numberInt":"1"}}'],
      transactionId: tx,
    });
    expect(
      await data(db, 'database.modifyDocument', {
        collectionName: 'users',
        queryType: 'DOC',
        data: '{"y":{"$numberInt":"2"}}',
        transactionId: tx,
        multi: false,
        merge: false,
        upsert: true,
        query: '{"_id":"b"}',
      }),
    ).toEqual({ updated: 0, upsert_id: 'b' });
    expect(
      await data(db, 'database.removeDocument', {
        collectionName: 'users',
        transactionId: tx,
        query: '{"_id":"c"}',
        queryType: 'DOC',
        multi: false,
      }),
    ).toEqual({ deleted: 1 });

    // Inside: every write is visible, in natural order.
    expect(await ids(db, 'users', {}, { transactionId: tx })).toEqual(['a', inserted.insertedIds[0], 'b']);
    expect(await ids(db, 'users', { q: 1 }, { transactionId: tx })).toEqual(['a']);
    // Outside: nothing happened yet.
    expect(await ids(db, 'users', {})).toEqual(['a', 'c']);
    expect(await docById(db, 'users', 'a')).toMatchObject({ n: 1 });

    expect(await call(db, 'database.commitTransaction', { transactionId: tx })).toEqual({ kind: 'json' });
    expect(await ids(db, 'users', {})).toEqual(['a', inserted.insertedIds[0], 'b']);
    expect(await docById(db, 'users', 'a')).toMatchObject({ n: 2 });
    expect(await docById(db, 'users', 'b')).toEqual({ _id: 'b', y: 2 });
  });

  it('is over once committed: its id answers DATABASE_TRANSACTION_FAIL', async () => {
    const tx = await start();
    await call(db, 'database.commitTransaction', { transactionId: tx });
    expect((await failure(db, 'database.commitTransaction', { transactionId: tx })).code).toBe('DATABASE_TRANSACTION_FAIL');
  });
});

describe('abort', () => {
  it('discards every write of the transaction', async () => {
    const tx = await start();
    await updateDoc(db, 'users', 'a', { $set: { name: 'changed' } }, tx);
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'z' })], transactionId: tx });
    expect(await call(db, 'database.abortTransaction', { transactionId: tx })).toEqual({ kind: 'json' });
    expect(await ids(db, 'users', {})).toEqual(['a', 'c']);
    expect((await docById(db, 'users', 'a'))?.name).toBe('alice');
  });
});

describe('snapshot isolation and write conflicts', () => {
  it('keeps reading the state of its first operation while others commit', async () => {
    const tx = await start();
    // The snapshot is taken by the first operation (MongoDB's rule), not by startTransaction.
    expect((await docById(db, 'users', 'a', tx))?.name).toBe('alice');
    await updateDoc(db, 'users', 'a', { $set: { name: 'outside' } });
    await call(db, 'database.removeDocument', { collectionName: 'users', query: ejson({ _id: 'c' }), queryType: 'DOC', multi: false });
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'late' })] });
    expect((await docById(db, 'users', 'a', tx))?.name).toBe('alice');
    expect(await ids(db, 'users', {}, { transactionId: tx })).toEqual(['a', 'c']);
  });

  it('given two transactions writing one document, then the second writer gets DATABASE_TRANSACTION_CONFLICT', async () => {
    const first = await start();
    const second = await start();
    await updateDoc(db, 'users', 'a', { $inc: { n: 10 } }, first);
    const error = await failure(db, 'database.modifyDocument', {
      collectionName: 'users',
      transactionId: second,
      data: ejson({ $inc: { n: 100 } }),
      query: ejson({ _id: 'a' }),
      queryType: 'DOC',
      multi: false,
      merge: true,
      upsert: false,
    });
    expect(error.code).toBe('DATABASE_TRANSACTION_CONFLICT');
    expect(error.message).toContain('[ResourceUnavailable.TransactionBusy] Transaction is busy.');
    // The loser is aborted; rolling it back (as runTransaction does after an error) still succeeds.
    expect(
      (
        await failure(db, 'database.getDocument', {
          collectionName: 'users',
          query: '{"_id":"a"}',
          queryType: 'DOC',
          transactionId: second,
        })
      ).code,
    ).toBe('DATABASE_TRANSACTION_FAIL');
    expect(await call(db, 'database.abortTransaction', { transactionId: second })).toEqual({ kind: 'json' });
    await call(db, 'database.commitTransaction', { transactionId: first });
    expect((await docById(db, 'users', 'a'))?.n).toBe(11);
  });

  it('given a document committed by someone else after the snapshot, then writing it conflicts', async () => {
    const tx = await start();
    await docById(db, 'users', 'c', tx);
    await updateDoc(db, 'users', 'a', { $inc: { n: 1 } });
    expect(
      (
        await failure(db, 'database.removeDocument', {
          collectionName: 'users',
          transactionId: tx,
          query: ejson({ _id: 'a' }),
          queryType: 'DOC',
          multi: false,
        })
      ).code,
    ).toBe('DATABASE_TRANSACTION_CONFLICT');
  });

  it('given a plain write lands on a document the transaction wrote, then the transaction loses at commit', async () => {
    const tx = await start();
    await updateDoc(db, 'users', 'a', { $set: { by: 'transaction' } }, tx);
    await updateDoc(db, 'users', 'a', { $set: { by: 'plain write' } });
    // runTransaction retries exactly on this raw code from commit.
    expect((await failure(db, 'database.commitTransaction', { transactionId: tx })).code).toBe('DATABASE_TRANSACTION_CONFLICT');
    expect((await docById(db, 'users', 'a'))?.by).toBe('plain write');
  });

  it('given an _id inserted outside after the snapshot, then inserting it in the transaction conflicts', async () => {
    const tx = await start();
    await docById(db, 'users', 'a', tx);
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'same' })] });
    expect(
      (await failure(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'same' })], transactionId: tx })).code,
    ).toBe('DATABASE_TRANSACTION_CONFLICT');
  });

  it('given writes outside before the transaction first operation, then the transaction sees them and may write over them', async () => {
    const tx = await start();
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'early', name: 'before' })] });
    await updateDoc(db, 'users', 'a', { $set: { name: 'changed before' } });
    expect((await docById(db, 'users', 'early', tx))?.name).toBe('before');
    await updateDoc(db, 'users', 'a', { $set: { name: 'by the transaction' } }, tx);
    expect(await call(db, 'database.commitTransaction', { transactionId: tx })).toEqual({ kind: 'json' });
    expect((await docById(db, 'users', 'a'))?.name).toBe('by the transaction');
  });

  it('lets transactions on different documents both commit', async () => {
    const first = await start();
    const second = await start();
    await updateDoc(db, 'users', 'a', { $set: { t: 1 } }, first);
    await updateDoc(db, 'users', 'c', { $set: { t: 2 } }, second);
    await call(db, 'database.commitTransaction', { transactionId: second });
    await call(db, 'database.commitTransaction', { transactionId: first });
    expect(db.documents('users').map((doc) => doc.t)).toEqual([1, 2]);
  });
});

describe('lifetime', () => {
  it('answers DATABASE_TRANSACTION_FAIL after 30 seconds without commit or abort', async () => {
    const tx = await start();
    await updateDoc(db, 'users', 'a', { $set: { stale: true } }, tx);
    clock += 30_001;
    const error = await failure(db, 'database.commitTransaction', { transactionId: tx });
    expect(error.code).toBe('DATABASE_TRANSACTION_FAIL');
    expect(error.message).toContain('30 seconds');
    // An expired transaction no longer blocks others.
    const next = await start();
    await updateDoc(db, 'users', 'a', { $set: { fresh: true } }, next);
    await call(db, 'database.commitTransaction', { transactionId: next });
    expect(await docById(db, 'users', 'a')).toMatchObject({ fresh: true });
    expect(await docById(db, 'users', 'a')).not.toHaveProperty('stale');
  });
});
