/**
 * database.insertDocument, modifyDocument (update operators, set/upsert), removeDocument,
 * modifyAndReturnDoc and serverDate, with bodies shaped like the SDK's.
 */
import { EJSON } from 'bson';
import type { DatabaseModule } from '../../src/database';
import { data, docById, ejson, failure, ids, memoryDatabase, seed, updateDoc } from './wire';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

let db: DatabaseModule;
beforeEach(async () => {
  db = await memoryDatabase({ now: () => NOW });
  await seed(db, 'users', []);
});

describe('insertDocument', () => {
  it('given documents without _id, then each gets a 32-hex CloudBase-like id, answered in order', async () => {
    const result = await data<{ insertedIds: string[] }>(db, 'database.insertDocument', {
      collectionName: 'users',
      data: [ejson({ name: 'a' }), ejson({ name: 'b' })],
    });
    expect(result.insertedIds).toHaveLength(2);
    for (const id of result.insertedIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(result.insertedIds).size).toBe(2);
    expect((await docById(db, 'users', result.insertedIds[1] ?? ''))?.name).toBe('b');
  });

  it('keeps a given _id and stores it first', async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ name: 'x', _id: 'mine' })] });
    expect(Object.keys(db.documents('users')[0] ?? {})).toEqual(['name', '_id']);
    expect(await docById(db, 'users', 'mine')).toEqual({ name: 'x', _id: 'mine' });
  });

  it('given an _id that exists, then DATABASE_DUPLICATE_WRITE with the MongoDB E11000 message', async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'u1' })] });
    const error = await failure(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'u1', again: true })] });
    expect(error.code).toBe('DATABASE_DUPLICATE_WRITE');
    expect(error.message).toBe('E11000 duplicate key error collection: users index: _id_ dup key: { _id: "u1" }');
    expect(await docById(db, 'users', 'u1')).toEqual({ _id: 'u1' });
  });

  it('given a duplicate inside one batch, then nothing of the batch is inserted', async () => {
    const error = await failure(db, 'database.insertDocument', {
      collectionName: 'users',
      data: [ejson({ _id: 'n1' }), ejson({ _id: 'n2' }), ejson({ _id: 'n1' })],
    });
    expect(error.code).toBe('DATABASE_DUPLICATE_WRITE');
    expect(db.documents('users')).toEqual([]);
  });

  it('replaces db.serverDate() with the server time plus offset, at any depth', async () => {
    // The capture's #3 document.
    await data(db, 'database.insertDocument', {
      collectionName: 'users',
      data: [
        '{"_id":"s","name":"bob","at":{"$date":{"$numberLong":"1714979289000"}},"ts":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}},"later":{"$tcb_server_date":{"offset":{"$numberInt":"60000"}}},"deep":{"list":[{"$tcb_server_date":{"offset":{"$numberInt":"-1000"}}}]},"geo":{"type":"Point","coordinates":[{"$numberDouble":"113.3"},{"$numberDouble":"23.1"}]},"big":{"$numberLong":"9007199254740991"},"f":{"$numberDouble":"1.5"},"arr":[{"$numberInt":"1"},"a",null]}',
      ],
    });
    const [doc] = db.documents('users');
    expect(doc).toMatchObject({
      at: new Date(1714979289000),
      ts: new Date(NOW),
      later: new Date(NOW + 60000),
      deep: { list: [new Date(NOW - 1000)] },
      geo: { type: 'Point', coordinates: [113.3, 23.1] },
      big: 9007199254740991,
      f: 1.5,
      arr: [1, 'a', null],
    });
  });
});

