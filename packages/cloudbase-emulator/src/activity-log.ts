/**
 * The status page's live log: every finished function call (who called, the event, the answer or
 * the error, the database requests and sequential round trips), every chunk of function console
 * output and every client request the declared permissions refused, numbered in order. The page asks for what came after the last number it has
 * (`GET /api/log?after=N`). Only the newest entries are kept, and each value shown is bounded, so
 * a busy emulator's memory does not grow with its uptime.
 */
import type { CallRecord } from './functions';
import type { Caller } from './request-log';

export type ActivityEntry =
  | {
      seq: number;
      kind: 'call';
      at: number;
      name: string;
      caller: Caller;
      /** JSON text, cut at MAX_VALUE_CHARS. */
      event: string;
      result?: string;
      error?: { kind: string; message: string };
      durationMs: number;
      roundTrips: number;
      requests: { action: string; collection?: string; ms: number; errorCode?: string }[];
    }
  | { seq: number; kind: 'output'; at: number; name: string; stream: 'stdout' | 'stderr'; text: string }
  | (ClientDenial & { seq: number; kind: 'denial'; at: number });

/** A mini-program client's request that the declared permissions refused (client-access/). */
export interface ClientDenial {
  /** '' for a client that is not signed in. */
  openid: string;
  service: 'database' | 'storage';
  /** 'database.getDocument', 'uploadFile' … */
  operation: string;
  /** The collection, or the file's cloud path. */
  target: string;
  /** Which rule refused: 'ADMINONLY', 'CUSTOM read: doc._openid == auth.openid'. */
  rule: string;
  message: string;
}

export const MAX_ENTRIES = 500;
export const MAX_VALUE_CHARS = 20_000;

export interface ActivityLog {
  call(record: CallRecord): void;
  output(name: string, stream: 'stdout' | 'stderr', chunk: Buffer): void;
  denial(denial: ClientDenial): void;
  /** Entries numbered after `after`, oldest first. */
  since(after: number): ActivityEntry[];
}

function bounded(value: unknown): string {
  let text: string;
  try {
    // Without a replacer first: JSON.stringify is several times faster without one, and only a
    // BigInt (which plain JSON refuses) needs it.
    text = JSON.stringify(value, null, 2) ?? 'undefined';
  } catch {
    try {
      text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2) ?? 'undefined';
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}\n… (${text.length - MAX_VALUE_CHARS} more characters)` : text;
}

export function createActivityLog(limit = MAX_ENTRIES): ActivityLog {
  const entries: ActivityEntry[] = [];
  let seq = 0;
  const push = (entry: ActivityEntry) => {
    entries.push(entry);
    if (entries.length > limit) entries.splice(0, entries.length - limit);
  };
  return {
    call({ name, caller, event, invocation, startedAt, endedAt }) {
      push({
        seq: ++seq,
        kind: 'call',
        at: startedAt,
        name,
        caller,
        event: bounded(event),
        ...(invocation.error ? { error: invocation.error } : { result: bounded(invocation.result) }),
        durationMs: endedAt - startedAt,
        roundTrips: invocation.roundTrips,
        requests: invocation.requests.map((request) => ({
          action: request.action,
          ...(request.collection !== undefined && { collection: request.collection }),
          ms: Math.round(request.endedAt - request.startedAt),
          ...(request.errorCode !== undefined && { errorCode: request.errorCode }),
        })),
      });
    },
    output(name, stream, chunk) {
      const text = chunk.toString('utf8');
      push({
        seq: ++seq,
        kind: 'output',
        at: Date.now(),
        name,
        stream,
        text: text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS) : text,
      });
    },
    denial(denial) {
      push({ seq: ++seq, kind: 'denial', at: Date.now(), ...denial });
    },
    since(after) {
      const first = entries.findIndex((entry) => entry.seq > after);
      return first < 0 ? [] : entries.slice(first);
    },
  };
}
