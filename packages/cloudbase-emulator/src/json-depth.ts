/**
 * How deeply a JSON text nests, measured without recursion.
 *
 * JSON.stringify, bson's EJSON and the structured clone that carries an event to a worker all
 * recurse: a value nested a few thousand levels deep overflows the stack and would surface as an
 * HTTP 500 or a RangeError message. Every JSON text that comes from a caller (callFunction events,
 * admin bodies, the EJSON fields of database requests) is measured first, iteratively, and refused
 * as an invalid argument beyond MAX_JSON_DEPTH — far deeper than any real document or event.
 */
export const MAX_JSON_DEPTH = 1000;

/** True when `text` opens more than `limit` objects or arrays inside one another (strings skipped). */
export function jsonDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

export function tooDeepMessage(what: string): string {
  return `${what} is nested deeper than ${MAX_JSON_DEPTH} levels`;
}
