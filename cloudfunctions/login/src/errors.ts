import type { ErrorCode } from '../../../typings/contract';

/**
 * The only error an action throws on purpose. The handler turns it into `{ ok: false, error }`;
 * anything else becomes INTERNAL with a safe message (the detail stays in the function's log).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
