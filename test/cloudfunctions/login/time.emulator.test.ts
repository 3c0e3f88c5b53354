/**
 * What time does to the BUILT login function (`npm run build`), through the unmodified
 * wx-server-sdk on the emulator: the emulator's clock is moved (emulator-clock.ts), the function's
 * own `new Date()` follows it without a line of test code inside the function. A timed ban ends,
 * and a rate-limit window shared by several instances resets.
 */
import type { ActionMap, ActionName, Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { dataOf, errorOf } from './support/actions';
import { RATE_LIMITS } from '../../../cloudfunctions/login/src/rules/rate-limit';
import { runAdminAt } from '../../scripts/support/admin';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

let emulator: Emulator;

beforeAll(async () => {
  // Two instances at most: enough to show a limit holds across instances, few cold starts.
  emulator = await createEmulator({ memory: true, maxInstances: 2, onFunctionOutput: () => undefined });
});

afterAll(async () => {
  await emulator?.close();
});

let people = 0;
function person(name: string): Caller {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-time-app' };
}

async function invoke<A extends ActionName>(caller: Caller, action: A, payload: Record<string, unknown> = {}) {
  const invocation = await emulator.callFunction('login', { ...payload, action }, caller);
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return { instance: invocation.instance, response: invocation.result as Result<ActionMap[A]['data']> };
}

function user(id: string): Record<string, unknown> | undefined {
  return emulator.database.documents('users').find((candidate) => candidate._id === id);
}

describe('a timed ban, by the emulator’s clock', () => {
  it('given a ban until one hour from now, login answers USER_BANNED with its end; once the clock passes it, the same user logs in', async () => {
    const caller = person('banned');
    const id = dataOf((await invoke(caller, 'login')).response).user.id;
    const until = new Date(emulator.clock.now() + HOUR_MS);
    const banned = await runAdminAt(emulator.url, [
      'ban',
      id,
      '--reason',
      'spam',
      '--until',
      until.toISOString(),
      '--operator',
      'ops-test',
    ]);
    expect(banned.code).toBe(0);

    const refused = errorOf((await invoke(caller, 'login')).response);
    emulator.clock.advance(HOUR_MS + MINUTE_MS);
    const back = dataOf((await invoke(caller, 'login')).response);

    expect(refused).toMatchObject({ code: 'USER_BANNED', details: { bannedUntil: until.getTime(), reason: 'spam' } });
    expect(back.user.id).toBe(id);
    expect(user(id)).toMatchObject({ status: 'active' });
    expect(user(id)).not.toHaveProperty('bannedUntil');
  });
});

describe('rate limits, by the emulator’s clock', () => {
  it('given simultaneous bindPhone calls on two instances, exactly the limit pass, the rest wait for the window; after it, a call passes', async () => {
    const { limit, windowMs } = RATE_LIMITS.bindPhone;
    // Half-way into a window (forward only): a burst straddling two windows may pass twice the limit.
    const windowStart = Math.ceil(emulator.clock.now() / windowMs) * windowMs;
    emulator.clock.set(windowStart + windowMs / 2);
    const caller = person('binder');
    dataOf((await invoke(caller, 'login')).response);
    const codes = Array.from({ length: limit + 2 }, () => emulator.openapi.issuePhoneCode('13800007777'));

    const calls = await Promise.all(codes.map((code) => invoke(caller, 'bindPhone', { code })));
    const retryAfter = calls.flatMap(({ response }) =>
      !response.ok && response.error.code === 'RATE_LIMITED' ? [response.error.details.retryAfterMs] : [],
    );
    emulator.clock.advance(Math.max(...retryAfter) + 1000);
    const later = await invoke(caller, 'bindPhone', { code: emulator.openapi.issuePhoneCode('13800007777') });

    expect(new Set(calls.map(({ instance }) => instance)).size).toBe(2);
    expect(calls.filter(({ response }) => response.ok)).toHaveLength(limit);
    expect(retryAfter).toHaveLength(2);
    for (const wait of retryAfter) {
      expect(wait).toBeGreaterThan(windowMs / 2 - MINUTE_MS);
      expect(wait).toBeLessThanOrEqual(windowMs / 2);
    }
    expect(dataOf(later.response).phoneNumber).toBe('13800007777');
  });
});
