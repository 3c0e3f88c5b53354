/**
 * database.getDocument and database.calculateDocument: every query operator family the SDK's
 * QuerySerializer emits, plus order / limit / offset / projection and EJSON types.
 */
import { ObjectId } from 'bson';
import type { DatabaseModule } from '../../src/database';
import { data, docById, ejson, failure, getDocs, ids, memoryDatabase, seed, where } from './wire';

const people = [
  { _id: 'a', name: 'alice', age: 30, tags: ['x', 'y'], profile: { city: 'SZ' }, items: [{ q: 2 }, { q: 0 }], m: 4 },
  { _id: 'b', name: 'bob', age: 17, tags: ['y'], profile: { city: 'GZ' }, items: [{ q: 1 }], m: 3, nested: { deep: true } },
  { _id: 'c', name: 'carol', age: 65, tags: [], profile: { city: 'SZ' }, m: 7 },
  { _id: 'd', name: 'Dave', age: 66, tags: ['x'], m: 5 },
];

let db: DatabaseModule;
beforeEach(async () => {
  db = await memoryDatabase();
  await seed(db, 'people', people);
});

describe('queries by _id', () => {
  it('given a DOC query, when the document exists, then getDocument answers it alone with total 1', async () => {
    const result = await data<{ list: string[]; total: number }>(db, 'database.getDocument', {
      collectionName: 'people',
      query: '{"_id":"b"}',
      queryType: 'DOC',
      multi: false,
    });
    expect(result.list).toHaveLength(1);
    expect(result.total).toBe(1);
    expect(JSON.parse(result.list[0] ?? '')).toMatchObject({ _id: 'b', name: 'bob', age: { $numberInt: '17' } });
  });

  it('given a DOC query for a missing document, then the list is empty (the SDK turns that into "does not exist")', async () => {
    expect(await docById(db, 'people', 'nope')).toBeUndefined();
  });

  it('given _id.$in, then each listed document is found', async () => {
    expect(await ids(db, 'people', { _id: { $in: ['c', 'a', 'zz'] } })).toEqual(['a', 'c']);
  });
});

describe('query operator families', () => {
  it('compares with gt / gte / lt / lte / ne, and _.and() on one field', async () => {
    expect(await ids(db, 'people', { age: { $gt: 30 } })).toEqual(['c', 'd']);
    expect(await ids(db, 'people', { age: { $gte: 30, $lt: 66 } })).toEqual(['a', 'c']);
    expect(await ids(db, 'people', { age: { $lte: 17 } })).toEqual(['b']);
    expect(await ids(db, 'people', { 'profile.city': { $ne: 'SZ' } })).toEqual(['b', 'd']);
    expect(await ids(db, 'people', { $and: [{ age: { $gt: 18 } }, { age: { $lte: 65 } }] })).toEqual(['a', 'c']);
  });

  it('matches in / nin and plain equality on array fields', async () => {
    expect(await ids(db, 'people', { name: { $in: ['bob', 'carol'] } })).toEqual(['b', 'c']);
    expect(await ids(db, 'people', { name: { $nin: ['bob', 'carol'] } })).toEqual(['a', 'd']);
    expect(await ids(db, 'people', { tags: 'x' })).toEqual(['a', 'd']);
    expect(await ids(db, 'people', { tags: { $in: ['y'] } })).toEqual(['a', 'b']);
  });

  it('combines with or / nor / not', async () => {
    // The capture's #5 shape: $or of an equality and a $nin.
    expect(await ids(db, 'people', { $or: [{ m: 3 }, { age: { $nin: [30, 17, 65] } }] })).toEqual(['b', 'd']);
    expect(await ids(db, 'people', { $nor: [{ age: { $lt: 20 } }, { name: 'carol' }] })).toEqual(['a', 'd']);
    expect(await ids(db, 'people', { m: { $not: { $eq: 4 } } })).toEqual(['b', 'c', 'd']);
  });

  it('tests presence with exists, arrays with size / all / elemMatch, numbers with mod', async () => {
    expect(await ids(db, 'people', { 'nested.deep': { $exists: true } })).toEqual(['b']);
    expect(await ids(db, 'people', { profile: { $exists: false } })).toEqual(['d']);
    expect(await ids(db, 'people', { tags: { $size: 2 } })).toEqual(['a']);
    expect(await ids(db, 'people', { tags: { $all: ['x', 'y'] } })).toEqual(['a']);
    expect(await ids(db, 'people', { items: { $elemMatch: { q: { $gt: 1 } } } })).toEqual(['a']);
    expect(await ids(db, 'people', { m: { $mod: [3, 1] } })).toEqual(['a', 'c']);
  });

  it('runs the capture #6 query (elemMatch, all, size, mod, not together) as one request', async () => {
    const list = await getDocs(db, {
      collectionName: 'people',
      queryType: 'WHERE',
      query:
        '{"items":{"$elemMatch":{"q":{"$gt":{"$numberInt":"1"}}}},"tags":{"$all":["x"]},"list":{"$size":{"$numberInt":"2"}},"m":{"$mod":[{"$numberInt":"3"},{"$numberInt":"1"}]},"k":{"$not":{"$eq":{"$numberInt":"1"}}}}',
      limit: 100,
    });
    // No document has `list` of size 2, so nothing matches; the point is that every operator parses.
    expect(list).toEqual([]);
  });

  it('matches $regularExpression (db.RegExp / JS RegExp) with its options', async () => {
    const byRegex = (pattern: string, options: string): Promise<unknown[]> =>
      getDocs(db, {
        collectionName: 'people',
        queryType: 'WHERE',
        query: `{"name":{"$regularExpression":{"pattern":${JSON.stringify(pattern)},"options":"${options}"}}}`,
        limit: 100,
      }).then((docs) => docs.map((doc) => doc._id));
    expect(await byRegex('^d', '')).toEqual([]);
    expect(await byRegex('^d', 'i')).toEqual(['d']);
    expect(await byRegex('o b', 'x')).toEqual(['b']); // extended: whitespace in the pattern is ignored
    expect(await ids(db, 'people', { name: { $regex: 'AR', $options: 'i' } })).toEqual(['c']);
  });

  it('answers DATABASE_REQUEST_FAILED for an operator MongoDB does not know', async () => {
    const error = await failure(db, 'database.getDocument', {
      collectionName: 'people',
      queryType: 'WHERE',
      query: ejson({ age: { $bogus: 1 } }),
      limit: 100,
    });
    expect(error.code).toBe('DATABASE_REQUEST_FAILED');
    expect(error.message).toContain('$bogus');
  });
});

