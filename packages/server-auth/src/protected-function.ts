/**
 * requireUser and protectedFunction: what a cloud function other than login needs to know who is
 * calling, and to answer like login does.
 *
 *   export const main = protectedFunction<MyActions, MyDeps>(cloud, {
 *     name: 'orders',
 *     setup: ({ db }) => ({ orders: createOrderStore(db) }),
 *     reads: ['list'],
 *     actions: {
 *       list: ({ id, deps }) => deps.orders.listOf(id),
 *       add: ({ id, event, deps }) => deps.orders.add(id, event),
 *     },
 *   });
 *
 * Every call: the identity is read from cloud.getWXContext() (never the event), resolved with the
 * one rule (resolve-user.ts), then the action runs with the user's id and public fields. Refusals
 * and failures become the envelope (envelope.ts); main never throws.
 *
 * What the current user is, and what may be stale (THE statement; docs/security-model.md repeats it):
 * - A write — every action NOT listed in `reads`, the default for a function that lists nothing —
 *   resolves the caller from the database (never from the cache) before it runs, and reads the
 *   user's document again after it ran (late-write.ts): a write that landed under an account
 *   deleted meanwhile is removed (the call answers USER_NOT_FOUND), one that landed under an
 *   account linked into another meanwhile is moved there. So no write ever ends up under an
 *   account nobody reaches, outlives 注销, or is made after a ban, an unlink or a deletion has
 *   committed; a write that was already running when one committed keeps the account's fate.
 *   This holds for the per-user collections of PER_USER_COLLECTIONS (user-data.ts), which is
 *   where a function's per-user data must live.
 * - A read — an action listed in `reads` — may be answered by the in-instance cache (user-cache.ts):
 *   0 database round trips for "who is this". On the device that made a change, the next call of
 *   any function reads afresh: the client sends the id of the account it holds (`accountHint`), and
 *   an entry read under another hint is not used (a hint only ever causes a read, never names a
 *   user). Elsewhere — another device, or a change made by an operator (a ban) — a read may answer
 *   with the account this WeChat identity had at most USER_CACHE_TTL_MS (60 s) ago: an unlinked
 *   WeChat may still list the account it left, a banned person their own data, a merged-away
 *   account an empty list (its data moved), a deleted one nothing (its data is removed). Never
 *   the data of an account this identity did not sign in to within those 60 s, and never a write.
 * - `user` (the public fields) is as fresh as the resolution: up to 60 s old in a read.
 */
import type { PublicUser, Result } from '../../../typings/contract';
import { createUserLookup, lookupCollections, type LookupDatabase } from './cloudbase-lookup';
import { failure, hasAction, parseEvent, settle } from './envelope';
import { AppError } from './errors';
import { readWxIdentity, type WxContextLike, type WxIdentity } from './identity';
import { settleWrite } from './late-write';
import { toPublicUser } from './public-user';
import { resolveCaller, type UserLookup } from './resolve-user';
import { createUserCache, type UserCache } from './user-cache';
import { createUserDataStore, type UserDataDatabase, type UserDataStore } from './user-data';
import type { UserRecord } from './user-record';

/** The caller, resolved: their account's id and public fields. */
export interface CurrentUser {
  /** The user id: what a function keys its data by (never the openid, which differs per app). */
  id: string;
  /** The public fields, as login answers them. */
  user: PublicUser;
  /** The WeChat identity of this call (its openid is needed by some open APIs, e.g. msgSecCheck). */
  identity: WxIdentity;
}

/** How a call uses the caller: a read may be answered from the cache, a write never. */
export interface RequireOptions {
  /** Default 'write': read the account from the database. */
  access?: 'read' | 'write';
  /** The call's account hint (readAccountHint): a cached caller read under another hint is read again. */
  accountHint?: string;
}

export interface Auth {
  /**
   * The caller of this invocation, or an AppError: UNAUTHENTICATED (no WeChat identity: an HTTP
   * trigger, a timer), USER_NOT_FOUND (never logged in, deleted, unlinked), USER_BANNED.
   * `context` is this invocation's cloud.getWXContext(). A function calling this itself (not
   * through protectedFunction) calls afterWrite once its write is done.
   */
  requireUser(context: WxContextLike, options?: RequireOptions): Promise<CurrentUser>;
  /**
   * After a write for `current` (late-write.ts): throws USER_NOT_FOUND when the account was
   * deleted meanwhile (the write is removed), moves the write when it was linked into another.
   */
  afterWrite(current: CurrentUser): Promise<void>;
  /** Makes a change to this user's account visible at once in this instance. */
  forgetUser(userId: string): void;
}

