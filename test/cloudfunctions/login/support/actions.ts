/**
 * Calling the login function's actions in unit tests: through the real handler (envelope, error
 * codes, details) with in-memory stores and fake WeChat services.
 */
import type { ActionMap, ActionName, ErrorBody, ErrorCode, Result } from '../../../../typings/contract';
import { handle } from '../../../../cloudfunctions/login/src/handler';
import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';
import { TEST_INVOCATION, type TestDeps } from './deps';

export const alice: WxIdentity = { appid: 'wxapp1', openid: 'o-alice', unionid: 'u-alice' };
export const bob: WxIdentity = { appid: 'wxapp1', openid: 'o-bob', unionid: 'u-bob' };

export function call<A extends ActionName>(
  deps: TestDeps,
  identity: WxIdentity | null,
  action: A,
  payload: Record<string, unknown> = {},
): Promise<Result<ActionMap[A]['data']>> {
  return handle({ ...payload, action }, identity, deps, TEST_INVOCATION) as Promise<Result<ActionMap[A]['data']>>;
}

export function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

export function errorOf(result: Result<unknown>): ErrorBody {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return result.error;
}

/** The failure with `code`, typed by it (its details included); throws on any other answer. */
export function errorWith<C extends ErrorCode>(result: Result<unknown>, code: C): ErrorBody<C> {
  const error = errorOf(result);
  if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
  return error as ErrorBody<C>;
}

/** Logs `identity` in (creating its user) and returns the user id. */
export async function signUp(deps: TestDeps, identity: WxIdentity): Promise<string> {
  return dataOf(await call(deps, identity, 'login')).user.id;
}

/** Signs `identity` up and binds `phone` to its account; returns the user id. */
export async function signUpWithPhone(deps: TestDeps, identity: WxIdentity, phone: string): Promise<string> {
  const id = await signUp(deps, identity);
  dataOf(await call(deps, identity, 'bindPhone', { code: deps.phone.codeFor(phone) }));
  return id;
}

/** Every identity points at a user that exists and lists it: no dangling or half-moved identity. */
export function danglingIdentities(deps: TestDeps): string[] {
  return [...deps.store.identities]
    .filter(([key, { userId }]) => !deps.store.users.get(userId)?.identityKeys?.includes(key))
    .map(([key]) => key);
}
