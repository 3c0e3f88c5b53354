/**
 * sameValue is BSON equality: two values are the same when their canonical EJSON is. Dates take a
 * shorter way (a $set of the login time compares two dates on every returning login); it must
 * answer what the encoding answers.
 */
import { Long, ObjectId } from 'bson';
import { encodeEjson, sameValue } from '../../src/database/ejson';

const byEncoding = (a: unknown, b: unknown): boolean => encodeEjson({ v: a }) === encodeEjson({ v: b });

describe('sameValue', () => {
  it('given dates, then it answers what their encoding answers: same time same value, a millisecond apart not', () => {
    const at = Date.UTC(2026, 11, 7, 10, 0, 0, 123);
    const pairs: [unknown, unknown][] = [
      [new Date(at), new Date(at)],
      [new Date(at), new Date(at + 1)],
      [new Date(0), new Date(-0)],
      [new Date(-62198755200000), new Date(-62198755200000)],
      [new Date(at), at],
      [new Date(at), { $date: at }],
      [new Date(at), new Date(at).toISOString()],
    ];
    for (const [a, b] of pairs) {
      expect(sameValue(a, b)).toBe(byEncoding(a, b));
      expect(sameValue(b, a)).toBe(byEncoding(b, a));
    }
    expect(sameValue(new Date(at), new Date(at))).toBe(true);
    expect(sameValue(new Date(at), new Date(at + 1))).toBe(false);
  });

  it('given other values, then field order, number types and ids decide as in MongoDB', () => {
    expect(sameValue({ a: 1, b: 2 }, { a: 1, b: 2 })).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameValue([new Date(5)], [new Date(5)])).toBe(true);
    expect(sameValue(Long.fromNumber(5), Long.fromNumber(5))).toBe(true);
    const id = new ObjectId();
    expect(sameValue(id, new ObjectId(id.toHexString()))).toBe(true);
    expect(sameValue(1, '1')).toBe(false);
  });
});