export interface AuthOptions {
  lookup: UserLookup;
  /** Where late writes are moved or removed: the per-user collections (user-data.ts). */
  userData: Pick<UserDataStore, 'moveAll' | 'removeAll'>;
  /** Default: a cache bounded by USER_CACHE_TTL_MS. `null`: no cache, every call reads. */
  cache?: UserCache | null;
  now?: () => Date;
}

export function createAuth(options: AuthOptions): Auth {
  const now = options.now ?? (() => new Date());
  const cache = options.cache === undefined ? createUserCache({ now: () => now().getTime() }) : options.cache;
  return {
    async requireUser(context, require = {}) {
      const identity = readWxIdentity(context);
      if (!identity) throw new AppError('UNAUTHENTICATED', 'no WeChat identity: call this function from the mini-program');
      const { user } = await resolveCaller(identity, options.lookup, {
        now: now(),
        refresh: require.access !== 'read',
        ...(cache ? { cache } : {}),
        ...(require.accountHint === undefined ? {} : { accountHint: require.accountHint }),
      });
      return { id: user._id, user: toPublicUser(user, now()), identity };
    },
    async afterWrite(current) {
      const settled = await settleWriteRetrying(current.id, options.lookup, options.userData);
      if (settled.outcome === 'kept' && settled.userId === current.id) return;
      cache?.invalidateUser(current.id);
      if (settled.outcome === 'removed') throw new AppError('USER_NOT_FOUND', 'the account was deleted while this call wrote');
    },
    forgetUser(userId) {
      cache?.invalidateUser(userId);
    },
  };
}

/** Attempts of the after-write check when a request of it fails (it is idempotent). */
const SETTLE_ATTEMPTS = 3;

/**
 * settleWrite, again on a failed request: a repair left half done would leave the write where
 * nobody reaches it. Should every attempt fail, the call answers INTERNAL (the write's fate is
 * then that of a write interrupted by a crash: see docs/security-model.md).
 */
async function settleWriteRetrying(
  userId: string,
  lookup: UserLookup,
  userData: Pick<UserDataStore, 'moveAll' | 'removeAll'>,
): ReturnType<typeof settleWrite> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await settleWrite(userId, lookup, userData);
    } catch (error) {
      if (attempt >= SETTLE_ATTEMPTS) throw error;
    }
  }
}

/** An action's contract: its event (without `action`) and its data. */
export type ActionContract<M> = { [A in keyof M]: { event: object; data: unknown } };

export interface ActionContext<D> extends CurrentUser {
  /** The event without `action`: untrusted input (event-fields.ts reads it). Never a source of identity. */
  event: Record<string, unknown>;
  deps: D;
  now: Date;
  /** After a change to the caller's account: see Auth.forgetUser. */
  forgetUser(userId: string): void;
}

export type ActionHandlers<M extends ActionContract<M>, D> = {
  [A in keyof M & string]: (context: ActionContext<D>) => Promise<M[A]['data']>;
};

