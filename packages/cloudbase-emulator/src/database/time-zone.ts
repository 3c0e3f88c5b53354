/**
 * Time zones for the date operators, computed without the machine's own zone.
 *
 * CloudBase's date operators work in UTC unless an expression names a `timezone` (MongoDB's rule; the
 * SDKs' own suites expect `$hour` to equal `getUTCHours()` and `$dateToString` without a zone to print
 * the UTC date). mingo reads an Olson zone by formatting a date and parsing that text back as *local*
 * time, so its answers move with `TZ` around daylight-saving changes, and it refuses zones such as
 * `UTC`, `Etc/GMT-8` or `America/Argentina/Buenos_Aires`. Here the offset comes from Intl with every
 * field read explicitly, so the result is the same on any machine.
 */
import { requestFailed } from './errors';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw requestFailed(`unrecognized time zone identifier: "${zone}"`);
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?$/;

/** Minutes to add to UTC to get the wall-clock time in `zone` at `at` (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(zone: unknown, at: Date): number {
  if (zone === undefined || zone === null) return 0;
  if (typeof zone !== 'string') throw requestFailed(`timezone must evaluate to a string, found ${typeof zone}`);
  const fixed = OFFSET.exec(zone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    return fixed[1] === '-' ? -minutes : minutes;
  }
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') return 0;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const instant = Math.floor(at.getTime() / 1000) * 1000;
  return Math.round((wall - instant) / 60_000);
}

/** The instant whose wall-clock reading in `zone` is the UTC reading of `wall`. */
export function fromWallClock(wall: Date, zone: unknown): Date {
  if (zone === undefined || zone === null) return wall;
  // Two passes: the offset at the first guess can differ across a daylight-saving change.
  const guess = new Date(wall.getTime() - zoneOffsetMinutes(zone, wall) * 60_000);
  return new Date(wall.getTime() - zoneOffsetMinutes(zone, guess) * 60_000);
}

/** `date` moved so that its UTC fields read as the wall clock in `zone`. */
export function toWallClock(date: Date, zone: unknown): Date {
  return new Date(date.getTime() + zoneOffsetMinutes(zone, date) * 60_000);
}

/** `+hhmm`, as `%z` prints it. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
