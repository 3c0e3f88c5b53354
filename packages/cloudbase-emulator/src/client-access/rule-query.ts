/**
 * What a client query pins down about the documents it can match, as the `doc` of a security rule
 * (rule-expression.ts). CloudBase's rule: the query must be a subset of what the rule allows; so the
 * rule is evaluated once per branch of the query (each `$or` alternative, each value of an `$in`)
 * against what that branch fixes, and must be definitely true for all of them.
 *
 *   { _openid: 'o1', status: 'open' }        doc._openid == 'o1', doc.status == 'open'
 *   { age: { $gt: 18, $lte: 65 } }           doc.age is in (18, 65]
 *   { team: { $in: ['a', 'b'] } }            two branches: doc.team == 'a', doc.team == 'b'
 *   { $or: [{ a: 1 }, { b: 2 }] }            two branches
 *   anything else ($regex, $exists, …)       the field is UNKNOWN: a rule reading it denies
 */
import { isPlainObject } from '../database/ejson';
import { Range, UNKNOWN } from './rule-expression';

type Constraint = { eq: unknown } | Range;
/** One alternative of the query: field path → what it says about that field. */
export type QueryBranch = Map<string, Constraint>;

/** Past this many branches the query is treated as saying nothing (each branch is one evaluation). */
const MAX_BRANCHES = 64;

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => key.startsWith('$'));
}

function merge(into: QueryBranch, path: string, constraint: Constraint): boolean {
  const current = into.get(path);
  if (current === undefined) {
    into.set(path, constraint);
    return true;
  }
  if (!(current instanceof Range) && !(constraint instanceof Range)) {
    // Two different values for one field: this branch matches nothing.
    return JSON.stringify(current.eq) === JSON.stringify(constraint.eq);
  }
  if (current instanceof Range && constraint instanceof Range) {
    into.set(path, new Range(constraint.low ?? current.low, constraint.high ?? current.high));
  } else if (current instanceof Range) {
    into.set(path, constraint);
  }
  return true;
}

function product(left: QueryBranch[], right: QueryBranch[]): QueryBranch[] {
  const out: QueryBranch[] = [];
  for (const a of left) {
    for (const b of right) {
      const merged = new Map(a);
      let possible = true;
      for (const [path, constraint] of b) possible = possible && merge(merged, path, constraint);
      if (possible) out.push(merged);
      if (out.length > MAX_BRANCHES) return [new Map()];
    }
  }
  return out;
}

function fieldBranches(path: string, value: unknown): QueryBranch[] {
  if (!isOperatorObject(value)) return [new Map([[path, { eq: value }]])];
  let branches: QueryBranch[] = [new Map()];
  let low: Range['low'];
  let high: Range['high'];
  for (const [operator, operand] of Object.entries(value)) {
    if (operator === '$eq') branches = product(branches, [new Map([[path, { eq: operand }]])]);
    else if (operator === '$in' && Array.isArray(operand)) {
      branches = product(
        branches,
        operand.map((item) => new Map([[path, { eq: item }]])),
      );
    } else if (operator === '$gt' || operator === '$gte') low = { value: operand as number, inclusive: operator === '$gte' };
    else if (operator === '$lt' || operator === '$lte') high = { value: operand as number, inclusive: operator === '$lte' };
  }
  if (low || high) branches = product(branches, [new Map([[path, new Range(low, high)]])]);
  return branches;
}

/** The alternatives of a decoded query. An empty list means the query matches nothing. */
export function queryBranches(query: Record<string, unknown>): QueryBranch[] {
  let branches: QueryBranch[] = [new Map()];
  for (const [key, value] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const part of value) if (isPlainObject(part)) branches = product(branches, queryBranches(part));
    } else if (key === '$or' && Array.isArray(value)) {
      const alternatives = value.flatMap((part) => (isPlainObject(part) ? queryBranches(part) : [new Map()]));
      branches = product(branches, alternatives);
    } else if (!key.startsWith('$')) {
      branches = product(branches, fieldBranches(key, value));
    }
  }
  return branches;
}

/** `doc.<path>` as one branch of a query answers it. */
export function branchReader(branch: QueryBranch): (path: string) => unknown {
  return (path) => {
    if (path === '') return UNKNOWN;
    const exact = branch.get(path);
    if (exact !== undefined) return exact instanceof Range ? exact : exact.eq;
    // A prefix fixed to an object value answers its sub-fields.
    const parts = path.split('.');
    for (let length = parts.length - 1; length > 0; length -= 1) {
      const prefix = branch.get(parts.slice(0, length).join('.'));
      if (prefix !== undefined && !(prefix instanceof Range)) return readPath(prefix.eq, parts.slice(length).join('.'));
    }
    return UNKNOWN;
  };
}

/** `doc.<path>` of a concrete document (a create's data): absent fields are null. */
export function documentReader(doc: Record<string, unknown>): (path: string) => unknown {
  return (path) => (path === '' ? doc : readPath(doc, path));
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[part];
  }
  return current ?? null;
}
