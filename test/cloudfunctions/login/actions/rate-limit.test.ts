/**
 * Abuse limits (rules/rate-limit.ts) through the handler: the paid or quota-bound actions answer
 * RATE_LIMITED with the wait once a person used up the window's allowance, before anything is
 * spent, and are allowed again when the window ends (the injected clock).
 */
import { RATE_LIMITS, rateSlot } from '../../../../cloudfunctions/login/src/rules/rate-limit';
import { alice, call, dataOf, errorWith, signUp } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';

const START = new Date('2026-01-01T00:00:00Z');
const HOUR_MS = 60 * 60 * 1000;

function at(deps: TestDeps, minutes: number): void {
  deps.clock.now = new Date(START.getTime() + minutes * 60 * 1000);
}

describe('rate limits', () => {
  it('bindPhone: the 6th bind within the hour is refused with the wait, before the code is spent', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    at(deps, 15);
    for (let bind = 0; bind < RATE_LIMITS.bindPhone.limit; bind += 1) {
      dataOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor(`1380000000${bind}`) }));
    }
    const code = deps.phone.codeFor('13900000000');
    const error = errorWith(await call(deps, alice, 'bindPhone', { code }), 'RATE_LIMITED');

    expect(error.details).toEqual({ retryAfterMs: 45 * 60 * 1000 });
    expect(deps.phone.calls).toBe(RATE_LIMITS.bindPhone.limit);

    at(deps, 60);
    expect(dataOf(await call(deps, alice, 'bindPhone', { code })).phoneNumber).toBe('13900000000');
  });

  it('bindPhone: of 20 parallel calls only the limit reach WeChat', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => call(deps, alice, 'bindPhone', { code: deps.phone.codeFor(`137000000${10 + index}`) })),
    );
    const limited = results.filter((result) => !result.ok && result.error.code === 'RATE_LIMITED');

    expect(deps.phone.calls).toBe(RATE_LIMITS.bindPhone.limit);
    expect(limited).toHaveLength(20 - RATE_LIMITS.bindPhone.limit);
  });

  it('updateProfile: nickname changes beyond the limit are refused unchecked; an avatar-free repeat of the name is not', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    for (let change = 0; change < RATE_LIMITS.nicknameCheck.limit; change += 1) {
      dataOf(await call(deps, alice, 'updateProfile', { nickName: `名字${change}` }));
    }
    const error = errorWith(await call(deps, alice, 'updateProfile', { nickName: '又一个名字' }), 'RATE_LIMITED');

    expect(error.details.retryAfterMs).toBe(HOUR_MS);
    expect(deps.security.checked).toHaveLength(RATE_LIMITS.nicknameCheck.limit);
    // The stored name again costs no check, so the limit does not refuse it.
    const last = `名字${RATE_LIMITS.nicknameCheck.limit - 1}`;
    expect(dataOf(await call(deps, alice, 'updateProfile', { nickName: last })).user.nickName).toBe(last);

    at(deps, 60);
    expect(dataOf(await call(deps, alice, 'updateProfile', { nickName: '又一个名字' })).user.nickName).toBe('又一个名字');
  });

  it('confirmLink: attempts beyond the limit are refused before the ticket is looked at', async () => {
    const deps = createTestDeps();
    await signUp(deps, alice);
    const unknownTicket = `lt1_${'A'.repeat(43)}`;
    for (let attempt = 0; attempt < RATE_LIMITS.confirmLink.limit; attempt += 1) {
      errorWith(await call(deps, alice, 'confirmLink', { ticket: unknownTicket }), 'LINK_TICKET_INVALID');
    }
    errorWith(await call(deps, alice, 'confirmLink', { ticket: unknownTicket }), 'RATE_LIMITED');
  });

  it('each person has their own allowance, and the counters name no openid', async () => {
    const deps = createTestDeps();
    const bob = { appid: 'wxapp1', openid: 'o-bob' };
    await signUp(deps, alice);
    await signUp(deps, bob);
    for (let bind = 0; bind < RATE_LIMITS.bindPhone.limit; bind += 1) {
      await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor(`1360000000${bind}`) });
    }
    dataOf(await call(deps, bob, 'bindPhone', { code: deps.phone.codeFor('13500000000') }));

    const stored = JSON.stringify([...deps.store.rateLimits.values()]);
    expect(stored).not.toContain('o-alice');
    expect(stored).not.toContain('o-bob');
    expect([...deps.store.rateLimits.values()].map((doc) => doc.count).sort()).toEqual([1, RATE_LIMITS.bindPhone.limit]);
  });

  it('a window starts on its boundary and ends one window later', () => {
    const { slot, retryAfterMs } = rateSlot('bindPhone', 'wx-openid:wxapp1:o-alice', new Date('2026-01-01T10:20:00Z'));
    expect(slot.windowStart.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(slot.resetAt.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(retryAfterMs).toBe(40 * 60 * 1000);
  });
});
