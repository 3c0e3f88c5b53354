/**
 * CloudBase's security-rule expressions (the CUSTOM permission of a collection or of storage): a
 * JavaScript-like boolean expression per operation, e.g. `doc._openid == auth.openid`,
 * `auth.openid in get('database.teams.' + doc.team).members`, `now < doc.expireAt`.
 *
 * Supported: literals (numbers, strings, template strings with `${…}`, true/false/null, arrays),
 * names (auth, doc, now, request, resource), `.x` and `[x]` access, get(path), unary ! and -,
 * + - * / %, < <= > >=, in, == !=, && ||, parentheses.
 *
 * Rules are not filters: a query is allowed only when the rule holds for EVERY document it could
 * match. So `doc` is not a stored document but what the query pins down (rule-query.ts): a field the
 * query fixes to a value has that value, a field it bounds has a range, any other field is UNKNOWN.
 * Evaluation is three-valued: UNKNOWN propagates through comparisons, `&&`/`||` use Kleene logic,
 * and only a definite `true` allows. Pure: `get()` reads through the injected lookup.
 */

/** A value the rule cannot know from the query alone (a field the query does not fix). */
export const UNKNOWN: unique symbol = Symbol('UNKNOWN');
type Unknown = typeof UNKNOWN;

/** What the query says about one field: a closed/open interval (from $gt/$gte/$lt/$lte). */
export class Range {
  constructor(
    readonly low?: { value: number | string | Date; inclusive: boolean },
    readonly high?: { value: number | string | Date; inclusive: boolean },
  ) {}
}

export type RuleValue = unknown;

export interface RuleScope {
  /** The caller, or null for an unauthenticated request. */
  auth: { openid: string; loginType?: string; uid?: string } | null;
  /** Reads a field of `doc` by dotted path: a value, a Range, UNKNOWN, or undefined when absent from a concrete doc. */
  doc(path: string): RuleValue;
  now: number;
  request?: { data?: unknown };
  resource?: Record<string, unknown>;
  /** get('database.<collection>.<id>'): the stored document, or null. */
  get(collection: string, id: string): Record<string, unknown> | null;
}

type Node =
  | { type: 'literal'; value: unknown }
  | { type: 'name'; name: string }
  | { type: 'member'; object: Node; property: Node }
  | { type: 'call'; callee: string; args: Node[] }
  | { type: 'array'; items: Node[] }
  | { type: 'template'; parts: (string | Node)[] }
  | { type: 'unary'; op: '!' | '-'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node };

export class RuleSyntaxError extends Error {
  override name = 'RuleSyntaxError';
}

/** CloudBase limits one expression to 1,024 characters. */
export const MAX_EXPRESSION_LENGTH = 1024;

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'tpl'; raw: string }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'end' };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', '.', ','];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    if (/[0-9]/.test(char)) {
      const match = /^\d+(\.\d+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'num', value: Number(match[0]) });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(char)) {
      const match = /^[A-Za-z_$][\w$]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'id', value: match[0] });
      i += match[0].length;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== char) {
        if (source[j] === '\\' && j + 1 < source.length) {
          text += source[j + 1];
          j += 2;
          continue;
        }
        text += source[j];
        j += 1;
      }
      if (j >= source.length) throw new RuleSyntaxError(`unterminated string at ${i}`);
      tokens.push(char === '`' ? { kind: 'tpl', raw: text } : { kind: 'str', value: text });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new RuleSyntaxError(`unexpected character ${JSON.stringify(char)} at ${i}`);
    tokens.push({ kind: 'op', value: op === '===' ? '==' : op === '!==' ? '!=' : op });
    i += op.length;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  in: 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