describe('order, limit, offset, projection', () => {
  it('sorts by several keys as orderBy() sends them', async () => {
    await seed(db, 'scores', [
      { _id: '1', g: 1, n: 'b' },
      { _id: '2', g: 2, n: 'a' },
      { _id: '3', g: 1, n: 'a' },
    ]);
    const order = '{"g":{"$numberInt":"-1"},"n":{"$numberInt":"1"}}';
    expect(await ids(db, 'scores', {}, { order })).toEqual(['2', '3', '1']);
  });

  it('accepts the older [{ field, direction }] order form', async () => {
    expect(await ids(db, 'people', {}, { order: ejson([{ field: 'age', direction: 'desc' }]) })).toEqual(['d', 'c', 'a', 'b']);
  });

  it('skips `offset` documents and returns at most `limit`, reporting both', async () => {
    const result = await data<{ list: string[]; total: number; limit: number; offset: number }>(db, 'database.getDocument', {
      collectionName: 'people',
      queryType: 'WHERE',
      order: ejson({ age: 1 }),
      offset: 1,
      limit: 2,
    });
    expect(result.list.map((item) => (JSON.parse(item) as { _id: string })._id)).toEqual(['a', 'c']);
    expect(result).toMatchObject({ total: 4, limit: 2, offset: 1 });
  });

  it('defaults to 100 documents and never returns more than 1000', async () => {
    await seed(
      db,
      'many',
      Array.from({ length: 1005 }, (_, i) => ({ i })),
    );
    expect(await getDocs(db, { collectionName: 'many', queryType: 'WHERE' })).toHaveLength(100);
    expect(await getDocs(db, { collectionName: 'many', queryType: 'WHERE', limit: 5000 })).toHaveLength(1000);
  });

  it('projects fields as field() sends them, keeping _id and the document order', async () => {
    const [doc] = await getDocs(db, {
      collectionName: 'people',
      query: '{"_id":"a"}',
      queryType: 'DOC',
      multi: false,
      projection: '{"name":{"$numberInt":"1"},"age":{"$numberInt":"1"}}',
    });
    expect(doc).toEqual({ _id: 'a', name: 'alice', age: 30 });
    expect(Object.keys(doc ?? {})).toEqual(['_id', 'name', 'age']);
    const [excluded] = await where(db, 'people', { _id: 'b' }, { projection: ejson({ items: 0, profile: 0, nested: 0, tags: 0 }) });
    expect(excluded).toEqual({ _id: 'b', name: 'bob', age: 17, m: 3 });
  });

  it('supports project.slice on arrays', async () => {
    const [doc] = await where(db, 'people', { _id: 'a' }, { projection: ejson({ tags: { $slice: 1 } }) });
    expect(doc?.tags).toEqual(['x']);
  });
});

