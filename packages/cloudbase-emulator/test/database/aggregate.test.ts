/**
 * database.aggregateDocuments: stages arrive as { stageKey, stageValue } with the value as JSON
 * (numbers, strings) or canonical EJSON (objects), exactly as Aggregation._pipe() builds them.
 */
import { EJSON } from 'bson';
import type { DatabaseModule } from '../../src/database';
import { data, ejson, failure, memoryDatabase, seed } from './wire';

let db: DatabaseModule;
beforeEach(async () => {
  db = await memoryDatabase();
  await seed(db, 'users', [
    { _id: 'a', name: 'alice', city: 'SZ', n: 3, born: new Date('1990-01-01T00:00:00Z') },
    { _id: 'b', name: 'bob', city: 'GZ', n: 1, born: new Date('2001-01-01T00:00:00Z') },
    { _id: 'c', name: 'carol', city: 'SZ', n: 2, born: new Date('1985-01-01T00:00:00Z') },
    { _id: 'd', name: 'dave', city: 'BJ', n: 0 },
  ]);
  await seed(db, 'orders', [
    { _id: 'o1', uid: 'a', amount: 5 },
    { _id: 'o2', uid: 'a', amount: 7 },
    { _id: 'o3', uid: 'c', amount: 1 },
  ]);
});

/** A stage as the SDK sends it: objects as canonical EJSON, anything else as JSON. */
function stage(key: string, value: unknown): { stageKey: string; stageValue: string } {
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  return { stageKey: key, stageValue: isObject ? ejson(value) : JSON.stringify(value) };
}

async function run(collectionName: string, stages: { stageKey: string; stageValue: string }[]): Promise<unknown[]> {
  const result = await data<{ list: string[] }>(db, 'database.aggregateDocuments', { collectionName, stages });
  return result.list.map((item) => EJSON.parse(item));
}

describe('aggregateDocuments', () => {
  it('runs the capture #14 pipeline: $match, $group with $sum, $sort, $limit', async () => {
    const list = await run('users', [
      { stageKey: '$match', stageValue: '{"n":{"$gt":{"$numberInt":"0"}}}' },
      { stageKey: '$group', stageValue: '{"_id":"$city","c":{"$sum":{"$numberInt":"1"}}}' },
      { stageKey: '$sort', stageValue: '{"c":{"$numberInt":"-1"}}' },
      { stageKey: '$limit', stageValue: '3' },
    ]);
    expect(list).toEqual([
      { _id: 'SZ', c: 2 },
      { _id: 'GZ', c: 1 },
    ]);
  });

  it('projects, skips and limits after sorting', async () => {
    const list = await run('users', [
      stage('$sort', { n: -1 }),
      stage('$skip', 1),
      stage('$limit', 2),
      stage('$project', { _id: 0, name: 1, double: { $multiply: ['$n', 2] } }),
    ]);
    expect(list).toEqual([
      { name: 'carol', double: 4 },
      { name: 'bob', double: 2 },
    ]);
  });

  it('joins another collection with $lookup', async () => {
    const list = await run('users', [
      stage('$match', { city: 'SZ' }),
      stage('$lookup', { from: 'orders', localField: '_id', foreignField: 'uid', as: 'orders' }),
      stage('$project', { name: 1, total: { $sum: '$orders.amount' } }),
      stage('$sort', { total: -1 }),
    ]);
    expect(list).toEqual([
      { _id: 'a', name: 'alice', total: 12 },
      { _id: 'c', name: 'carol', total: 1 },
    ]);
  });

  it('matches Dates and keeps them Dates in the result', async () => {
    const list = await run('users', [stage('$match', { born: { $lt: new Date('2000-01-01T00:00:00Z') } }), stage('$project', { born: 1 })]);
    expect(list).toEqual([
      { _id: 'a', born: new Date('1990-01-01T00:00:00Z') },
      { _id: 'c', born: new Date('1985-01-01T00:00:00Z') },
    ]);
  });

  it('counts with $count', async () => {
    expect(await run('orders', [stage('$count', 'orders')])).toEqual([{ orders: 3 }]);
  });

  it('never changes the stored documents, even with $addFields', async () => {
    await run('users', [
      stage('$addFields', { added: true }),
      stage('$lookup', { from: 'orders', localField: '_id', foreignField: 'uid', as: 'o' }),
    ]);
    expect(db.documents('users').every((doc) => !('added' in doc) && !('o' in doc))).toBe(true);
  });

  it('answers DATABASE_REQUEST_FAILED for an unknown stage and refuses write stages', async () => {
    expect((await failure(db, 'database.aggregateDocuments', { collectionName: 'users', stages: [stage('$bogus', {})] })).code).toBe(
      'DATABASE_REQUEST_FAILED',
    );
    const out = await failure(db, 'database.aggregateDocuments', { collectionName: 'users', stages: [stage('$out', 'copy')] });
    expect(out.code).toBe('DATABASE_REQUEST_FAILED');
    expect(db.listCollections()).not.toContain('copy');
  });
});