/** Parses one rule expression; throws RuleSyntaxError with the position of what it did not understand. */
export function parseRuleExpression(source: string): Node {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new RuleSyntaxError(`longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token => tokens[position] as Token;
  const next = (): Token => tokens[position++] as Token;
  const isOp = (value: string): boolean => {
    const token = peek();
    return token.kind === 'op' && token.value === value;
  };
  const expect = (value: string): void => {
    if (!isOp(value)) throw new RuleSyntaxError(`expected ${value}`);
    position += 1;
  };

  function binaryOperator(): string | undefined {
    const token = peek();
    if (token.kind === 'op' && token.value in BINARY_PRECEDENCE) return token.value;
    if (token.kind === 'id' && token.value === 'in') return 'in';
    return undefined;
  }

  function expression(minPrecedence = 1): Node {
    let left = unary();
    for (;;) {
      const op = binaryOperator();
      const precedence = op === undefined ? 0 : (BINARY_PRECEDENCE[op] ?? 0);
      if (op === undefined || precedence < minPrecedence) return left;
      position += 1;
      const right = expression(precedence + 1);
      left = { type: 'binary', op, left, right };
    }
  }

  function unary(): Node {
    if (isOp('!') || isOp('-')) {
      const op = (next() as { value: '!' | '-' }).value;
      return { type: 'unary', op, operand: unary() };
    }
    return postfix(primary());
  }

  function postfix(node: Node): Node {
    let current = node;
    for (;;) {
      if (isOp('.')) {
        position += 1;
        const name = next();
        if (name.kind !== 'id') throw new RuleSyntaxError('expected a field name after .');
        current = { type: 'member', object: current, property: { type: 'literal', value: name.value } };
      } else if (isOp('[')) {
        position += 1;
        const property = expression();
        expect(']');
        current = { type: 'member', object: current, property };
      } else {
        return current;
      }
    }
  }

  function primary(): Node {
    const token = next();
    switch (token.kind) {
      case 'num':
        return { type: 'literal', value: token.value };
      case 'str':
        return { type: 'literal', value: token.value };
      case 'tpl':
        return { type: 'template', parts: templateParts(token.raw) };
      case 'id': {
        if (token.value === 'true') return { type: 'literal', value: true };
        if (token.value === 'false') return { type: 'literal', value: false };
        if (token.value === 'null' || token.value === 'undefined') return { type: 'literal', value: null };
        if (isOp('(')) {
          position += 1;
          const args: Node[] = [];
          while (!isOp(')')) {
            args.push(expression());
            if (!isOp(')')) expect(',');
          }
          position += 1;
          if (token.value !== 'get') throw new RuleSyntaxError(`unknown function ${token.value}()`);
          return { type: 'call', callee: token.value, args };
        }
        return { type: 'name', name: token.value };
      }
      case 'op':
        if (token.value === '(') {
          const inner = expression();
          expect(')');
          return inner;
        }
        if (token.value === '[') {
          const items: Node[] = [];
          while (!isOp(']')) {
            items.push(expression());
            if (!isOp(']')) expect(',');
          }
          position += 1;
          return { type: 'array', items };
        }
        throw new RuleSyntaxError(`unexpected ${token.value}`);
      default:
        throw new RuleSyntaxError('unexpected end of expression');
    }
  }

  const node = expression();
  if (peek().kind !== 'end') throw new RuleSyntaxError('unexpected text after the expression');
  return node;
}

function templateParts(raw: string): (string | Node)[] {
  const parts: (string | Node)[] = [];
  let rest = raw;
  for (;;) {
    const start = rest.indexOf('${');
    if (start < 0) {
      if (rest) parts.push(rest);
      return parts;
    }
    const end = rest.indexOf('}', start);
    if (end < 0) throw new RuleSyntaxError('unterminated ${ in a template string');
    if (start > 0) parts.push(rest.slice(0, start));
    parts.push(parseRuleExpression(rest.slice(start + 2, end)));
    rest = rest.slice(end + 1);
  }
}

/** A path into the query's `doc` (resolved when used, so `doc.a.b` reads field 'a.b'). */
class DocPath {
  constructor(readonly path: string) {}
}

function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

function comparable(value: unknown): number | string | undefined {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value instanceof Date) return value.getTime();
  return undefined;
}

function equal(left: unknown, right: unknown): boolean {
  if (left instanceof Date && right instanceof Date) return left.getTime() === right.getTime();
  if ((left === undefined || left === null) && (right === undefined || right === null)) return true;
  if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null)
    return JSON.stringify(left) === JSON.stringify(right);
  return left === right;
}

/** `value OP bound` for every value of `range`: true, false, or UNKNOWN when the range straddles. */
function compareRange(range: Range, op: string, bound: unknown): boolean | Unknown {
  const b = comparable(bound);
  if (b === undefined) return UNKNOWN;
  const low = range.low && comparable(range.low.value);
  const high = range.high && comparable(range.high.value);
  const lowAbove = (inclusiveNeeded: boolean) =>
    low !== undefined && range.low !== undefined && (low > b || (low === b && (!range.low.inclusive || inclusiveNeeded)));
  const highBelow = (inclusiveNeeded: boolean) =>
    high !== undefined && range.high !== undefined && (high < b || (high === b && (!range.high.inclusive || inclusiveNeeded)));
  switch (op) {
    case '>':
      return lowAbove(false) ? true : UNKNOWN;
    case '>=':
      return lowAbove(true) ? true : UNKNOWN;
    case '<':
      return highBelow(false) ? true : UNKNOWN;
    case '<=':
      return highBelow(true) ? true : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function compare(op: string, left: unknown, right: unknown): boolean | Unknown {
  if (left instanceof Range) return compareRange(left, op, right);
  if (right instanceof Range) return compareRange(right, FLIPPED[op] ?? op, left);
  if (isUnknown(left) || isUnknown(right)) return UNKNOWN;
  const a = comparable(left);
  const b = comparable(right);
  if (a === undefined || b === undefined || typeof a !== typeof b) return false;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** Evaluates a parsed rule; true, false, or UNKNOWN (the query does not say enough). */
export function evaluateRule(node: Node, scope: RuleScope): unknown {
  let gets = 0;
  const resolve = (value: unknown): unknown => (value instanceof DocPath ? scope.doc(value.path) : value);

  function run(current: Node): unknown {
    switch (current.type) {
      case 'literal':
        return current.value;
      case 'array':
        return current.items.map((item) => resolve(run(item)));
      case 'template': {
        let text = '';
        for (const part of current.parts) {
          if (typeof part === 'string') text += part;
          else {
            const value = resolve(run(part));
            if (isUnknown(value) || value instanceof Range) return UNKNOWN;
            text += String(value);
          }
        }
        return text;
      }
      case 'name':
        switch (current.name) {
          case 'auth':
            return scope.auth;
          case 'doc':
            return new DocPath('');
          case 'now':
            return scope.now;
          case 'request':
            return scope.request ?? null;
          case 'resource':
            return scope.resource ?? null;
          default:
            throw new RuleSyntaxError(`unknown name ${current.name}`);
        }
      case 'member': {
        const object = run(current.object);
        const property = resolve(run(current.property));
        if (isUnknown(property) || property instanceof Range) return UNKNOWN;
        if (object instanceof DocPath) return new DocPath(object.path ? `${object.path}.${String(property)}` : String(property));
        if (isUnknown(object) || object instanceof Range) return UNKNOWN;
        if (object === null || object === undefined || typeof object !== 'object') return null;
        return (object as Record<string, unknown>)[String(property)] ?? null;
      }
      case 'call': {
        gets += 1;
        // CloudBase allows at most 3 get() per expression.
        if (gets > 3) throw new RuleSyntaxError('more than 3 get() calls in one expression');
        const path = resolve(run(current.args[0] ?? { type: 'literal', value: null }));
        if (isUnknown(path) || path instanceof Range) return UNKNOWN;
        const match = typeof path === 'string' ? /^database\.([^.]+)\.(.+)$/.exec(path) : null;
        if (!match) return null;
        return scope.get(match[1] as string, match[2] as string);
      }
      case 'unary': {
        const value = resolve(run(current.operand));
        if (current.op === '!') return isUnknown(value) || value instanceof Range ? UNKNOWN : !truthy(value);
        return typeof value === 'number' ? -value : UNKNOWN;
      }
      case 'binary':
        return binary(current.op, current.left, current.right);
    }
  }

  function binary(op: string, leftNode: Node, rightNode: Node): unknown {
    if (op === '&&') {
      const left = truth(resolve(run(leftNode)));
      if (left === false) return false;
      const right = truth(resolve(run(rightNode)));
      if (right === false) return false;
      return left === true && right === true ? true : UNKNOWN;
    }
    if (op === '||') {
      const left = truth(resolve(run(leftNode)));
      if (left === true) return true;
      const right = truth(resolve(run(rightNode)));
      if (right === true) return true;
      return left === false && right === false ? false : UNKNOWN;
    }
    const left = resolve(run(leftNode));
    const right = resolve(run(rightNode));
    switch (op) {
      case '==':
      case '!=': {
        if (isUnknown(left) || isUnknown(right) || left instanceof Range || right instanceof Range) return UNKNOWN;
        return op === '==' ? equal(left, right) : !equal(left, right);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return compare(op, left, right);
      case 'in': {
        if (isUnknown(left) || isUnknown(right) || left instanceof Range) return UNKNOWN;
        if (Array.isArray(right)) {
          if (right.some((item) => equal(item, left))) return true;
          return right.some(isUnknown) ? UNKNOWN : false;
        }
        if (typeof right === 'string' && typeof left === 'string') return right.includes(left);
        if (right && typeof right === 'object') return String(left) in right;
        return false;
      }
      default: {
        if (isUnknown(left) || isUnknown(right) || left instanceof Range || right instanceof Range) return UNKNOWN;
        if (op === '+') {
          if (typeof left === 'number' && typeof right === 'number') return left + right;
          return String(left) + String(right);
        }
        if (typeof left !== 'number' || typeof right !== 'number') return UNKNOWN;
        if (op === '-') return left - right;
        if (op === '*') return left * right;
        if (op === '/') return left / right;
        return left % right;
      }
    }
  }

  return resolve(run(node));
}

function truthy(value: unknown): boolean {
  return Boolean(value);
}

function truth(value: unknown): boolean | Unknown {
  if (isUnknown(value) || value instanceof Range) return UNKNOWN;
  return truthy(value);
}
