import type { BanDetails, ErrorBody, ErrorCode, LinkOffer, RateLimitDetails } from '../../../typings/contract';

/**
 * The only error an action throws on purpose. The handler turns it into `{ ok: false, error }`;
 * anything else becomes INTERNAL with a safe message (the detail stays in the function's log).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable extras for the caller (ErrorBody.details): a LinkOffer, a ban's end and reason, or a rate limit's wait. */
    readonly details?: LinkOffer | BanDetails | RateLimitDetails,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /**
   * The envelope's `error`: ErrorBody is keyed by code, so `details` goes out only with the codes
   * that carry them. USER_BANNED always has its BanDetails (an open-ended ban's when none was
   * given); PHONE_BELONGS_TO_ANOTHER_ACCOUNT without its offer would break the contract (bindPhone
   * always attaches one): answered as the bug it is, INTERNAL.
   */
  toBody(): ErrorBody {
    const { code, message, details } = this;
    if (code === 'USER_BANNED') {
      return { code, message, details: details && 'bannedUntil' in details ? details : { bannedUntil: null, reason: null } };
    }
    if (code === 'RATE_LIMITED') {
      // Without its wait the client could only guess when to retry: the bug it is, INTERNAL.
      return details && 'retryAfterMs' in details
        ? { code, message, details }
        : { code: 'INTERNAL', message: 'internal error, please retry later' };
    }
    if (code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') return { code, message };
    return details && 'ticket' in details
      ? { code, message, details }
      : { code: 'INTERNAL', message: 'internal error, please retry later' };
  }
}
