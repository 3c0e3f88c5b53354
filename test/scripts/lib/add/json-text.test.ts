import { addProperty, appendToArray, JsonTextError, removeFromArray } from '../../../../scripts/lib/add/json-text';

describe('JSON text edits', () => {
  it('appends to a multi-line array with the indentation of its items', () => {
    const text = '{\n    "pages": [\n        "pages/a/index"\n    ]\n}\n';
    expect(appendToArray(text, ['pages'], ['x/b'])).toBe('{\n    "pages": [\n        "pages/a/index",\n        "x/b"\n    ]\n}\n');
  });

  it('keeps a one-line array on one line', () => {
    expect(appendToArray('{ "pages": ["a", "b"] }', ['pages'], ['c'])).toBe('{ "pages": ["a", "b", "c"] }');
  });

  it('fills an empty array and adds an object property at the end, copying the indent unit', () => {
    expect(appendToArray('{\n  "functions": []\n}', ['functions'], [{ name: 'login' }])).toBe(
      '{\n  "functions": [\n    {\n      "name": "login"\n    }\n  ]\n}',
    );
    expect(addProperty('{\n  "a": 1\n}\n', [], 'b', true)).toBe('{\n  "a": 1,\n  "b": true\n}\n');
  });

  it('removes items with their separators, leaving the rest as it was', () => {
    const text = '{\n  "pages": [\n    "x/a",\n    "mine",\n    "x/b"\n  ]\n}';
    expect(removeFromArray(text, ['pages'], (value) => String(value).startsWith('x/'))).toBe('{\n  "pages": [\n    "mine"\n  ]\n}');
    expect(removeFromArray(text, ['pages'], () => true)).toBe('{\n  "pages": []\n}');
    expect(removeFromArray(text, ['pages'], () => false)).toBe(text);
  });

  it('refuses what it cannot edit rather than guessing', () => {
    expect(() => appendToArray('{ "pages": {} }', ['pages'], ['a'])).toThrow(JsonTextError);
    expect(() => addProperty('{ "a": 1 }', [], 'a', 2)).toThrow(JsonTextError);
    expect(() => appendToArray('{ "pages": [ }', ['pages'], ['a'])).toThrow(JsonTextError);
  });
});