describe('modifyDocument with merge: true (update operators)', () => {
  beforeEach(async () => {
    await data(db, 'database.insertDocument', {
      collectionName: 'users',
      data: [
        ejson({
          _id: 'a',
          n: 1,
          m: 3,
          s: 'old',
          obj: { y: 1 },
          rm: 'gone',
          rn: 'moved',
          arr: ['o'],
          arr2: [5, 3],
          a3: [1, 2, 3],
          a4: [1, 2, 3],
          a5: [1],
          a6: [1, 5, 2, 7],
          a7: [1, 2, 3, 1],
          a8: ['z'],
          mx: 5,
          mn: 5,
        }),
      ],
    });
  });

  it('applies the capture #7 update: every operator the SDK emits, in one request', async () => {
    const result = await data(db, 'database.modifyDocument', {
      collectionName: 'users',
      data: '{"$inc":{"n":{"$numberInt":"1"}},"$mul":{"m":{"$numberInt":"2"}},"$set":{"s":"plain","whole":{"y":{"$numberInt":"2"}},"at":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}},"obj.x":{"$numberInt":"1"}},"$unset":{"rm":""},"$push":{"arr":{"$each":["p","q"]},"arr2":{"$each":[{"$numberInt":"1"}],"$position":{"$numberInt":"0"},"$sort":{"$numberInt":"1"},"$slice":{"$numberInt":"5"}},"a5":{"$each":[{"$numberInt":"0"}],"$position":{"$numberInt":"0"}}},"$pop":{"a3":{"$numberInt":"1"},"a4":{"$numberInt":"-1"}},"$pull":{"a6":{"$gt":{"$numberInt":"3"}}},"$pullAll":{"a7":[{"$numberInt":"1"},{"$numberInt":"2"}]},"$addToSet":{"a8":"z"},"$max":{"mx":{"$numberInt":"10"}},"$min":{"mn":{"$numberInt":"0"}},"$rename":{"rn":"newName"}}',
      query: '{"_id":"a"}',
      queryType: 'DOC',
      multi: false,
      merge: true,
      upsert: false,
    });
    expect(result).toEqual({ updated: 1 });
    const doc = await docById(db, 'users', 'a');
    expect(doc).toEqual({
      _id: 'a',
      n: 2,
      m: 6,
      s: 'plain',
      obj: { y: 1, x: 1 },
      whole: { y: 2 },
      at: new Date(NOW),
      arr: ['o', 'p', 'q'],
      arr2: [1, 3, 5],
      a3: [1, 2],
      a4: [2, 3],
      a5: [0, 1],
      a6: [1, 2],
      a7: [3],
      a8: ['z'],
      mx: 10,
      mn: 0,
      newName: 'moved',
    });
    expect(doc).not.toHaveProperty('rm');
  });

  it('merges nested plain objects through dotted $set paths, and _.set() replaces the object', async () => {
    await updateDoc(db, 'users', 'a', { $set: { 'obj.z': 9, 'fresh.deep.leaf': true } });
    expect(await docById(db, 'users', 'a')).toMatchObject({ obj: { y: 1, z: 9 }, fresh: { deep: { leaf: true } } });
    await updateDoc(db, 'users', 'a', { $set: { obj: { only: 1 } } });
    expect((await docById(db, 'users', 'a'))?.obj).toEqual({ only: 1 });
  });

  it('adds to a set only the values not present yet, once each', async () => {
    await updateDoc(db, 'users', 'a', { $addToSet: { a8: { $each: ['z', 'w', 'w'] } } });
    expect((await docById(db, 'users', 'a'))?.a8).toEqual(['z', 'w']);
  });

  it('counts a write that changes nothing as updated: 0 (MongoDB nModified)', async () => {
    expect(await updateDoc(db, 'users', 'a', { $set: { s: 'old' } })).toEqual({ updated: 0 });
    expect(await updateDoc(db, 'users', 'missing', { $set: { s: 'x' } })).toEqual({ updated: 0 });
  });

  it('given where().update(), then every match is updated (multi: true), or only the first with multi: false', async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'b', n: 5 }), ejson({ _id: 'c', n: 0 })] });
    const body = {
      collectionName: 'users',
      queryType: 'WHERE',
      merge: true,
      upsert: false,
      data: '{"$inc":{"n":{"$numberInt":"-1"}}}',
      query: '{"n":{"$gte":{"$numberInt":"1"}}}',
    };
    expect(await data(db, 'database.modifyDocument', { ...body, multi: true })).toEqual({ updated: 2 });
    expect(await data(db, 'database.modifyDocument', { ...body, multi: false })).toEqual({ updated: 1 });
    expect(db.documents('users').map((doc) => doc.n)).toEqual([0, 3, 0]); // a: 1→0, b: 5→4→3
  });

  it('refuses what MongoDB refuses: $inc on a string, $push on a non-array, changing _id, unknown operators', async () => {
    const cases: [unknown, RegExp][] = [
      [{ $inc: { s: 1 } }, /Cannot apply \$inc to a value of non-numeric type/],
      [{ $push: { s: 'x' } }, /must be an array but is of type string/],
      [{ $set: { 's.deeper': 1 } }, /Cannot create field 'deeper'/],
      [{ $set: { _id: 'other' } }, /immutable field '_id'/],
      [{ $rename: { n: '_id' } }, /immutable field '_id'/],
      [{ $frobnicate: { n: 1 } }, /Unknown modifier: \$frobnicate/],
      [{ $inc: { n: 'one' } }, /non-numeric/],
    ];
    for (const [update, message] of cases) {
      const error = await failure(db, 'database.modifyDocument', {
        collectionName: 'users',
        data: ejson(update),
        query: ejson({ _id: 'a' }),
        queryType: 'DOC',
        multi: false,
        merge: true,
        upsert: false,
      });
      expect(error.code).toBe('DATABASE_REQUEST_FAILED');
      expect(error.message).toMatch(message);
    }
    expect((await docById(db, 'users', 'a'))?.s).toBe('old');
  });
});

