/**
 * The Store contract against the CloudBase store, through the unmodified wx-server-sdk in this
 * process, talking to the local emulator (the SDK finds it through its own environment variables,
 * emulator.sdkEnv()). Each test uses fresh collection names: every collection starts missing.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { createCloudbaseStore, type DatabaseLike } from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-store';
import { describeStoreConformance } from './store-conformance';

let emulator: Emulator;
let db: DatabaseLike;
let run = 0;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: process.env.TCB_ENV ?? '' });
  db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as DatabaseLike;
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

describeStoreConformance('CloudBase (wx-server-sdk on the emulator)', async () => {
  run += 1;
  const names = {
    users: `users_${run}`,
    identities: `identities_${run}`,
    linkTickets: `link_tickets_${run}`,
    audit: `audit_${run}`,
    rateLimits: `rate_limits_${run}`,
  };
  const collectionOf = { users: names.users, identities: names.identities, linkTickets: names.linkTickets, audit: names.audit };
  return {
    store: createCloudbaseStore(db, names),
    async writeRaw(collection, doc) {
      await db.createCollection(collectionOf[collection]).catch(() => undefined);
      await db.collection(collectionOf[collection]).add({ data: doc });
    },
  };
});
