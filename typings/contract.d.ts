/**
 * The one contract between the mini-program and the `login` cloud function.
 * Both sides import it with `import type`, so nothing here exists at run time.
 */

/** Error codes the cloud function can answer with. UPPER_SNAKE, never renamed once shipped. */
export type ErrorCode =
  /** No OPENID in the WeChat context: an HTTP-triggered or server-to-server call. */
  | 'UNAUTHENTICATED'
  /** The event is malformed (wrong type, too long, unexpected value). */
  | 'INVALID_ARGUMENT'
  /** `event.action` names no action of this function. */
  | 'UNKNOWN_ACTION'
  /** The account is banned; every action is refused. */
  | 'USER_BANNED'
  /** Something failed on the server; the detail is in the function's log only. */
  | 'INTERNAL';

export interface ErrorBody {
  code: ErrorCode;
  /** A safe, developer-facing message (English). People see the client's Chinese table instead. */
  message: string;
}

/** Every response of the cloud function is one of these two shapes; it never throws to the caller. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * The user as the mini-program may see it: an explicit allow-list.
 * Never session_key, never the raw openid/unionid, never internal bookkeeping.
 */
export interface PublicUser {
  /** Stable user id (the `_id` of the users document). */
  id: string;
  /** '' until the user sets one. */
  nickName: string;
  /** A displayable URL, '' until the user sets one. */
  avatarUrl: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch: the login that produced this response. */
  lastLoginAt: number;
  /** Number of logins including this one. */
  loginCount: number;
}

export interface LoginData {
  user: PublicUser;
  /** True only for the login that created the account. */
  isNewUser: boolean;
}

/**
 * Actions of the `login` function: event payload (besides `action`) and success data.
 * Identity is never part of an event: it comes from cloud.getWXContext() only.
 */
export interface ActionMap {
  login: { event: Record<string, never>; data: LoginData };
}

export type ActionName = keyof ActionMap;

/** `{}` is a login too: the event WeChat DevTools sends by default. */
export type ActionEvent<A extends ActionName = ActionName> = { action: A } & ActionMap[A]['event'];
export type LoginFunctionEvent = ActionEvent | Record<string, never>;

export type ActionResult<A extends ActionName> = Result<ActionMap[A]['data']>;

/** The cloud function's name, as deployed. */
export type LoginFunctionName = 'login';
