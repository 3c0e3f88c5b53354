/**
 * The mingo-free predicate for simple criteria must match exactly what mingo matches (with the
 * emulator's CloudBase operators), on documents with missing, null, array and nested fields.
 */
import { Query } from 'mingo/query';
import { CLOUDBASE_CONTEXT } from '../../src/database/cloudbase-operators';
import type { Doc } from '../../src/database/ejson';
import { simplePredicate } from '../../src/database/fast-paths';

const DOCS: Doc[] = [
  { _id: 'a', identityKeys: ['wx:1', 'phone:1'], status: 'active', _openid: 'o1', n: 1 },
  { _id: 'b', identityKeys: ['wx:2'], status: 'banned', n: 2 },
  { _id: 'c', openid: 'o1', _openid: 'o1', n: 1.5, flag: true },
  { _id: 'd', openid: 'o2', status: null, flag: false, n: [1, 2] },
  { _id: 'e', identityKeys: [], status: 'merged', nested: { status: 'active' } },
  { _id: 'f', identityKeys: 'wx:1', _openid: 'o2', status: 'deleting', n: 0 },
  { _id: 'g' },
];

const CRITERIA: Doc[] = [
  { _id: { $in: ['a', 'c', 'zz'] } },
  { _id: { $in: [] } },
  { identityKeys: 'wx:1' },
  { identityKeys: { $in: ['wx:2', 'phone:1'] } },
  { status: { $nin: ['banned', 'merged', 'deleting'] } },
  { status: { $nin: [] } },
  { status: { $exists: false } },
  { status: { $exists: true } },
  { status: { $eq: 'active' } },
  { n: 1 },
  { n: { $in: [2, 0] } },
  { flag: false },
  { n: 1, _openid: 'o1' },
  { status: { $exists: true, $nin: ['banned'] } },
  // The three queries of a returning login.
  {
    $or: [
      { identityKeys: { $in: ['wx:1'] } },
      {
        $and: [
          { identityKeys: { $exists: false } },
          {
            $or: [
              { $and: [{ _openid: 'o1' }, { $or: [{ openid: { $exists: false } }, { openid: 'o1' }] }] },
              { openid: 'o1', _openid: { $exists: false } },
            ],
          },
        ],
      },
    ],
  },
  {
    $and: [
      { identityKeys: 'wx:1', status: { $nin: ['banned', 'merged', 'deleting'] } },
      { $or: [{ _openid: { $exists: false } }, { _openid: 'o1' }] },
    ],
  },
  { $or: [{ openid: 'o2' }, { n: 0 }], flag: { $exists: true } },
];

function mingoMatches(criteria: Doc): string[] {
  const query = new Query(criteria, { scriptEnabled: false, context: CLOUDBASE_CONTEXT });
  return DOCS.filter((doc) => query.test(doc)).map((doc) => doc._id as string);
}

describe('the mingo-free predicate for simple criteria', () => {
  it.each(CRITERIA.map((criteria) => [JSON.stringify(criteria), criteria]))('given %s, matches what mingo matches', (_, criteria) => {
    const predicate = simplePredicate(criteria as Doc);
    if (!predicate) throw new Error('expected the shortcut to take these criteria');
    expect(DOCS.filter((doc) => predicate(doc)).map((doc) => doc._id)).toEqual(mingoMatches(criteria as Doc));
  });

  it('given criteria outside its shapes (dotted paths, ranges, embedded documents, empty $or, null), leaves them to mingo', () => {
    for (const criteria of [
      { 'nested.status': 'active' },
      { n: { $gt: 0 } },
      { nested: { status: 'active' } },
      { status: null },
      { $or: [] },
      { status: { $in: ['active', null] } },
      { $nor: [{ n: 1 }] },
      { status: {} },
    ]) {
      expect(simplePredicate(criteria)).toBeUndefined();
    }
  });
});
