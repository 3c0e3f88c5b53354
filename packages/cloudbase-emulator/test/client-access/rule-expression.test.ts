import {
  evaluateRule,
  parseRuleExpression,
  Range,
  RuleSyntaxError,
  type RuleScope,
  UNKNOWN,
} from '../../src/client-access/rule-expression';

function scope(overrides: Partial<RuleScope> = {}): RuleScope {
  return { auth: { openid: 'o-me' }, doc: () => UNKNOWN, now: 1_000, get: () => null, ...overrides };
}

function evaluate(expression: string, overrides: Partial<RuleScope> = {}): unknown {
  return evaluateRule(parseRuleExpression(expression), scope(overrides));
}

const fields =
  (values: Record<string, unknown>) =>
  (path: string): unknown =>
    path in values ? values[path] : UNKNOWN;

describe('security-rule expressions', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['1 + 2 == 3', true],
    ["'a' + 'b' == 'ab'", true],
    ['!(1 > 2) && 2 >= 2', true],
    ['3 in [1, 2, 3]', true],
    ["'x' in ['a', 'b']", false],
    ['now > 999', true],
    ['auth.openid == "o-me"', true],
    ["auth.openid === 'o-me' || false", true],
  ])('%s evaluates to %s', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });

  it('reads doc fields the query fixes, by dotted path', () => {
    const doc = fields({ _openid: 'o-me', 'owner.id': 7 });
    expect(evaluate('doc._openid == auth.openid', { doc })).toBe(true);
    expect(evaluate('doc.owner.id == 7', { doc })).toBe(true);
    expect(evaluate("doc['owner.id'] == 7", { doc })).toBe(true);
  });

  it('is UNKNOWN, not true, when the rule reads a field the query does not fix', () => {
    expect(evaluate('doc._openid == auth.openid')).toBe(UNKNOWN);
    expect(evaluate('!(doc.a == 1)')).toBe(UNKNOWN);
  });

  it('uses Kleene logic: a definite side decides && and ||', () => {
    expect(evaluate('doc.a == 1 || true')).toBe(true);
    expect(evaluate('doc.a == 1 && false')).toBe(false);
    expect(evaluate('doc.a == 1 && true')).toBe(UNKNOWN);
  });

  it('decides comparisons against a range only when the whole range satisfies them', () => {
    const doc = fields({ age: new Range({ value: 18, inclusive: false }, { value: 65, inclusive: true }) });
    expect(evaluate('doc.age > 18', { doc })).toBe(true);
    expect(evaluate('doc.age >= 18', { doc })).toBe(true);
    expect(evaluate('doc.age <= 65', { doc })).toBe(true);
    expect(evaluate('doc.age < 65', { doc })).toBe(UNKNOWN);
    expect(evaluate('doc.age > 20', { doc })).toBe(UNKNOWN);
    expect(evaluate('10 < doc.age', { doc })).toBe(true);
  });

  it("reads another document with get('database.<collection>.<id>'), template strings included", () => {
    const get = (collection: string, id: string) => (collection === 'teams' && id === 't1' ? { members: ['o-me'] } : null);
    const doc = fields({ team: 't1' });
    // A rule's own template string, not one of this file.
    const byTeam = ['auth.openid in get(`database.teams.', '$', '{doc.team}`).members'].join('');
    expect(evaluate(byTeam, { doc, get })).toBe(true);
    expect(evaluate("auth.openid in get('database.teams.t2').members", { get })).toBe(false);
    expect(evaluate(byTeam, { get })).toBe(UNKNOWN);
  });

  it('sees a client that is not signed in as auth == null', () => {
    expect(evaluate('auth != null', { auth: null })).toBe(false);
    expect(evaluate('auth.openid == doc._openid', { auth: null, doc: fields({ _openid: 'o-me' }) })).toBe(false);
  });

  it.each([
    ['doc._openid ==', 'unexpected end'],
    ['foo(1)', 'unknown function foo()'],
    ["'open", 'unterminated string'],
    ['a # b', 'unexpected character'],
  ])('refuses %s (%s)', (expression, message) => {
    expect(() => parseRuleExpression(expression)).toThrow(RuleSyntaxError);
    expect(() => parseRuleExpression(expression)).toThrow(message);
  });

  it('refuses an expression longer than CloudBase allows (1,024 characters)', () => {
    expect(() => parseRuleExpression(`${'true && '.repeat(130)}true`)).toThrow('longer than 1024');
  });

  it('refuses more than 3 get() calls in one expression', () => {
    const rule = "get('database.a.1') == null && get('database.a.2') == null && get('database.a.3') == null && get('database.a.4') == null";
    expect(() => evaluate(rule)).toThrow('more than 3 get()');
  });
});
