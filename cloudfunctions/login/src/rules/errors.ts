import type { ErrorCode, LinkOffer } from '../../../../typings/contract';

/**
 * The only error an action throws on purpose. The handler turns it into `{ ok: false, error }`;
 * anything else becomes INTERNAL with a safe message (the detail stays in the function's log).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable extras for the caller (ErrorBody.details); only PHONE_BELONGS_TO_ANOTHER_ACCOUNT has any. */
    readonly details?: LinkOffer,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
