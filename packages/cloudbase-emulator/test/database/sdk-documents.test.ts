/**
 * The database service through the real wx-server-sdk 4.0.2: the calls a cloud function makes
 * (add / get / where / update / set / remove / count / aggregate / serverDate / createCollection)
 * and the errCodes it sees when they fail.
 */
import { rejection, type SdkHarness, startSdk } from './sdk-support';

let sdk: SdkHarness;
beforeAll(async () => {
  sdk = await startSdk();
  await sdk.db.createCollection('users');
});
afterAll(async () => {
  await sdk.close();
});

const users = () => sdk.db.collection('users');

describe('wx-server-sdk against the database service', () => {
  it('adds documents, with a given or a generated _id, and reads them back with their types', async () => {
    const at = new Date('2024-05-06T07:08:09.000Z');
    expect(await users().add({ data: { _id: 'alice', name: 'alice', n: 1, at, tags: ['x'], big: 2 ** 40, f: 1.5 } })).toMatchObject({
      _id: 'alice',
    });
    const added = await users().add({ data: { name: 'bob', n: 5, tags: ['y'] } });
    expect(added._id).toMatch(/^[0-9a-f]{32}$/);
    const { data } = await users().doc('alice').get();
    expect(data).toEqual({ _id: 'alice', name: 'alice', n: 1, at, tags: ['x'], big: 2 ** 40, f: 1.5 });
  });

  it('queries with commands, order, skip, limit and field projection', async () => {
    const _ = sdk.db.command;
    await users().add({ data: { _id: 'carol', name: 'carol', n: 3, tags: ['x', 'y'] } });
    const found = await users()
      .where({ n: _.gte(1).and(_.lte(5)), tags: _.in(['x', 'y']) })
      .orderBy('n', 'desc')
      .skip(1)
      .limit(5)
      .field({ name: true })
      .get();
    expect(found.data).toEqual([
      { _id: 'carol', name: 'carol' },
      { _id: 'alice', name: 'alice' },
    ]);
    const byRegex = await users()
      .where({ name: sdk.db.RegExp({ regexp: '^B', options: 'i' }) })
      .get();
    expect(byRegex.data.map((doc) => doc.name)).toEqual(['bob']);
    expect(
      (
        await users()
          .where({ n: _.gt(1) })
          .count()
      ).total,
    ).toBe(2);
  });

  it('updates with operators and dotted paths, and replaces or creates with set()', async () => {
    const _ = sdk.db.command;
    const updated = await users()
      .doc('alice')
      .update({ data: { n: _.inc(2), profile: { city: 'SZ' }, tags: _.push(['z']), f: _.remove() } });
    expect(updated.stats.updated).toBe(1);
    const { data } = await users().doc('alice').get();
    expect(data).toMatchObject({ n: 3, profile: { city: 'SZ' }, tags: ['x', 'z'] });
    expect(data).not.toHaveProperty('f');

    expect(
      (
        await users()
          .doc('dave')
          .set({ data: { name: 'dave' } })
      ).stats,
    ).toEqual({ updated: 0, created: 1 });
    expect(
      (
        await users()
          .doc('dave')
          .set({ data: { name: 'david' } })
      ).stats,
    ).toEqual({ updated: 1, created: 0 });
    expect((await users().doc('dave').get()).data).toEqual({ _id: 'dave', name: 'david' });

    const many = await users()
      .where({ n: _.gte(3) })
      .update({ data: { seen: true } });
    expect(many.stats.updated).toBe(3);
  });

  it('stores db.serverDate() as the server time', async () => {
    const before = Date.now();
    await users()
      .doc('alice')
      .update({ data: { lastLoginAt: sdk.db.serverDate(), expiresAt: sdk.db.serverDate({ offset: 60_000 }) } });
    const { data } = await users().doc('alice').get();
    const lastLoginAt = (data.lastLoginAt as Date).getTime();
    expect(lastLoginAt).toBeGreaterThanOrEqual(before);
    expect(lastLoginAt).toBeLessThanOrEqual(Date.now());
    expect((data.expiresAt as Date).getTime() - lastLoginAt).toBe(60_000);
  });

  it('aggregates with match, group, sort and lookup', async () => {
    const $ = sdk.db.command.aggregate;
    await sdk.db.createCollection('orders');
    await sdk.db.collection('orders').add({
      data: [
        { uid: 'alice', amount: 5 },
        { uid: 'alice', amount: 7 },
        { uid: 'carol', amount: 1 },
      ],
    });
    const result = await users()
      .aggregate()
      .match({ name: sdk.db.command.in(['alice', 'carol']) })
      .lookup({ from: 'orders', localField: '_id', foreignField: 'uid', as: 'orders' })
      .project({ name: 1, spent: $.sum('$orders.amount') })
      .sort({ spent: -1 })
      .end();
    expect(result.list).toEqual([
      { _id: 'alice', name: 'alice', spent: 12 },
      { _id: 'carol', name: 'carol', spent: 1 },
    ]);
  });

  it('removes one document or every match', async () => {
    expect((await users().doc('dave').remove()).stats.removed).toBe(1);
    expect((await users().where({ seen: true }).remove()).stats.removed).toBe(3);
    expect((await users().count()).total).toBe(0);
  });

  it('fails with the errCodes developers see in production', async () => {
    // A missing collection: -502005.
    const missing = await rejection(sdk.db.collection('nope').where({}).get());
    expect(missing.errCode).toBe(-502005);
    // A duplicate _id: the code name is not in the SDK's table (-501001); the E11000 text is in errMsg.
    await users().add({ data: { _id: 'dup' } });
    const duplicate = await rejection(users().add({ data: { _id: 'dup' } }));
    expect(duplicate.errCode).toBe(-501001);
    expect(duplicate.errMsg).toContain('E11000 duplicate key error');
    // A missing document: the SDK itself throws.
    expect((await rejection(users().doc('ghost').get())).errMsg).toContain('document with _id ghost does not exist');
    // An existing collection.
    expect((await rejection(sdk.db.createCollection('users'))).errMsg).toContain('Table exist');
  });
});
