/**
 * Entry point of the `wechat-push` cloud function: WeChat's 授权用户信息变更 pushes reach the
 * accounts. It serves the message-push URL (CloudBase HTTP access service) and wires the real
 * wx-server-sdk into login's rules and actions; the function holds no logic of its own:
 *   - what makes a push genuine: login/src/rules/push-signature.ts (安全模式 only);
 *   - what a message means: login/src/rules/wechat-push.ts;
 *   - what it changes: login/src/actions/apply-wechat-push.ts (注销 through shared/account-deletion.ts).
 *
 * Whatever a client sends with callFunction is refused before any document is read: it carries no
 * msg_signature made with the Token, no Encrypt made with the EncodingAESKey (both only in this
 * function's environment and WeChat's console). The reply is what WeChat expects: `success` once
 * the message is applied (or is not one this kit acts on), an error status otherwise so WeChat retries.
 */
import cloud from 'wx-server-sdk';
import { createUserDataStore } from '@wx-cloud-login/server-auth/src/user-data';
import { applyWechatPush } from '../../login/src/actions/apply-wechat-push';
import { createCloudServices, type CloudServicesSdk } from '../../login/src/cloudbase/cloud-services';
import { collectionNamesFrom, createCloudbaseStore, type DatabaseLike } from '../../login/src/cloudbase/cloudbase-store';
import { withSourceMappedStack } from '../../login/src/log/source-mapped-stack';
import type { DeletionDeps } from '../../login/src/actions/shared/account-deletion';
import { pushSecretsFrom, readPushRequest } from '../../login/src/rules/push-signature';
import { readPushMessage } from '../../login/src/rules/wechat-push';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

const databaseConfig = { throwOnNotFound: false } as Parameters<typeof cloud.database>[0];

let deps: DeletionDeps | undefined;

function getDeps(): DeletionDeps {
  if (deps) return deps;
  const db = cloud.database(databaseConfig) as unknown as DatabaseLike;
  const now = () => new Date();
  deps = {
    store: createCloudbaseStore(db, collectionNamesFrom(process.env), (message) => console.warn(`[wechat-push] ${message}`)),
    userData: createUserDataStore(db),
    files: createCloudServices(cloud as unknown as CloudServicesSdk, now).files,
    now,
    warn: (message, detail) => console.warn(`[wechat-push] ${message}`, detail ?? ''),
  };
  return deps;
}

/** The HTTP access service's integration response. */
interface HttpReply {
  isBase64Encoded: false;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function reply(statusCode: number, body: string): HttpReply {
  return { isBase64Encoded: false, statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

export async function main(event: unknown): Promise<HttpReply> {
  const secrets = pushSecretsFrom(process.env);
  if ('problem' in secrets) {
    console.error(`[wechat-push] not configured: ${secrets.problem}`);
    return reply(503, 'not configured');
  }
  const request = readPushRequest(event, secrets, Math.floor(Date.now() / 1000));
  if (request.kind === 'verify') return reply(200, request.echostr);
  if (request.kind === 'refused') {
    console.warn(`[wechat-push] refused: ${request.reason}`);
    return reply(403, 'forbidden');
  }
  let body: unknown;
  try {
    body = JSON.parse(request.text);
  } catch {
    body = null;
  }
  const message = readPushMessage(body);
  // A genuine push of another kind (or one this kit keeps nothing for) is answered, not retried.
  if (!message.ok) return reply(200, 'success');
  // Only the environment id (which avatar files are this environment's): a push has no caller.
  const env = cloud.getWXContext().ENV;
  try {
    const outcome = await applyWechatPush(message.message, getDeps(), {
      source: 'push',
      env: typeof env === 'string' ? env : '',
      appid: secrets.appid,
    });
    if (outcome.skipped) console.warn(`[wechat-push] ${message.message.event} left for an operator: ${outcome.skipped}`, outcome.userId);
    return reply(200, 'success');
  } catch (error) {
    console.error('[wechat-push] applying a push failed; WeChat retries it', withSourceMappedStack(error, __filename));
    return reply(500, 'retry');
  }
}
