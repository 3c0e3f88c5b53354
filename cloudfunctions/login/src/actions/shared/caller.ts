/**
 * actions/shared/ holds orchestration that several actions need (it uses a port, so it is not a
 * rule): an action never imports another action, only rules/, ports and these helpers.
 *
 * Who the caller of an account action is: the one resolution rule, kept in the shared package
 * (@wx-cloud-login/server-auth, resolve-user.ts) so that login and every other function resolve a
 * person the same way. Account actions never use the cache: they change the account, so they read
 * it as it is now.
 */
import type { Caller as SharedCaller } from '@wx-cloud-login/server-auth/src/resolve-user';
import type { UserDoc } from '../../model';

export { resolveCaller } from '@wx-cloud-login/server-auth/src/resolve-user';
export type Caller = SharedCaller<UserDoc>;