describe('EJSON types', () => {
  it('round-trips Date, ObjectId, numberLong, double and regex values exactly', async () => {
    await seed(db, 'typed', []);
    const stored =
      '{"_id":"t","at":{"$date":{"$numberLong":"1714979289000"}},"oid":{"$oid":"65a1b2c3d4e5f60718293a4b"},"big":{"$numberLong":"9007199254740993"},"ms":{"$numberLong":"1704164645678"},"f":{"$numberDouble":"1.5"},"n":{"$numberInt":"7"},"re":{"$regularExpression":{"pattern":"ab+c","options":"i"}},"arr":[{"$numberInt":"1"},"a",null],"nested":{"when":{"$date":{"$numberLong":"0"}}}}';
    await data(db, 'database.insertDocument', { collectionName: 'typed', data: [stored] });
    const result = await data<{ list: string[] }>(db, 'database.getDocument', {
      collectionName: 'typed',
      query: '{"_id":"t"}',
      queryType: 'DOC',
      multi: false,
    });
    // ObjectId values are answered as their hex strings, as CloudBase does (see encodeReply).
    expect(JSON.parse(result.list[0] ?? '')).toEqual({ ...JSON.parse(stored), oid: '65a1b2c3d4e5f60718293a4b' });
  });

  it('queries Dates by range and ObjectIds by equality', async () => {
    await seed(db, 'events', [
      { _id: 'old', at: new Date('2023-06-01T00:00:00Z'), ref: new ObjectId('65a1b2c3d4e5f60718293a4b') },
      { _id: 'new', at: new Date('2024-06-01T00:00:00Z'), ref: new ObjectId('65a1b2c3d4e5f60718293a4c') },
    ]);
    expect(await ids(db, 'events', { at: { $lt: new Date('2024-01-01T00:00:00Z') } })).toEqual(['old']);
    expect(await ids(db, 'events', { ref: new ObjectId('65a1b2c3d4e5f60718293a4c') })).toEqual(['new']);
    const [doc] = await where(db, 'events', { _id: 'new' });
    expect(doc?.at).toEqual(new Date('2024-06-01T00:00:00Z'));
  });

  it('compares a db.serverDate() in a query against the server clock', async () => {
    await seed(db, 'sessions', [
      { _id: 'expired', expiresAt: new Date(Date.UTC(2024, 0, 1)) },
      { _id: 'valid', expiresAt: new Date(Date.UTC(2024, 0, 3)) },
    ]);
    const query = '{"expiresAt":{"$gt":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}}}}';
    expect((await getDocs(db, { collectionName: 'sessions', queryType: 'WHERE', query, limit: 100 })).map((d) => d._id)).toEqual(['valid']);
  });
});

describe('calculateDocument (count)', () => {
  it('counts matching documents, or all of them without a query', async () => {
    expect(
      await data(db, 'database.calculateDocument', { collectionName: 'people', queryType: 'WHERE', query: ejson({ age: { $gt: 20 } }) }),
    ).toEqual({ total: 3 });
    expect(await data(db, 'database.calculateDocument', { collectionName: 'people', queryType: 'WHERE' })).toEqual({ total: 4 });
  });
});

describe('equality index on array fields (identityKeys)', () => {
  it('finds users by an identity key, and follows updates and removals of that key', async () => {
    await seed(db, 'users', [
      { _id: 'u1', identityKeys: ['wx:o1', 'un:u1'] },
      { _id: 'u2', identityKeys: ['wx:o2'] },
    ]);
    expect(await ids(db, 'users', { identityKeys: 'un:u1' })).toEqual(['u1']);
    await data(db, 'database.modifyDocument', {
      collectionName: 'users',
      query: ejson({ _id: 'u2' }),
      queryType: 'DOC',
      multi: false,
      merge: true,
      upsert: false,
      data: ejson({ $push: { identityKeys: { $each: ['un:u1'] } } }),
    });
    expect(await ids(db, 'users', { identityKeys: 'un:u1' })).toEqual(['u1', 'u2']);
    expect(await ids(db, 'users', { identityKeys: { $in: ['wx:o2', 'wx:o9'] } })).toEqual(['u2']);
    await data(db, 'database.removeDocument', { collectionName: 'users', query: ejson({ _id: 'u1' }), queryType: 'DOC', multi: false });
    expect(await ids(db, 'users', { identityKeys: 'un:u1' })).toEqual(['u2']);
  });

  it('answers an identity-key lookup from the index, far faster than a scan of 5,000 users', async () => {
    await seed(
      db,
      'big',
      Array.from({ length: 5_000 }, (_, i) => ({ _id: `u${i}`, identityKeys: [`wx:o${i}`] })),
    );
    const timePerQuery = async (times: number, queryFor: (i: number) => unknown): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < times; i += 1) expect(await ids(db, 'big', queryFor(i * 7))).toEqual([`u${i * 7}`]);
      return (performance.now() - started) / times;
    };
    await ids(db, 'big', { identityKeys: 'wx:o1' }); // the first equality query on a field builds its index
    const indexed = await timePerQuery(20, (i) => ({ identityKeys: `wx:o${i}` }));
    const scanned = await timePerQuery(3, (i) => ({ 'identityKeys.0': `wx:o${i}` })); // dotted paths are never indexed
    expect(indexed * 5).toBeLessThan(scanned);
  });
});