export interface Logger {
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

export interface HandlerOptions<M extends ActionContract<M>, D> {
  actions: ActionHandlers<M, D>;
  /** The actions that only read: answered through the cache. Every other action is a write. */
  reads?: ReadonlyArray<keyof M & string>;
  auth: Auth;
  deps: () => D;
  now?: () => Date;
  log: Logger;
}

/** The function's front door, with its dependencies given: what main runs (and what tests call). */
export function createHandler<M extends ActionContract<M>, D>(
  options: HandlerOptions<M, D>,
): (event: unknown, context: WxContextLike) => Promise<Result<M[keyof M]['data']>> {
  const now = options.now ?? (() => new Date());
  const known = (name: string) => hasAction(options.actions, name);
  const reads = new Set<string>(options.reads ?? []);
  return async (raw, context) => {
    const parsed = parseEvent(raw, known);
    if (!parsed.ok) return failure(parsed.error);
    const action = parsed.action as keyof M & string;
    const run = options.actions[action];
    const { accountHint, event } = takeAccountHint(parsed.event);
    const access = reads.has(action) ? 'read' : 'write';
    return settle(
      action,
      async () => {
        const current = await options.auth.requireUser(context, { access, ...(accountHint === undefined ? {} : { accountHint }) });
        const actionContext = { ...current, event, deps: options.deps(), now: now(), forgetUser: options.auth.forgetUser };
        if (access === 'read') return run(actionContext);
        // The check runs even when the action failed: it may have written before it failed.
        const outcome = await run(actionContext).then(
          (data) => ({ ok: true as const, data }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        await options.auth.afterWrite(current);
        if (!outcome.ok) throw outcome.error;
        return outcome.data;
      },
      options.log.error,
    );
  };
}

/** The longest account hint read; a longer one (or one not a string) counts as none. */
const MAX_ACCOUNT_HINT_LENGTH = 128;

/**
 * The event's `accountHint` (the id of the account the client holds, sent by the mini-program's
 * auth service with every call) and the event without it: an action never sees the hint. A hint
 * is untrusted: it can only make the caller be read again (user-cache.ts), never choose who it is.
 */
export function takeAccountHint(event: Record<string, unknown>): { accountHint: string | undefined; event: Record<string, unknown> } {
  const { accountHint, ...rest } = event;
  const valid = typeof accountHint === 'string' && accountHint.length <= MAX_ACCOUNT_HINT_LENGTH;
  return { accountHint: valid ? accountHint : undefined, event: rest };
}

/** The part of wx-server-sdk a protected function uses; the SDK's default export satisfies it. */
export interface WxServerSdkLike {
  init(options: { env: string }): void;
  getWXContext(): WxContextLike;
  database(options?: object): unknown;
  DYNAMIC_CURRENT_ENV: unknown;
}

export interface SetupContext {
  /** `cloud.database()`, reads of a missing document answering `{ data: null }`. */
  db: unknown;
  now: () => Date;
  log: Logger;
}

export interface ProtectedFunctionSpec<M extends ActionContract<M>, D> {
  /** The function's name, for its log lines. */
  name: string;
  actions: ActionHandlers<M, D>;
  /**
   * The actions that only read (never write anything for the user): answered through the
   * in-instance cache, 0 round trips for the caller when warm. Every action not listed is a
   * write: the caller read afresh before it, the account checked after it (late-write.ts).
   */
  reads?: ReadonlyArray<keyof M & string>;
  /** Builds the function's own dependencies once per instance, on the first call. */
  setup: (context: SetupContext) => D;
}

/**
 * The function's `main`: the SDK initialised for the invoking environment, the database, the
 * lookup and the cache built once per instance on the first call, identity read per call.
 */
export function protectedFunction<M extends ActionContract<M>, D>(
  cloud: WxServerSdkLike,
  spec: ProtectedFunctionSpec<M, D>,
): (event: unknown) => Promise<Result<M[keyof M]['data']>> {
  // The SDK types DYNAMIC_CURRENT_ENV as a symbol but init()'s `env` as a string: a typing gap of
  // wx-server-sdk 4.x; at run time init() accepts the symbol and uses the invoking environment.
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as string });
  const now = () => new Date();
  const log: Logger = {
    warn: (message, detail) => console.warn(`[${spec.name}] ${message}`, detail ?? ''),
    error: (message, detail) => console.error(`[${spec.name}] ${message}`, detail ?? ''),
  };
  let handler: ((event: unknown, context: WxContextLike) => Promise<Result<M[keyof M]['data']>>) | undefined;
  function getHandler() {
    if (handler) return handler;
    // doc().get() of a missing document answers { data: null } instead of throwing (wx-server-sdk 4.x).
    const db = cloud.database({ throwOnNotFound: false });
    const auth = createAuth({
      lookup: createUserLookup<UserRecord>(db as LookupDatabase, lookupCollections()),
      userData: createUserDataStore(db as UserDataDatabase),
      now,
    });
    let deps: D | undefined;
    handler = createHandler<M, D>({
      actions: spec.actions,
      ...(spec.reads ? { reads: spec.reads } : {}),
      auth,
      deps: () => {
        deps ??= spec.setup({ db, now, log });
        return deps;
      },
      now,
      log,
    });
    return handler;
  }
  return async (event) => {
    try {
      // getWXContext reads the invocation's environment: per invocation, never at import.
      return await getHandler()(event, cloud.getWXContext());
    } catch (error) {
      // Only the wiring itself can land here (the handler settles every action).
      log.error('the function could not start', error);
      return failure({ code: 'INTERNAL', message: 'internal error, please retry later' });
    }
  };
}
