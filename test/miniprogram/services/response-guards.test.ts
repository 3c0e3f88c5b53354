import { isBanDetails, isRateLimitDetails, readEnvelope } from '../../../miniprogram/services/response-guards';
import { fromErrorBody } from '../../../miniprogram/services/service-error';

const anything = (value: unknown): value is unknown => value !== undefined;

describe('USER_BANNED as the client reads it', () => {
  it('keeps a timed ban’s end and reason', () => {
    const envelope = readEnvelope(
      { ok: false, error: { code: 'USER_BANNED', message: 'banned', details: { bannedUntil: 1798732800000, reason: 'spam' } } },
      anything,
    );
    expect(envelope).toEqual({
      ok: false,
      error: { code: 'USER_BANNED', message: 'banned', details: { bannedUntil: 1798732800000, reason: 'spam' } },
    });
    if (envelope?.ok !== false) throw new Error('expected a failure');
    expect(fromErrorBody(envelope.error).ban).toEqual({ bannedUntil: 1798732800000, reason: 'spam' });
  });

  it('reads missing or malformed details as an open-ended ban without a reason (an older server)', () => {
    for (const details of [undefined, null, { bannedUntil: 'soon', reason: 'spam' }, { bannedUntil: null, reason: 'because' }]) {
      const envelope = readEnvelope({ ok: false, error: { code: 'USER_BANNED', message: 'banned', details } }, anything);
      expect(envelope).toEqual({
        ok: false,
        error: { code: 'USER_BANNED', message: 'banned', details: { bannedUntil: null, reason: null } },
      });
    }
  });

  it('checks each field', () => {
    expect(isBanDetails({ bannedUntil: null, reason: null })).toBe(true);
    expect(isBanDetails({ bannedUntil: 1, reason: 'fraud' })).toBe(true);
    expect(isBanDetails({ bannedUntil: -1, reason: null })).toBe(false);
    expect(isBanDetails({ reason: null })).toBe(false);
  });
});

describe('RATE_LIMITED as the client reads it', () => {
  it('keeps the wait and hands it to the ServiceError', () => {
    const envelope = readEnvelope(
      { ok: false, error: { code: 'RATE_LIMITED', message: 'limited', details: { retryAfterMs: 180000 } } },
      anything,
    );
    expect(envelope).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'limited', details: { retryAfterMs: 180000 } } });
    if (envelope?.ok !== false) throw new Error('expected a failure');
    const failure = fromErrorBody(envelope.error);
    expect({ code: failure.code, retryAfterMs: failure.retryAfterMs, ban: failure.ban }).toEqual({
      code: 'RATE_LIMITED',
      retryAfterMs: 180000,
      ban: null,
    });
  });

  it('drops a malformed wait (the code still says what happened)', () => {
    for (const details of [undefined, null, { retryAfterMs: 'soon' }, { retryAfterMs: 0 }, { retryAfterMs: Number.POSITIVE_INFINITY }]) {
      const envelope = readEnvelope({ ok: false, error: { code: 'RATE_LIMITED', message: 'limited', details } }, anything);
      expect(envelope).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'limited' } });
      if (envelope?.ok !== false) throw new Error('expected a failure');
      expect(fromErrorBody(envelope.error).retryAfterMs).toBeNull();
    }
    expect(isRateLimitDetails({ retryAfterMs: 1 })).toBe(true);
  });
});
