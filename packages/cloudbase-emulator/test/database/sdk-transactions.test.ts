/**
 * Transactions through the real wx-server-sdk 4.0.2: db.runTransaction (commit, rollback, retry on
 * a commit conflict) and db.startTransaction with two competing writers.
 */
import { rejection, type SdkHarness, type SdkTransaction as Transaction, startSdk } from './sdk-support';

let sdk: SdkHarness;
beforeAll(async () => {
  sdk = await startSdk();
  await sdk.db.createCollection('accounts');
});
afterAll(async () => {
  await sdk.close();
});

beforeEach(async () => {
  await sdk.db.collection('accounts').where({}).remove();
  await sdk.db.collection('accounts').add({
    data: [
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ],
  });
});

const balances = async (): Promise<Record<string, unknown>> =>
  Object.fromEntries((await sdk.db.collection('accounts').get()).data.map((doc) => [doc._id, doc.balance]));

describe('db.runTransaction', () => {
  it('reads, writes and commits atomically, returning what the callback returned', async () => {
    const _ = sdk.db.command;
    const result: unknown = await sdk.db.runTransaction(async (transaction: Transaction) => {
      const from = await transaction.collection('accounts').doc('a').get();
      await transaction
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: _.inc(-30) } });
      await transaction
        .collection('accounts')
        .doc('b')
        .update({ data: { balance: _.inc(30) } });
      await transaction.collection('accounts').add({ data: { _id: 'log-1', amount: 30 } });
      await transaction
        .collection('accounts')
        .doc('c')
        .set({ data: { balance: 1 } });
      return (from.data as { balance: number }).balance;
    });
    expect(result).toBe(100);
    expect(await balances()).toEqual({ a: 70, b: 30, 'log-1': undefined, c: 1 });
  });

  it('given the callback rolls back or throws, then nothing is applied', async () => {
    const _ = sdk.db.command;
    await expect(
      sdk.db.runTransaction(async (transaction: Transaction) => {
        await transaction
          .collection('accounts')
          .doc('a')
          .update({ data: { balance: _.inc(-500) } });
        await transaction.rollback('insufficient funds');
      }),
    ).rejects.toBe('insufficient funds');
    await expect(
      sdk.db.runTransaction(async (transaction: Transaction) => {
        await transaction
          .collection('accounts')
          .doc('b')
          .update({ data: { balance: 1 } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await balances()).toEqual({ a: 100, b: 0 });
  });

  it('given a conflict at commit, then the SDK retries the callback and the second attempt commits', async () => {
    const _ = sdk.db.command;
    let attempts = 0;
    await sdk.db.runTransaction(async (transaction: Transaction) => {
      attempts += 1;
      await transaction
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: _.inc(-10) } });
      // A plain write lands on the same document before the first commit: that commit loses.
      if (attempts === 1)
        await sdk.db
          .collection('accounts')
          .doc('a')
          .update({ data: { balance: _.inc(1) } });
    });
    expect(attempts).toBe(2);
    expect((await balances()).a).toBe(91);
  });
});

describe('db.startTransaction with two writers of one document', () => {
  it('refuses the second writer (errCode -501001, TransactionBusy) and commits the first', async () => {
    const first = await sdk.db.startTransaction();
    const second = await sdk.db.startTransaction();
    await first
      .collection('accounts')
      .doc('a')
      .update({ data: { balance: 1 } });
    const conflict = await rejection(
      second
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: 2 } }),
    );
    expect(conflict.errCode).toBe(-501001);
    expect(conflict.errMsg).toContain('[ResourceUnavailable.TransactionBusy]');
    await second.rollback();
    await first.commit();
    expect((await balances()).a).toBe(1);
  });
});
