/**
 * Type test, checked by `tsc -p test` (npm run typecheck); jest does not run it, nothing here
 * executes. It proves that the contract's runtime lists (miniprogram/contract/lists.ts) and the
 * declared contract (typings/contract.d.ts) cannot disagree: each assertion below fails to compile
 * when a list and its type differ, in either direction, or when a list repeats an entry.
 */
import type {
  AccountNoticeKind,
  ActionMap,
  BanDetails,
  RateLimitDetails,
  BanReason,
  ActionName,
  ErrorBody,
  ErrorCode,
  ErrorCodeWithDetails,
  FunctionData,
  FunctionMap,
  FunctionName,
  IdentityKind,
  IdentityProvider,
  LinkOffer,
  LoginFunctionName,
  Note,
  NotesActionMap,
  NotesActionName,
  NotesFunctionName,
  PhoneCheckKind,
  ProfileField,
} from '../../typings/contract';
import type {
  ACCOUNT_NOTICE_KINDS,
  ACTION_NAMES,
  BAN_REASONS,
  ERROR_CODES,
  IDENTITY_KINDS,
  IDENTITY_PROVIDERS,
  LOGIN_FUNCTION_NAME,
  NOTES_ACTION_NAMES,
  NOTES_FUNCTION_NAME,
  PHONE_CHECK_KINDS,
  PROFILE_FIELDS,
} from '../../miniprogram/contract/lists';
import type { AuthService, ProtectedActionOf } from '../../miniprogram/services/auth/create-auth-service';
import type { Guard } from '../../miniprogram/services/response-guards';
import type { CLIENT_ERROR_CODES, ServiceErrorCode } from '../../miniprogram/services/service-error';
import type { ERROR_MESSAGES } from '../../miniprogram/presenters/error-message';

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only with `true`. */
type Expect<T extends true> = T;

/** True when the tuple has no entry twice. */
type Distinct<T extends readonly unknown[]> = T extends readonly [infer Head, ...infer Tail]
  ? Head extends Tail[number]
    ? false
    : Distinct<Tail>
  : true;

/** A union as the list of its members is a tuple of exactly these members, each once. */
type ListOf<List extends readonly unknown[], Union> = Equal<List[number], Union> extends true ? Distinct<List> : false;

export type ContractAssertions = [
  // The lists are the unions, each entry once.
  Expect<ListOf<typeof ERROR_CODES, ErrorCode>>,
  Expect<ListOf<typeof ACTION_NAMES, ActionName>>,
  Expect<ListOf<typeof IDENTITY_PROVIDERS, IdentityProvider>>,
  Expect<ListOf<typeof IDENTITY_KINDS, IdentityKind>>,
  Expect<ListOf<typeof PHONE_CHECK_KINDS, PhoneCheckKind>>,
  Expect<ListOf<typeof PROFILE_FIELDS, ProfileField>>,
  Expect<ListOf<typeof ACCOUNT_NOTICE_KINDS, AccountNoticeKind>>,
  Expect<Equal<typeof LOGIN_FUNCTION_NAME, LoginFunctionName>>,
  Expect<Equal<LoginFunctionName, 'login'>>,
  // Every action has an entry in ActionMap, and ActionMap has no other.
  Expect<Equal<keyof ActionMap, ActionName>>,
  // ErrorBody is keyed by code: one member per code, and `details` only where the code carries it.
  Expect<Equal<ErrorBody['code'], ErrorCode>>,
  Expect<Equal<ErrorCodeWithDetails, 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT' | 'USER_BANNED' | 'RATE_LIMITED'>>,
  Expect<Equal<ErrorBody<'RATE_LIMITED'>['details'], RateLimitDetails>>,
  Expect<Equal<ErrorBody<'PHONE_BELONGS_TO_ANOTHER_ACCOUNT'>['details'], LinkOffer>>,
  Expect<Equal<ErrorBody<'USER_BANNED'>['details'], BanDetails>>,
  Expect<ListOf<typeof BAN_REASONS, BanReason>>,
  Expect<Equal<ErrorBody<'USER_NOT_FOUND'>['details'], undefined>>,
  Expect<Equal<Extract<ErrorBody, { details: LinkOffer }>['code'], 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT'>>,
  // The client's own codes never reuse a server code, and the message table covers both lists exactly.
  Expect<Equal<Extract<(typeof CLIENT_ERROR_CODES)[number], ErrorCode>, never>>,
  Expect<ListOf<typeof CLIENT_ERROR_CODES, Exclude<ServiceErrorCode, ErrorCode>>>,
  Expect<Equal<keyof typeof ERROR_MESSAGES, ServiceErrorCode>>,
];

