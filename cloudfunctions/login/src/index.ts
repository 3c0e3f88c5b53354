/**
 * Entry point of the `login` cloud function: wires the real wx-server-sdk, clock and ids into the
 * handler. The same file runs in CloudBase and under the local emulator — the emulator reaches the
 * SDK through the SDK's own environment variables, never through a code path of ours.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createUserDataStore } from '@wx-cloud-login/server-auth/src/user-data';
import cloud from 'wx-server-sdk';
import { createCloudServices, type CloudServicesSdk } from './cloudbase/cloud-services';
import { collectionNamesFrom, createCloudbaseStore, type DatabaseLike } from './cloudbase/cloudbase-store';
import { handle } from './handler';
import { withSourceMappedStack } from './log/source-mapped-stack';
import type { Deps } from './ports';
import { readWxIdentity } from './rules/identity';

// The SDK types DYNAMIC_CURRENT_ENV as a symbol but init()'s `env` as a string: a typing gap of
// wx-server-sdk 4.x; at run time init() accepts the symbol and uses the invoking environment.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

// doc().get() of a missing document answers { data: null } instead of throwing. Supported by
// wx-server-sdk 4.x at run time, missing from its typings (hence the cast).
const databaseConfig = { throwOnNotFound: false } as Parameters<typeof cloud.database>[0];

let deps: Deps | undefined;

/** Built on the first invocation, then reused while the instance is warm. */
function getDeps(): Deps {
  if (deps) return deps;
  // The SDK's typings declare callback overloads and `any`; DatabaseLike is the part we use, typed precisely.
  const db = cloud.database(databaseConfig) as unknown as DatabaseLike;
  const names = collectionNamesFrom(process.env);
  const now = () => new Date();
  const warnCollection = (message: string) => console.warn(`[login] ${message}`);
  const services = createCloudServices(cloud as unknown as CloudServicesSdk, now);
  deps = {
    store: createCloudbaseStore(db, names, warnCollection),
    userData: createUserDataStore(db),
    ...services,
    now,
    newId: () => randomUUID().replace(/-/g, ''),
    randomToken: () => randomBytes(32).toString('base64url'),
    warn: (message, detail) => console.warn(`[login] ${message}`, detail ?? ''),
    // __filename is the bundle (index.js) at run time: its stack names src/*.ts lines via index.js.map.
    error: (message, detail) => console.error(`[login] ${message}`, withSourceMappedStack(detail, __filename)),
  };
  return deps;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export async function main(event: unknown): Promise<unknown> {
  // getWXContext reads the invocation's environment: call it per invocation, never at import.
  const context = cloud.getWXContext();
  return handle(event, readWxIdentity(context), getDeps(), { env: text(context.ENV) });
}
