/**
 * The emulator's own clock, for testing what time does: a ban that ends, a rate-limit window that
 * resets, a code or a signed URL that expires. It is real time plus an offset the developer sets
 * (`set`, `advance`, `reset`), and it is the one "now" of everything the emulator plays:
 *
 *   - function code: every invocation hands the offset to its instance, whose global Date answers
 *     real time + offset (instance-host.js), so the same built index.js that runs in production
 *     sees the moved clock without a line of its own;
 *   - the database: db.serverDate(), generated ids, transaction lifetime;
 *   - the open API (phone-code expiry, watermarks) and storage (upload times, signed URLs).
 *
 * Invocation time limits stay on real time (functions/clock.ts): moving the clock must not kill a
 * running call. Time keeps flowing after a `set`: the offset is fixed, not the instant.
 */

export interface ClockState {
  /** The emulator's time, ms since the epoch. */
  nowMs: number;
  /** The same as an ISO 8601 string. */
  now: string;
  /** What is added to real time (0: the clock is real). */
  offsetMs: number;
}

export interface EmulatorClock {
  /** The emulator's time in ms since the epoch: real time + offset. */
  now(): number;
  /** Milliseconds added to real time. */
  offset(): number;
  /** Moves the clock to `to` (a Date, ms since the epoch or an ISO string); time flows on from there. */
  set(to: Date | number | string): ClockState;
  /** Moves the clock by `ms` (negative: back). */
  advance(ms: number): ClockState;
  /** Back to real time. */
  reset(): ClockState;
  state(): ClockState;
  /**
   * Counts the moves that went back in time. Function instances started before a move back hold
   * state from the future (caches stamped later than the new now), so the runtime replaces them.
   */
  rewinds(): number;
}

export function createEmulatorClock(realNow: () => number = Date.now): EmulatorClock {
  let offset = 0;
  let rewinds = 0;

  function moveTo(offsetMs: number): ClockState {
    if (!Number.isFinite(offsetMs)) throw new RangeError('the clock offset must be a finite number of milliseconds');
    if (offsetMs < offset) rewinds += 1;
    offset = Math.round(offsetMs);
    return clock.state();
  }

  const clock: EmulatorClock = {
    now: () => realNow() + offset,
    offset: () => offset,
    set(to) {
      const target = to instanceof Date ? to.getTime() : typeof to === 'number' ? to : Date.parse(to);
      if (!Number.isFinite(target)) throw new RangeError(`not a date: ${String(to)}`);
      return moveTo(target - realNow());
    },
    advance: (ms) => moveTo(offset + ms),
    reset: () => moveTo(0),
    state() {
      const nowMs = clock.now();
      return { nowMs, now: new Date(nowMs).toISOString(), offsetMs: offset };
    },
    rewinds: () => rewinds,
  };
  return clock;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * `90m`, `1h30m`, `2d`, `45s`, `500ms`, `-1h` (back), or a plain number of milliseconds;
 * null when the text is none of these.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/.exec(trimmed);
  if (!match) return null;
  let total = 0;
  for (const part of (match[2] ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2] as Unit];
  }
  return Math.round(match[1] === '-' ? -total : total);
}

/** `+1h 30m 0s` / `-2d 0h 0m` / `0`: an offset for people (the CLI, the status page). */
export function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return '0';
  const sign = offsetMs < 0 ? '-' : '+';
  let rest = Math.abs(offsetMs);
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    rest -= count * UNIT_MS[unit];
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return `${sign}${parts.join(' ')}`;
}
