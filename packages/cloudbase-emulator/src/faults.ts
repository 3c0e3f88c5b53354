/**
 * Fault injection for admin requests: tests make the emulator fail or slow down chosen requests
 * the way the real service can (a write that errors, a slow network), then check how cloud code
 * copes. Rules are matched in the order they were added; the first rule that fires decides.
 */

export interface FaultRule {
  /** Exact action ('database.insertDocument') or a pattern (/^database\./). Any action when absent. */
  action?: string | RegExp;
  /** Only requests on this collection (`collectionName`). */
  collection?: string;
  /** Fire from the nth matching request on (1-based, counted from when the rule was added). Default 1. */
  nth?: number;
  /** How many times the rule fires. Default 1. */
  times?: number | 'always';
  /** Delay before the request is handled (and before the error, if any). */
  latencyMs?: number;
  /** Answer with this service error (`code` is the CloudBase error NAME) instead of handling. */
  error?: { code: string; message: string };
  /**
   * 'before' (default): the request fails without reaching the service.
   * 'after': the service handles it (a write lands), then the caller gets the error anyway,
   * like a reply lost on the way back.
   */
  when?: 'before' | 'after';
}

export interface FaultInjector {
  /** Fail or delay matching admin requests; returns a handle to remove the rule. */
  add(rule: FaultRule): { remove(): void };
  clear(): void;
}

/** What to do with one request: nothing, or wait and/or fail. */
export interface FaultEffect {
  latencyMs: number;
  error?: { code: string; message: string };
  when: 'before' | 'after';
}

export interface FaultController extends FaultInjector {
  /** Consumes the first rule that fires for this request; null when none does. */
  effectFor(request: { action: string; collection?: string }): FaultEffect | null;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export function createFaultInjector(): FaultController {
  let rules: ActiveRule[] = [];

  function matches(rule: FaultRule, request: { action: string; collection?: string }): boolean {
    const { action, collection } = rule;
    if (typeof action === 'string' && action !== request.action) return false;
    if (action instanceof RegExp && !testPattern(action, request.action)) return false;
    if (collection !== undefined && collection !== request.collection) return false;
    return true;
  }

  return {
    add(rule) {
      const active: ActiveRule = { rule, seen: 0, fired: 0 };
      rules.push(active);
      return {
        remove() {
          rules = rules.filter((candidate) => candidate !== active);
        },
      };
    },
    clear() {
      rules = [];
    },
    effectFor(request) {
      // Every matching rule counts the request, so `nth` means the same thing whichever rule fires.
      let chosen: ActiveRule | null = null;
      for (const active of rules) {
        if (!matches(active.rule, request)) continue;
        active.seen += 1;
        const times = active.rule.times ?? 1;
        const exhausted = times !== 'always' && active.fired >= times;
        if (!chosen && !exhausted && active.seen >= (active.rule.nth ?? 1)) chosen = active;
      }
      if (!chosen) return null;
      chosen.fired += 1;
      const { latencyMs = 0, error, when = 'before' } = chosen.rule;
      return error ? { latencyMs, error, when } : { latencyMs, when };
    },
  };
}

/** A /g or /y pattern keeps `lastIndex` between calls; matching must not depend on history. */
function testPattern(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}