describe('modifyDocument with merge: false, upsert: true (doc().set())', () => {
  const set = (id: string, doc: unknown): Promise<Record<string, unknown>> =>
    data(db, 'database.modifyDocument', {
      collectionName: 'users',
      queryType: 'DOC',
      data: ejson(doc),
      multi: false,
      merge: false,
      upsert: true,
      query: ejson({ _id: id }),
    });

  it('given no such document, then it is created and upsert_id names it (the SDK reports created: 1)', async () => {
    expect(await set('new', { name: 'carol', at: { $tcb_server_date: { offset: 0 } } })).toEqual({ updated: 0, upsert_id: 'new' });
    expect(await docById(db, 'users', 'new')).toEqual({ _id: 'new', name: 'carol', at: new Date(NOW) });
  });

  it('given the document exists, then it is replaced whole, without upsert_id', async () => {
    await set('x', { name: 'first', extra: 1 });
    expect(await set('x', { name: 'second' })).toEqual({ updated: 1 });
    expect(await docById(db, 'users', 'x')).toEqual({ _id: 'x', name: 'second' });
    // CloudBase: updated is 1 whenever the _id exists, even for an unchanged document.
    expect(await set('x', { name: 'second' })).toEqual({ updated: 1 });
  });
});

describe('removeDocument', () => {
  beforeEach(async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [0, 1, 2, 3].map((n) => ejson({ _id: `r${n}`, n })) });
  });

  it('removes one document by id and answers deleted', async () => {
    expect(
      await data(db, 'database.removeDocument', { collectionName: 'users', query: '{"_id":"r1"}', queryType: 'DOC', multi: false }),
    ).toEqual({ deleted: 1 });
    expect(
      await data(db, 'database.removeDocument', { collectionName: 'users', query: '{"_id":"r1"}', queryType: 'DOC', multi: false }),
    ).toEqual({ deleted: 0 });
  });

  it('removes every match with where().remove() (multi: true)', async () => {
    const result = await data(db, 'database.removeDocument', {
      collectionName: 'users',
      query: ejson({ n: { $gte: 2 } }),
      queryType: 'WHERE',
      multi: true,
    });
    expect(result).toEqual({ deleted: 2 });
    expect(await ids(db, 'users', {})).toEqual(['r0', 'r1']);
  });
});

describe('modifyAndReturnDoc (node-sdk updateAndReturn)', () => {
  it('answers the updated document as EJSON', async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'a', n: 1 })] });
    const result = await data<{ updated: number; doc: string }>(db, 'database.modifyAndReturnDoc', {
      collectionName: 'users',
      queryType: 'WHERE',
      data: '{"$inc":{"n":{"$numberInt":"1"}}}',
      query: '{"_id":"a"}',
    });
    expect(result.updated).toBe(1);
    expect(EJSON.parse(result.doc)).toEqual({ _id: 'a', n: 2 });
  });
});

describe('concurrent requests', () => {
  it('applies 200 simultaneous $inc on one document exactly once each', async () => {
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'counter', n: 0 })] });
    const results = await Promise.all(Array.from({ length: 200 }, () => updateDoc(db, 'users', 'counter', { $inc: { n: 1 } })));
    expect(results.every((result) => result.updated === 1)).toBe(true);
    expect((await docById(db, 'users', 'counter'))?.n).toBe(200);
  });

  it('lets exactly one of 50 simultaneous inserts of the same _id succeed', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'once', attempt: i })] }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(rejected.every((outcome) => (outcome.reason as { code?: string }).code === 'DATABASE_DUPLICATE_WRITE')).toBe(true);
  });
});