// A body without its details, or with details on a code that has none, is not an ErrorBody.
// @ts-expect-error PHONE_BELONGS_TO_ANOTHER_ACCOUNT always carries its LinkOffer.
export const missingOffer: ErrorBody = { code: 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT', message: 'taken' };
// @ts-expect-error USER_BANNED always says until when (null: until lifted) and why.
export const missingBan: ErrorBody = { code: 'USER_BANNED', message: 'banned' };
// @ts-expect-error USER_NOT_FOUND carries no details.
export const strayDetails: ErrorBody = { code: 'USER_NOT_FOUND', message: 'gone', details: {} as LinkOffer };

// ---------------------------------------------------------------------------------------------
// Every function: FunctionMap, and auth.call typed by it.
// ---------------------------------------------------------------------------------------------

export type FunctionAssertions = [
  Expect<ListOf<typeof NOTES_ACTION_NAMES, NotesActionName>>,
  Expect<Equal<keyof NotesActionMap, NotesActionName>>,
  Expect<Equal<typeof NOTES_FUNCTION_NAME, NotesFunctionName>>,
  Expect<Equal<FunctionName, LoginFunctionName | NotesFunctionName>>,
  Expect<Equal<FunctionMap['login'], ActionMap>>,
  Expect<Equal<FunctionData<'notes', 'add'>, { note: Note }>>,
  Expect<Equal<FunctionData<'notes', 'list'>['nextCursor'], string | null>>,
  // The login action itself is no protected call: auth.login() is.
  Expect<Equal<ProtectedActionOf<'login'>, Exclude<ActionName, 'login'>>>,
  Expect<Equal<ProtectedActionOf<'notes'>, NotesActionName>>,
];

declare const auth: AuthService;
declare const isNoteData: Guard<{ note: Note }>;
declare const isPage: Guard<{ notes: Note[]; nextCursor: string | null }>;

export async function wellTypedCalls(): Promise<Note[]> {
  const { note } = await auth.call('notes', { action: 'add', text: '买牛奶' }, isNoteData);
  const page = await auth.call('notes', { action: 'list', cursor: null, limit: 20 }, isPage);
  await auth.call('login', { action: 'deleteAccount', confirm: true }, (value): value is { deleted: true } => value !== null);
  return [note, ...page.notes];
}

export async function wronglyTypedCalls(): Promise<void> {
  // @ts-expect-error `text` is required by add.
  await auth.call('notes', { action: 'add' }, isNoteData);
  // @ts-expect-error `text` must be a string.
  await auth.call('notes', { action: 'add', text: 42 }, isNoteData);
  // @ts-expect-error notes has no action `purge`.
  await auth.call('notes', { action: 'purge' }, isNoteData);
  // @ts-expect-error edit needs the note's `id`.
  await auth.call('notes', { action: 'edit', text: '改' }, isNoteData);
  // @ts-expect-error the guard must check list's data, not add's.
  await auth.call('notes', { action: 'list' }, isNoteData);
  // @ts-expect-error no function `orders` in the contract.
  await auth.call('orders', { action: 'list' }, isPage);
  // @ts-expect-error `login` is not a protected call (auth.login() is).
  await auth.call('login', { action: 'login' }, isPage);
  // @ts-expect-error deleteAccount needs `confirm: true`, not false.
  await auth.call('login', { action: 'deleteAccount', confirm: false }, isPage);
}
