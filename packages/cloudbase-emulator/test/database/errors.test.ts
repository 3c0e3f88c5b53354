/**
 * The error codes the real service answers with: missing collections (never auto-created, not
 * even by an insert), already existing collections, and malformed parameters.
 */
import type { DatabaseModule } from '../../src/database';
import { call, data, ejson, failure, memoryDatabase, seed } from './wire';

let db: DatabaseModule;
beforeEach(async () => {
  db = await memoryDatabase();
});

describe('a collection that was never created', () => {
  const onMissing: [string, Record<string, unknown>][] = [
    ['database.getDocument', { query: '{"_id":"a"}', queryType: 'DOC', multi: false }],
    ['database.insertDocument', { data: [ejson({ _id: 'a' })] }],
    [
      'database.modifyDocument',
      { query: '{"_id":"a"}', queryType: 'DOC', multi: false, merge: true, upsert: false, data: ejson({ $set: { a: 1 } }) },
    ],
    [
      'database.modifyDocument',
      { query: '{"_id":"a"}', queryType: 'DOC', multi: false, merge: false, upsert: true, data: ejson({ a: 1 }) },
    ],
    ['database.removeDocument', { query: '{"_id":"a"}', queryType: 'DOC', multi: false }],
    ['database.calculateDocument', { queryType: 'WHERE' }],
    ['database.aggregateDocuments', { stages: [{ stageKey: '$match', stageValue: '{}' }] }],
  ];

  it.each(onMissing)('given %s, then DATABASE_COLLECTION_NOT_EXIST and nothing is created', async (action, body) => {
    const error = await failure(db, action, { collectionName: 'nope', ...body });
    expect(error.code).toBe('DATABASE_COLLECTION_NOT_EXIST');
    expect(error.message).toContain('Db or Table not exist');
    expect(db.listCollections()).toEqual([]);
  });

  it('given an insert inside a transaction, then DATABASE_COLLECTION_NOT_EXIST too', async () => {
    const reply = await call(db, 'database.startTransaction');
    const transactionId = reply.kind === 'json' ? String(reply.top?.transactionId) : '';
    const error = await failure(db, 'database.insertDocument', { collectionName: 'nope', data: [ejson({ x: 1 })], transactionId });
    expect(error.code).toBe('DATABASE_COLLECTION_NOT_EXIST');
  });
});

describe('addCollection (db.createCollection)', () => {
  it('creates an empty collection once; a second time answers DATABASE_COLLECTION_ALREADY_EXIST', async () => {
    expect(await call(db, 'database.addCollection', { collectionName: 'users' })).toEqual({ kind: 'json' });
    expect(db.listCollections()).toEqual(['users']);
    const error = await failure(db, 'database.addCollection', { collectionName: 'users' });
    expect(error.code).toBe('DATABASE_COLLECTION_ALREADY_EXIST');
  });

  it('refuses names that are paths, prototype keys, empty or over-long, and creates nothing', async () => {
    for (const collectionName of ['../../x', 'a/b', 'a\\b', '..', '.hidden', '__proto__', 'constructor', 'a\u0000b', 'x'.repeat(121)]) {
      const error = await failure(db, 'database.addCollection', { collectionName });
      expect(error.code).toBe('INVALID_PARAM');
      expect(error.message).toMatch(/invalid collection name/);
    }
    expect(db.listCollections()).toEqual([]);
  });

  it.each([
    ['database.insertDocument', { data: [ejson({ _id: 'a' })] }],
    ['database.getDocument', { query: '{}', queryType: 'WHERE', multi: true }],
    ['database.removeDocument', { query: '{}', queryType: 'WHERE', multi: true }],
    ['database.calculateDocument', { queryType: 'WHERE' }],
  ])('given %s on __proto__ or ../x, then INVALID_PARAM rather than a missing collection', async (action, body) => {
    for (const collectionName of ['__proto__', '../x']) {
      expect((await failure(db, action, { collectionName, ...body })).code).toBe('INVALID_PARAM');
    }
  });

  it('refuses names MongoDB refuses', async () => {
    for (const collectionName of ['a$b', 'system.users', '']) {
      expect((await failure(db, 'database.addCollection', { collectionName })).code).toBe('INVALID_PARAM');
    }
  });
});

describe('malformed parameters answer INVALID_PARAM with a message naming the field', () => {
  beforeEach(async () => {
    await seed(db, 'users', [{ _id: 'a' }]);
  });

  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    ['no collectionName', 'database.getDocument', { queryType: 'WHERE' }, /collectionName/],
    ['an unknown queryType', 'database.getDocument', { collectionName: 'users', queryType: 'ALL' }, /queryType/],
    [
      'a query that is not EJSON',
      'database.getDocument',
      { collectionName: 'users', queryType: 'WHERE', query: '{nope' },
      /query is not valid Extended JSON/,
    ],
    [
      'a query that is not an object',
      'database.getDocument',
      { collectionName: 'users', queryType: 'WHERE', query: '[1]' },
      /query must encode an object/,
    ],
    ['a negative limit', 'database.getDocument', { collectionName: 'users', queryType: 'WHERE', limit: -1 }, /limit/],
    ['a fractional offset', 'database.getDocument', { collectionName: 'users', queryType: 'WHERE', offset: 1.5 }, /offset/],
    [
      'a bad order direction',
      'database.getDocument',
      { collectionName: 'users', queryType: 'WHERE', order: ejson({ a: 2 }) },
      /order of a/,
    ],
    ['insert data that is not a list', 'database.insertDocument', { collectionName: 'users', data: 42 }, /data must be a non-empty array/],
    ['an update without data', 'database.modifyDocument', { collectionName: 'users', query: '{"_id":"a"}', queryType: 'DOC' }, /data/],
    [
      'a non-boolean multi',
      'database.removeDocument',
      { collectionName: 'users', query: '{"_id":"a"}', queryType: 'DOC', multi: 'yes' },
      /multi/,
    ],
    ['a stage without stageKey', 'database.aggregateDocuments', { collectionName: 'users', stages: [{ stageValue: '{}' }] }, /stages\[0\]/],
    ['a commit without transactionId', 'database.commitTransaction', {}, /transactionId/],
  ];

  it.each(cases)('given %s', async (_name, action, body, message) => {
    const error = await failure(db, action, body);
    expect(error.code).toBe('INVALID_PARAM');
    expect(error.message).toMatch(message);
  });

  it('given an unknown transactionId, then DATABASE_TRANSACTION_FAIL', async () => {
    const error = await failure(db, 'database.getDocument', {
      collectionName: 'users',
      query: '{"_id":"a"}',
      queryType: 'DOC',
      transactionId: 'missing',
    });
    expect(error.code).toBe('DATABASE_TRANSACTION_FAIL');
  });

  it('ignores the envelope fields every SDK request carries', async () => {
    expect(
      await data(db, 'database.calculateDocument', { collectionName: 'users', queryType: 'WHERE', instance: undefined, seqId: 'x' }),
    ).toEqual({ total: 1 });
  });
});

describe('after close()', () => {
  it('answers SYS_ERR instead of touching the data', async () => {
    await db.close();
    expect((await failure(db, 'database.calculateDocument', { collectionName: 'users' })).code).toBe('SYS_ERR');
  });
});
