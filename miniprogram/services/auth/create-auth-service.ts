import type {
  AccountNotice,
  ActionMap,
  ActionName,
  ErrorCode,
  FunctionActionName,
  FunctionData,
  FunctionEvent,
  FunctionName,
  LoginData,
  LoginFunctionEvent,
  PublicUser,
} from '../../../typings/contract';
import { LOGIN_FUNCTION_NAME } from '../../contract/lists';
import type { Clock, CloudFunctionCaller, KeyValueStorage, SessionScope } from '../../ports';
import type { Guard, ReceivedErrorBody } from '../response-guards';
import { isLoginData, readAccountNotices, readEnvelope, readPublicUser } from '../response-guards';
import { fromErrorBody, ServiceError, toServiceError } from '../service-error';
import type { StoredSession } from './session-store';
import { createSessionStore } from './session-store';

/**
 * Login for a CloudBase mini-program, in plain TypeScript.
 *
 * There is no token here: CloudBase attaches the caller's WeChat identity to every
 * wx.cloud.callFunction, and the `login` function finds or creates the user from it. "Logging in"
 * means asking that function for our user record; the record is cached in storage so later
 * launches render it at once (stale-while-revalidate) and browsing never needs the network.
 *
 * Rules this module keeps:
 * - currentUser() is synchronous and never calls the cloud: a cached launch renders its first
 *   frame with 0 cloud calls.
 * - Once per launch, after that first frame, the cached session is revalidated (revalidate(), from
 *   the pages' onReady): one login that creates nothing (`existingOnly`). What changed elsewhere
 *   since the cache was written — WeChat's pushes clearing the nickname, avatar or phone, 注销 or
 *   an unlink on another device, a ban — reaches the device within the launch, not a day later.
 *   It is the single-flight login: it joins a login in flight, and logins during it join it.
 * - One login at a time: concurrent login() / ensureLogin() / callWithLogin() calls share one
 *   cloud call (peers' wrappers log in once per parallel request and mix sessions up).
 * - A protected call that the server rejects with UNAUTHENTICATED logs in again and retries, at
 *   most `maxAuthRetries` times, then fails with AUTH_RETRY_EXHAUSTED: never a loop.
 * - Signed out means signed out: an answer that ends the session (USER_NOT_FOUND: this WeChat no
 *   longer signs in to the account — unlinked or deleted, here or on another device; USER_BANNED)
 *   clears the cache at once and is never cured by a silent login, which would put the person into
 *   a new, empty account. The service keeps a SessionNotice saying what happened, and the login
 *   after it says whether it created a new account; pages show it (takeSessionNotice).
 * - A login that finishes after logout() is dropped, so a background refresh cannot undo 退出登录.
 * - Every call of a function other than login carries `accountHint`: the id of the account this
 *   device holds. The server only compares it with what its caller cache was read under, so the
 *   call right after a link, an unlink or a deletion made here reads the account afresh in every
 *   instance (server-auth user-cache.ts). It can never choose who the caller is.
 * - Consent is the pages' job: a page sends a logged-out person to pages/login (agreement
 *   checkbox) before a protected action; ensureLogin/callWithLogin log in silently when asked.
 */

/**
 * A run that keeps its session longer than this revalidates it again (the mini-program kept in
 * the background for days); every launch revalidates once whatever the age.
 */
export const DEFAULT_SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** How many times a protected call may log in again after an UNAUTHENTICATED / USER_NOT_FOUND answer. */
export const DEFAULT_MAX_AUTH_RETRIES = 1;

/** Actions of the login function that act for a user: every action but `login` itself. */
export type ProtectedAction = Exclude<ActionName, 'login'>;
/** Actions that answer a WeChat without an account too, and create nothing for it (callAsGuest). */
export type GuestAction = 'findAccountByPhone';
export type ActionPayload<A extends ActionName> = ActionMap[A]['event'];
export type ActionData<A extends ActionName> = ActionMap[A]['data'];
/** The actions of function `F` that act for a user: all of them, but `login` of the login function. */
export type ProtectedActionOf<F extends FunctionName> = Exclude<FunctionActionName<F>, F extends 'login' ? 'login' : never>;

