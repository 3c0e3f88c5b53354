import type { UserDoc } from '../../../../cloudfunctions/login/src/model';
import { activeBan, assertNoActiveBan, isExpiredBan } from '../../../../cloudfunctions/login/src/rules/ban';
import { AppError } from '../../../../cloudfunctions/login/src/rules/errors';

const now = new Date('2026-12-02T10:00:00Z');
const user = (fields: Partial<UserDoc>): UserDoc => ({ _id: 'u1', identityKeys: [], ...fields });

describe('bans', () => {
  it('a ban without an end is in force until lifted', () => {
    expect(activeBan(user({ status: 'banned', banReason: 'spam' }), now)).toEqual({ bannedUntil: null, reason: 'spam' });
  });

  it('a timed ban is in force until its end and lifted from then on', () => {
    const banned = user({ status: 'banned', bannedUntil: new Date('2026-12-31T16:00:00Z'), banReason: 'abuse' });
    expect(activeBan(banned, now)).toEqual({ bannedUntil: Date.parse('2026-12-31T16:00:00Z'), reason: 'abuse' });
    expect(isExpiredBan(banned, now)).toBe(false);
    const after = new Date('2026-12-31T16:00:00Z');
    expect(activeBan(banned, after)).toBeNull();
    expect(isExpiredBan(banned, after)).toBe(true);
  });

  it('an unknown reason is answered as none rather than passed on', () => {
    expect(activeBan(user({ status: 'banned', banReason: 'because' as never }), now)).toEqual({ bannedUntil: null, reason: null });
  });

  it('no ban for any other status', () => {
    for (const status of ['active', 'merged', 'deleting', undefined] as const) {
      expect(activeBan(user({ status, bannedUntil: new Date('2027-01-01') }), now)).toBeNull();
      expect(isExpiredBan(user({ status }), now)).toBe(false);
    }
  });

  it('USER_BANNED carries the end and the reason', () => {
    const banned = user({ status: 'banned', bannedUntil: new Date('2026-12-31T16:00:00Z'), banReason: 'spam' });
    let thrown: unknown;
    try {
      assertNoActiveBan(banned, now);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).toBody()).toEqual({
      code: 'USER_BANNED',
      message: 'This account is banned',
      details: { bannedUntil: Date.parse('2026-12-31T16:00:00Z'), reason: 'spam' },
    });
  });

  it('a USER_BANNED raised without details still carries them (an open-ended ban)', () => {
    expect(new AppError('USER_BANNED', 'banned').toBody()).toEqual({
      code: 'USER_BANNED',
      message: 'banned',
      details: { bannedUntil: null, reason: null },
    });
  });
});
