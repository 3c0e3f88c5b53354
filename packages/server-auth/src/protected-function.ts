/**
 * requireUser and protectedFunction: what a cloud function other than login needs to know who is
 * calling, and to answer like login does.
 *
 *   export const main = protectedFunction<MyActions, MyDeps>(cloud, {
 *     name: 'orders',
 *     setup: ({ db }) => ({ orders: createOrderStore(db) }),
 *     actions: { list: ({ user, deps }) => deps.orders.listOf(user.id) },
 *   });
 *
 * Every call: the identity is read from cloud.getWXContext() (never the event), resolved with the
 * one rule (resolve-user.ts) through the in-instance cache (user-cache.ts), then the action runs
 * with the user's id and public fields. Refusals and failures become the envelope (envelope.ts);
 * main never throws.
 */
import type { PublicUser, Result } from '../../../typings/contract';
import { createUserLookup, lookupCollections, type LookupDatabase } from './cloudbase-lookup';
import { failure, hasAction, parseEvent, settle } from './envelope';
import { AppError } from './errors';
import { readWxIdentity, type WxContextLike, type WxIdentity } from './identity';
import { toPublicUser } from './public-user';
import { resolveCaller, type UserLookup } from './resolve-user';
import { createUserCache, type UserCache } from './user-cache';
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

export interface Auth {
  /**
   * The caller of this invocation, or an AppError: UNAUTHENTICATED (no WeChat identity: an HTTP
   * trigger, a timer), USER_NOT_FOUND (never logged in, deleted, unlinked), USER_BANNED.
   * `context` is this invocation's cloud.getWXContext().
   */
  requireUser(context: WxContextLike): Promise<CurrentUser>;
  /** Makes a change to this user's account visible at once in this instance. */
  forgetUser(userId: string): void;
}

export interface AuthOptions {
  lookup: UserLookup;
  /** Default: a cache bounded by USER_CACHE_TTL_MS. `null`: no cache, every call reads. */
  cache?: UserCache | null;
  now?: () => Date;
}

export function createAuth(options: AuthOptions): Auth {
  const now = options.now ?? (() => new Date());
  const cache = options.cache === undefined ? createUserCache({ now: () => now().getTime() }) : options.cache;
  return {
    async requireUser(context) {
      const identity = readWxIdentity(context);
      if (!identity) throw new AppError('UNAUTHENTICATED', 'no WeChat identity: call this function from the mini-program');
      const { user } = await resolveCaller(identity, options.lookup, { now: now(), ...(cache ? { cache } : {}) });
      return { id: user._id, user: toPublicUser(user, now()), identity };
    },
    forgetUser(userId) {
      cache?.invalidateUser(userId);
    },
  };
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
  return async (raw, context) => {
    const parsed = parseEvent(raw, known);
    if (!parsed.ok) return failure(parsed.error);
    const action = parsed.action as keyof M & string;
    const run = options.actions[action];
    return settle(
      action,
      async () => {
        const current = await options.auth.requireUser(context);
        return run({ ...current, event: parsed.event, deps: options.deps(), now: now(), forgetUser: options.auth.forgetUser });
      },
      options.log.error,
    );
  };
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
    const auth = createAuth({ lookup: createUserLookup<UserRecord>(db as LookupDatabase, lookupCollections()), now });
    let deps: D | undefined;
    handler = createHandler<M, D>({
      actions: spec.actions,
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