/**
 * A protected call's answer: the data, or the server's refusal as a value (its `details` checked,
 * so narrowing on `code` types them). Only what is not a refusal — the network, an answer off the
 * contract, AUTH_RETRY_EXHAUSTED — rejects.
 */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ReceivedErrorBody };

export interface CallOptions {
  /**
   * Default true: on UNAUTHENTICATED, log in again and retry. False for actions that must not log
   * in on their own (deleteAccount, unlinkIdentity): the failure is answered instead.
   */
  relogin?: boolean;
}

/** Why the service itself ended a session (not the person's 退出登录). */
export type SignOutReason = 'unlinked' | 'account-gone' | 'banned';

/**
 * What the person must be told about their session, once: it ended without them asking
 * ('signed-out'), or a login put this WeChat into another account than the one this device showed
 * ('account-changed'; `isNewUser` when that account was created by it).
 */
export type SessionNotice = { kind: 'signed-out'; reason: SignOutReason } | { kind: 'account-changed'; isNewUser: boolean };

export interface AuthServiceOptions {
  storage: KeyValueStorage;
  cloud: CloudFunctionCaller;
  clock: Clock;
  scope: SessionScope;
  /** Default DEFAULT_SESSION_TTL_MS (one day). */
  ttlMs?: number;
  /** Default DEFAULT_MAX_AUTH_RETRIES (1). */
  maxAuthRetries?: number;
  /** Failures the service absorbs instead of throwing (background refresh, storage full): for logs. */
  reportError?: (error: ServiceError) => void;
}

export interface AuthService {
  /** The logged-in user from memory, else from storage; null when logged out. No network, ever. */
  currentUser(): PublicUser | null;
  /** Calls the login function (joining a call already in flight) and caches the user. */
  login(): Promise<LoginData>;
  /** The cached user, or login() when there is none. */
  ensureLogin(): Promise<PublicUser>;
  /**
   * The user as the login function answered it during this run, logging in when it has not yet:
   * never the cache of an earlier run alone, which anyone with the device's storage can rewrite.
   * For what must name the real account (the avatar's folder).
   */
  ensureServerUser(): Promise<PublicUser>;
  /**
   * Asks the login function, once per run (launch), who the cached session's user is now: one
   * login that never creates an account (`existingOnly`), sharing the single flight with login().
   * The answer replaces the cached user (and brings the account's notices); when the account is
   * gone (USER_NOT_FOUND) or banned, the session ends with a SessionNotice. Later calls of the run
   * join it or resolve at once, unless the session outlived the TTL; a login this run counts as
   * the revalidation. Logged out: nothing to ask. Never rejects (a failure goes to reportError,
   * the cached user stays, and is not asked again this run). Resolves with the user after it.
   * Pages call it from onReady, after their first render.
   */
  revalidate(): Promise<PublicUser | null>;
  /** @deprecated The name of revalidate() before it ran once per launch; the same function. */
  refreshIfStale(): Promise<PublicUser | null>;
  /**
   * Calls `action` of the login function (event `{ ...payload, action }`) as the logged-in user,
   * logging in first when needed. `isData` checks the answer's data at run time (callFunction's
   * result is untyped). Rejects with a ServiceError, the server's refusals included.
   */
  callWithLogin<A extends ProtectedAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
    options?: CallOptions,
  ): Promise<ActionData<A>>;
  /**
   * callWithLogin, with the server's refusal resolved as a value instead of thrown: for the callers
   * to whom a refusal is an answer to read (bindPhone's link offer). Same re-login and retries.
   */
  callForResult<A extends ProtectedAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
    options?: CallOptions,
  ): Promise<ActionResult<ActionData<A>>>;
  /**
   * Calls `action` WITHOUT logging in first, whether or not someone is: for the one action that
   * must not create an account before the person decided (findAccountByPhone on the login page).
   * The refusal is a value, as with callForResult; the session is left as it is.
   */
  callAsGuest<A extends GuestAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
  ): Promise<ActionResult<ActionData<A>>>;
  /**
   * Calls any cloud function of the contract (typings/contract.d.ts FunctionMap) as the logged-in
   * user: `payload` is the whole event, `action` included, typed by the function's map, so a wrong
   * action or field does not compile. The same single-flight lazy login, re-login and bounded retry
   * as callWithLogin (which is this, for the login function). Rejects with a ServiceError.
   */
  call<F extends FunctionName, A extends ProtectedActionOf<F>>(
    functionName: F,
    payload: FunctionEvent<F, A>,
    isData: Guard<FunctionData<F, A>>,
    options?: CallOptions,
  ): Promise<FunctionData<F, A>>;
  /**
   * Replaces the cached user with a fresher copy a protected action returned, keeping only the
   * contract's fields; resolves with that copy. Not cached when logged out.
   */
  saveUser(user: PublicUser): PublicUser;
  /**
   * Forgets the user in memory and storage. With a reason, the session ended without the person
   * asking (the server said so): a SessionNotice tells them, and the next login says whether it
   * created a new account.
   */
  logout(reason?: SignOutReason): void;
  /** The notice about the session not yet shown, and forgets it: null when there is nothing to tell. */
  takeSessionNotice(): SessionNotice | null;
  /**
   * The notices login answers carried since the last call (the function answers each once), and
   * forgets them: whoever shows them takes them. Empty after logout.
   */
  takeAccountNotices(): AccountNotice[];
}

