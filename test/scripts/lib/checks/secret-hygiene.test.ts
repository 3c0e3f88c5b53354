import { findAppSecretLike, findSessionKeyMentions } from '../../../../scripts/lib/checks/secret-hygiene';

const inBuiltOutput = (text: string) => findSessionKeyMentions(text, { allowDenyLists: true }).length;

describe('findSessionKeyMentions in built output', () => {
  it.each([
    ['a minified deny-list', 'var GB=["session_key","sessionKey"];'],
    ['a deny-list with spaces and single quotes', "const LEGACY = [ 'sessionKey', 'session_key' ];"],
    ['a one-element deny-list passed to a call', 'strip(doc,["session_key"])'],
  ])('accepts %s', (_name, text) => {
    expect(inBuiltOutput(text)).toBe(0);
  });

  it.each([
    ['a property read', 'return res.session_key'],
    ['an object key', 'return {session_key:k}'],
    ['a quoted object key', 'return {"session_key":k}'],
    ['a computed member access', 'return doc["session_key"]'],
    ['a computed access on a call result', 'return f()["session_key"]'],
    ['a pick-list that also names public fields', 'pick(doc,["openid","session_key"])'],
    ['a string in a message', 'log("session_key expired")'],
  ])('reports %s', (_name, text) => {
    expect(inBuiltOutput(text)).toBe(1);
  });

  it('reports every mention in the mini-program, deny-lists included', () => {
    expect(findSessionKeyMentions('const x = ["session_key"];', { allowDenyLists: false })).toHaveLength(1);
  });

  it('ignores sessionKey, an ordinary name for a local cache key', () => {
    expect(findSessionKeyMentions('export function sessionKey(scope) {}', { allowDenyLists: false })).toEqual([]);
  });

  it('locates a mention by line and column', () => {
    expect(findSessionKeyMentions('a\nb = x.session_key', { allowDenyLists: false })).toEqual([
      expect.objectContaining({ line: 2, column: 7 }),
    ]);
  });
});

describe('findAppSecretLike', () => {
  it('finds 32 hex digits mixing letters and digits', () => {
    expect(findAppSecretLike('appSecret: "a1b2c3d4e5f60718293a4b5c6d7e8f90"')).toHaveLength(1);
  });

  it.each([
    ['31 digits', 'a1b2c3d4e5f60718293a4b5c6d7e8f9'],
    ['33 digits', 'a1b2c3d4e5f60718293a4b5c6d7e8f901'],
    ['a run inside a longer token', 'x_a1b2c3d4e5f60718293a4b5c6d7e8f90'],
    ['only digits', '12345678901234567890123456789012'],
    ['only letters', 'abcdefabcdefabcdefabcdefabcdefab'],
  ])('ignores %s', (_name, text) => {
    expect(findAppSecretLike(text)).toEqual([]);
  });
});
