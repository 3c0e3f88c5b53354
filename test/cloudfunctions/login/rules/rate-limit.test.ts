import { AppError } from '../../../../cloudfunctions/login/src/rules/errors';
import { RATE_LIMITS, rateKeyHash, rateSlot } from '../../../../cloudfunctions/login/src/rules/rate-limit';

describe('rate-limit rules', () => {
  it('names a counter by action, window start and a hash of the key, never the key itself', () => {
    const key = 'wx-openid:wxapp1:o-alice';
    const { slot, limit } = rateSlot('confirmLink', key, new Date('2026-01-01T10:59:59.999Z'));
    expect(slot._id).toBe(`confirmLink:${Date.parse('2026-01-01T10:00:00Z')}:${rateKeyHash(key)}`);
    expect(slot._id).not.toContain('o-alice');
    expect(limit).toBe(RATE_LIMITS.confirmLink.limit);
    expect(rateSlot('confirmLink', key, new Date('2026-01-01T11:00:00Z')).slot._id).not.toBe(slot._id);
  });

  it('RATE_LIMITED goes out with its wait; without one it is the bug it is, INTERNAL', () => {
    expect(new AppError('RATE_LIMITED', 'limited', { retryAfterMs: 5 }).toBody()).toEqual({
      code: 'RATE_LIMITED',
      message: 'limited',
      details: { retryAfterMs: 5 },
    });
    expect(new AppError('RATE_LIMITED', 'limited').toBody().code).toBe('INTERNAL');
  });
});
