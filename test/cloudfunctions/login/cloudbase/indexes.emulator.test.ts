/**
 * The login's own queries are all served by the indexes this project declares in cloudbaserc.json
 * (or `_id`): with 1,000 other users in the database (the emulator's threshold for a "large"
 * collection), the emulator reports no unindexed scan for the login paths, while an ad-hoc
 * query on an undeclared field is reported. Production CloudBase would scan for such a query.
 */
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';

let emulator: Emulator;
const warnings: string[] = [];

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    functionTimeoutMs: 60_000,
    onFunctionOutput: () => undefined,
    onDatabaseWarning: (message) => warnings.push(message),
  });
  const at = { $date: '2024-01-01T00:00:00.000Z' };
  const users = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({
      _id: `seed-${i}`,
      identityKeys: [`wx-openid:wx-seed:o${i}`],
      status: 'active',
      createdAt: at,
      lastLoginAt: at,
      loginCount: 1,
    }),
  );
  const identities = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({ _id: `wx-openid:wx-seed:o${i}`, userId: `seed-${i}`, provider: 'wechat', createdAt: at }),
  );
  await emulator.database.importCollection('users', users.join('\n'));
  await emulator.database.importCollection('identities', identities.join('\n'));
});

afterAll(async () => {
  await emulator?.close();
});

async function login(caller: { openid: string; appid: string; unionid?: string }, event: unknown = {}) {
  const invocation = await emulator.callFunction('login', event, caller);
  if (invocation.error) throw new Error(invocation.error.message);
  return invocation.result as { ok: boolean };
}

describe('the login against 1,000 users and the declared indexes', () => {
  it('given first, returning, unionid and second-app logins and listIdentities, then no query scans the collection', async () => {
    const caller = { openid: 'o-idx', appid: 'wx-idx' };
    expect((await login(caller)).ok).toBe(true);
    expect((await login(caller)).ok).toBe(true);
    const withUnionid = { openid: 'o-idx-u', appid: 'wx-idx', unionid: 'u-idx' };
    expect((await login(withUnionid)).ok).toBe(true);
    expect((await login({ ...withUnionid, openid: 'o-idx-u2', appid: 'wx-idx-2' })).ok).toBe(true);
    expect((await login(withUnionid, { action: 'listIdentities' })).ok).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('given an ad-hoc query on a field no index declares, then the emulator warns, naming the collection and the field', async () => {
    const cloud = await emulator.callFunction('login', { action: 'login' }, { openid: 'o-idx', appid: 'wx-idx' });
    expect(cloud.error).toBeUndefined();
    const { list } = await adminQuery({ nickName: 'nobody' });
    expect(list).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('collection "users": a query on nickName scanned');
  });
});

/** One database.getDocument request, as wx-server-sdk sends it for where({...}).get(). */
async function adminQuery(query: Record<string, unknown>): Promise<{ list: string[] }> {
  const response = await fetch(`${emulator.url}/admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'database.getDocument',
      collectionName: 'users',
      queryType: 'WHERE',
      query: JSON.stringify(query),
      limit: 10,
    }),
  });
  const body = (await response.json()) as { data: { list: string[] } };
  return body.data;
}