function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return typeof value;
  }
}

/**
 * Answers to a protected call that a new login can cure: the server could not tie the caller to
 * a user (UNAUTHENTICATED).
 */
const RELOGIN_CODES: readonly string[] = ['UNAUTHENTICATED'] satisfies ErrorCode[];

/**
 * Answers that end the session: this WeChat no longer signs in to the account (USER_NOT_FOUND) or
 * the account is banned. A new login cannot bring that account back, and one made silently would
 * sign the person in to a new, empty account as if nothing happened.
 */
const SESSION_ENDING_CODES: Readonly<Record<string, SignOutReason>> = { USER_NOT_FOUND: 'account-gone', USER_BANNED: 'banned' };

export function createAuthService(options: AuthServiceOptions): AuthService {
  const { cloud, clock } = options;
  const store = createSessionStore(options.storage, options.scope);
  const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  const maxAuthRetries = options.maxAuthRetries ?? DEFAULT_MAX_AUTH_RETRIES;
  const reportError = options.reportError ?? (() => undefined);

  let session: StoredSession | null = null;
  /** Notices of login answers not yet taken by a page (takeAccountNotices). */
  let pendingNotices: AccountNotice[] = [];
  let hydrated = false;
  let inFlight: Promise<LoginData> | null = null;
  /** Bumped by logout(): a login started before it must not store its user. */
  let logoutEpoch = 0;
  /** The user id a login answer of this run named; null until one did, and after logout(). */
  let serverUserId: string | null = null;
  /** Bumped by every stored login: lets a rejected protected call see that someone already logged in again. */
  let loginGeneration = 0;
  /** Not yet shown to the person (takeSessionNotice). */
  let notice: SessionNotice | null = null;
  /** The account of a session the service ended itself, until the next login: tells that login's answer apart. */
  let endedUserId: string | null = null;
  /** This run's revalidation (or the login that made one unnecessary); settles, never rejects. */
  let revalidation: Promise<void> | null = null;

  function loadSession(): StoredSession | null {
    if (!hydrated) {
      hydrated = true;
      try {
        session = store.read();
      } catch (error) {
        reportError(new ServiceError('UNKNOWN', `reading the cached session failed: ${toServiceError(error).detail}`));
      }
    }
    return session;
  }

  function storeUser(answered: PublicUser): PublicUser {
    // Only the contract's fields are kept, in memory and in storage: nothing else is cached or shown.
    const user = readPublicUser(answered);
    if (!user) throw new ServiceError('INVALID_RESPONSE', 'the user to cache is not a PublicUser');
    session = { savedAt: clock.now(), user };
    hydrated = true;
    try {
      store.write(session);
    } catch (error) {
      // Still logged in for this run; the next launch simply logs in again.
      reportError(new ServiceError('UNKNOWN', `caching the session failed: ${toServiceError(error).detail}`));
    }
    return user;
  }

  function endSession(reason?: SignOutReason): void {
    pendingNotices = [];
    const ended = loadSession()?.user.id ?? null;
    if (reason) {
      notice = { kind: 'signed-out', reason };
      endedUserId = ended ?? endedUserId;
    } else {
      // 退出登录 (or 注销, which the person asked for): nothing to tell, the next login starts afresh.
      notice = null;
      endedUserId = null;
    }
    session = null;
    serverUserId = null;
    hydrated = true;
    inFlight = null;
    logoutEpoch += 1;
    try {
      store.clear();
    } catch (error) {
      reportError(new ServiceError('UNKNOWN', `clearing the cached session failed: ${toServiceError(error).detail}`));
    }
  }

  /**
   * Before a login's user replaces the session: when this device showed another account (or the
   * service had just ended one), the person is told — a new account is never a silent switch.
   */
  function noteAccountChange(answeredId: string, isNewUser: boolean): void {
    const previous = loadSession()?.user.id ?? endedUserId;
    endedUserId = null;
    if (previous !== null && previous !== answeredId) notice = { kind: 'account-changed', isNewUser };
    else if (previous === answeredId && notice?.kind === 'signed-out') notice = null;
  }

  async function callCloudFunction(name: string, data: Record<string, unknown>): Promise<unknown> {
    try {
      return await cloud.call(name, data);
    } catch (error) {
      throw toServiceError(error);
    }
  }

  function callLoginFunction(data: LoginFunctionEvent): Promise<unknown> {
    return callCloudFunction(LOGIN_FUNCTION_NAME, data);
  }

  async function performLogin(event: LoginFunctionEvent): Promise<LoginData> {
    const epoch = logoutEpoch;
    const raw = await callLoginFunction(event);
    const envelope = readEnvelope(raw, isLoginData);
    if (!envelope) throw new ServiceError('INVALID_RESPONSE', `login answered ${describe(raw)}`);
    if (!envelope.ok) {
      // A login answered by the end of the account (a revalidation finding it gone, a ban) ends
      // the session — unless the person logged out meanwhile, which already did. A login of no one
      // that failed so (nothing was held) has no session to end and nothing to tell, but a ban.
      const ending = SESSION_ENDING_CODES[envelope.error.code];
      if (ending && epoch === logoutEpoch && (ending === 'banned' || loadSession())) endSession(ending);
      throw fromErrorBody(envelope.error);
    }
    const user = readPublicUser(envelope.data.user) ?? envelope.data.user;
    if (epoch === logoutEpoch) {
      noteAccountChange(user.id, envelope.data.isNewUser);
      storeUser(user);
      serverUserId = user.id;
      loginGeneration += 1;
      revalidation ??= Promise.resolve();
      pendingNotices.push(...readAccountNotices(envelope.data.notices));
    }
    return { user, isNewUser: envelope.data.isNewUser };
  }

  function login(): Promise<LoginData> {
    return singleFlight({ action: 'login' });
  }

  /** The one login in flight, whatever asked for it: a call while one runs joins it. */
  function singleFlight(event: LoginFunctionEvent): Promise<LoginData> {
    if (!inFlight) {
      const attempt = performLogin(event).finally(() => {
        if (inFlight === attempt) inFlight = null;
      });
      inFlight = attempt;
    }
    return inFlight;
  }

  async function ensureLogin(): Promise<PublicUser> {
    return loadSession()?.user ?? (await login()).user;
  }

  async function ensureServerUser(): Promise<PublicUser> {
    const cached = loadSession()?.user;
    if (cached && serverUserId !== null && cached.id === serverUserId) return cached;
    return (await login()).user;
  }

  function isStale(cached: StoredSession): boolean {
    const age = clock.now() - cached.savedAt;
    // A negative age means the device clock was set back: trust nothing, refresh.
    return age < 0 || age >= ttlMs;
  }

  async function revalidate(): Promise<PublicUser | null> {
    const cached = loadSession();
    if (!cached) return null;
    if (!revalidation || isStale(cached)) {
      revalidation = singleFlight({ action: 'login', existingOnly: true }).then(
        () => undefined,
        (error: unknown) => {
          // USER_NOT_FOUND / USER_BANNED already ended the session (performLogin): not a failure.
          const failure = toServiceError(error);
          if (!SESSION_ENDING_CODES[failure.code]) reportError(failure);
        },
      );
    }
    await revalidation;
    return loadSession()?.user ?? null;
  }

  /** The event as sent: with the account this device holds, for every function but login (which reads no cache). */
  function withAccountHint(functionName: string, event: Record<string, unknown>): Record<string, unknown> {
    const held = loadSession()?.user.id;
    return functionName === LOGIN_FUNCTION_NAME || held === undefined ? event : { ...event, accountHint: held };
  }

  /**
   * The one protected-call path, for every function: log in lazily, call, and on UNAUTHENTICATED /
   * USER_NOT_FOUND log in again (shared by calls rejected together) and retry, at most maxAuthRetries.
   */
  async function callProtected<T>(
    functionName: string,
    event: Record<string, unknown> & { action: string },
    isData: Guard<T>,
    options: CallOptions,
  ): Promise<ActionResult<T>> {
    const label = functionName === LOGIN_FUNCTION_NAME ? event.action : `${functionName}.${event.action}`;
    await ensureLogin();
    for (let retries = 0; ; retries += 1) {
      const generation = loginGeneration;
      const raw = await callCloudFunction(functionName, withAccountHint(functionName, event));
      const envelope = readEnvelope(raw, isData);
      if (!envelope) throw new ServiceError('INVALID_RESPONSE', `${label} answered ${describe(raw)}`);
      if (envelope.ok) return envelope;

      const { code } = envelope.error;
      const ending = SESSION_ENDING_CODES[code];
      if (ending) endSession(ending);
      if (!RELOGIN_CODES.includes(code) || options.relogin === false) return envelope;
      if (retries >= maxAuthRetries) {
        throw new ServiceError('AUTH_RETRY_EXHAUSTED', `${label}: ${code} after ${retries} new login(s)`);
      }
      // Calls rejected together share one login: while it is in flight they join it; after it,
      // they find a newer generation and just retry.
      if (generation === loginGeneration) await login();
    }
  }

  function callForResult<A extends ProtectedAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
    options: CallOptions = {},
  ): Promise<ActionResult<ActionData<A>>> {
    return callProtected(LOGIN_FUNCTION_NAME, { ...payload, action }, isData, options);
  }

  async function call<F extends FunctionName, A extends ProtectedActionOf<F>>(
    functionName: F,
    payload: FunctionEvent<F, A>,
    isData: Guard<FunctionData<F, A>>,
    options: CallOptions = {},
  ): Promise<FunctionData<F, A>> {
    const result = await callProtected(functionName, payload as FunctionEvent<F, A> & { action: string }, isData, options);
    if (!result.ok) throw fromErrorBody(result.error);
    return result.data;
  }

  async function callWithLogin<A extends ProtectedAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
    options: CallOptions = {},
  ): Promise<ActionData<A>> {
    const result = await callForResult(action, payload, isData, options);
    if (!result.ok) throw fromErrorBody(result.error);
    return result.data;
  }

  async function callAsGuest<A extends GuestAction>(
    action: A,
    payload: ActionPayload<A>,
    isData: Guard<ActionData<A>>,
  ): Promise<ActionResult<ActionData<A>>> {
    const raw = await callCloudFunction(LOGIN_FUNCTION_NAME, { ...payload, action });
    const envelope = readEnvelope(raw, isData);
    if (!envelope) throw new ServiceError('INVALID_RESPONSE', `${action} answered ${describe(raw)}`);
    return envelope;
  }

  return {
    currentUser: () => loadSession()?.user ?? null,
    login,
    ensureLogin,
    ensureServerUser,
    revalidate,
    refreshIfStale: revalidate,
    callWithLogin,
    callForResult,
    callAsGuest,
    call,
    saveUser(user) {
      return loadSession() ? storeUser(user) : (readPublicUser(user) ?? user);
    },
    logout: endSession,
    takeAccountNotices() {
      const taken = pendingNotices;
      pendingNotices = [];
      return taken;
    },
    takeSessionNotice() {
      const taken = notice;
      notice = null;
      return taken;
    },
  };
}
