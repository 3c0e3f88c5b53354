import { Range, UNKNOWN } from '../../src/client-access/rule-expression';
import { branchReader, documentReader, queryBranches } from '../../src/client-access/rule-query';

describe('what a query fixes about the documents it can match', () => {
  it('fixes equal fields, dotted paths and the sub-fields of a fixed object', () => {
    const [branch, ...rest] = queryBranches({ _openid: 'o1', 'owner.id': 3, meta: { kind: 'a' } });
    expect(rest).toEqual([]);
    const read = branchReader(branch as Map<string, never>);
    expect(read('_openid')).toBe('o1');
    expect(read('owner.id')).toBe(3);
    expect(read('meta.kind')).toBe('a');
    expect(read('other')).toBe(UNKNOWN);
  });

  it('splits $or alternatives and $in values into branches', () => {
    expect(queryBranches({ $or: [{ a: 1 }, { b: 2 }] })).toHaveLength(2);
    expect(queryBranches({ team: { $in: ['x', 'y', 'z'] }, a: 1 })).toHaveLength(3);
    expect(queryBranches({ team: { $in: ['x', 'y'] }, $or: [{ a: 1 }, { a: 2 }] })).toHaveLength(4);
  });

  it('merges $and parts and drops a branch that contradicts itself', () => {
    expect(queryBranches({ $and: [{ a: 1 }, { b: 2 }] }).map((branch) => [...branch.keys()])).toEqual([['a', 'b']]);
    expect(queryBranches({ $and: [{ a: 1 }, { a: 2 }] })).toEqual([]);
  });

  it('turns $gt/$gte/$lt/$lte into a range and ignores operators it cannot reason about', () => {
    const [branch] = queryBranches({ age: { $gt: 18, $lte: 65 }, name: { $regex: 'x' } });
    const read = branchReader(branch as Map<string, never>);
    expect(read('age')).toEqual(new Range({ value: 18, inclusive: false }, { value: 65, inclusive: true }));
    expect(read('name')).toBe(UNKNOWN);
  });

  it('reads a concrete document (a create) with null for absent fields', () => {
    const read = documentReader({ a: { b: 1 } });
    expect(read('a.b')).toBe(1);
    expect(read('a.c')).toBeNull();
  });
});
