/**
 * `watch()` of the mini-program client, pushed: one long-poll round of `POST /client/database`
 * with `{ action: 'database.watch', request: <the get() the watched query sends>, digest }`.
 *
 * The round runs the query as that client, under its permissions, and answers as soon as what it
 * returns differs from what the client last received (`digest`, a hash of that answer): at once
 * for a new watcher, else when a commit changes it. Every commit (a function's or a client's, in
 * any collection, since a CUSTOM rule may read others with get()) wakes the round to run the query
 * again; a commit that changes nothing this client may read wakes nobody on the client side. So a
 * watcher never receives a document its permissions would not let it read, and a refusal ends
 * the watch with the refusal's code, as get() would.
 *
 * After `timeoutMs` without a change the round answers the same digest (the client asks again),
 * so no request stays open forever; a client that goes away ends its round.
 */
import { createHash } from 'node:crypto';

export type QueryAnswer = { ok: true; data: unknown } | { ok: false; code: string; message: string };

export interface WatchRound {
  /** Runs the watched query as its client, permissions applied. */
  run(): Promise<QueryAnswer>;
  /** Calls the listener after each commit; returns the unsubscribe. */
  onCommit(listener: () => void): () => void;
  /** The digest of what the client holds; null for a new watcher. */
  digest: string | null;
  timeoutMs: number;
  /** Resolves when the client went away. */
  gone: Promise<void>;
}

export function digestOf(data: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(data ?? null))
    .digest('base64url');
}

/** Answers `{ digest, reply }` (reply: what get() would have received) or the query's refusal. */
export async function watchRound(round: WatchRound): Promise<QueryAnswer> {
  let changed = false;
  let wake: () => void = () => undefined;
  const unsubscribe = round.onCommit(() => {
    changed = true;
    wake();
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      resolve();
    }, round.timeoutMs);
  });
  let gone = false;
  void round.gone.then(() => {
    gone = true;
  });
  try {
    for (;;) {
      changed = false;
      const answer = await round.run();
      if (!answer.ok) return answer;
      const digest = digestOf(answer.data);
      if (digest !== round.digest || expired || gone) return { ok: true, data: { digest, reply: answer.data } };
      // A commit during run() already counts: run again without waiting.
      if (!changed) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), deadline, round.gone]);
      if (gone) return { ok: false, code: 'SYS_ERR', message: 'the watcher went away' };
    }
  } finally {
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
  }
}
