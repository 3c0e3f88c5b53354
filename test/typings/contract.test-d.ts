/**
 * Type test, checked by `tsc -p test` (npm run typecheck); jest does not run it, nothing here
 * executes. It proves that the contract's runtime lists (miniprogram/contract/lists.ts) and the
 * declared contract (typings/contract.d.ts) cannot disagree: each assertion below fails to compile
 * when a list and its type differ, in either direction, or when a list repeats an entry.
 */
import type {
  ActionMap,
  BanDetails,
  RateLimitDetails,
  BanReason,
  ActionName,
  ErrorBody,
  ErrorCode,
  ErrorCodeWithDetails,
  IdentityProvider,
  LinkOffer,
  LoginFunctionName,
  ProfileField,
} from '../../typings/contract';
import type {
  ACTION_NAMES,
  BAN_REASONS,
  ERROR_CODES,
  IDENTITY_PROVIDERS,
  LOGIN_FUNCTION_NAME,
  PROFILE_FIELDS,
} from '../../miniprogram/contract/lists';
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
  Expect<ListOf<typeof PROFILE_FIELDS, ProfileField>>,
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
