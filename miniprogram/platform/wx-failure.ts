import type { ClientErrorCode } from '../services/service-error';
import { ServiceError } from '../services/service-error';

/**
 * Turns what a failing wx API rejected with into a ServiceError with a client code.
 * wx failures are objects `{ errMsg, errno?, errCode? }` (sometimes wrapped in an Error whose
 * message repeats errMsg), so the classification reads both the numbers and the text.
 */

interface WxFailureFields {
  errMsg?: unknown;
  message?: unknown;
  errno?: unknown;
  errCode?: unknown;
}

function fieldsOf(error: unknown): WxFailureFields {
  return typeof error === 'object' && error !== null ? (error as WxFailureFields) : { errMsg: String(error) };
}

export function classifyWxFailure(error: unknown, fallback: ClientErrorCode): ServiceError {
  const fields = fieldsOf(error);
  const text = [fields.errMsg, fields.message].filter((part) => typeof part === 'string').join(' | ');
  const errno = typeof fields.errno === 'number' ? fields.errno : undefined;
  const errCode = typeof fields.errCode === 'number' ? fields.errCode : undefined;
  const detail = text || `errno ${errno ?? '?'} errCode ${errCode ?? '?'}`;

  // Since the 2023 privacy rules: 104 = the user has not agreed (or declined in our popup);
  // 112 = the API is not declared in the privacy guide configured in the MP console.
  if (errno === 104 || /privacy permission is not authorized/i.test(text)) return new ServiceError('PRIVACY_DENIED', detail);
  if (errno === 112 || /not declared in the privacy agreement/i.test(text)) return new ServiceError('PRIVACY_NOT_DECLARED', detail);
  // -504003: CloudBase gave up on the function (its configured timeout).
  if (errCode === -504003 || /time(d)? ?out/i.test(text)) return new ServiceError('TIMEOUT', detail);
  // 600001: wx network layer errors (DNS, connection); "request:fail" is how callFunction reports them.
  if (errno === 600001 || /request:fail|network|ERR_INTERNET|ERR_NAME|ERR_CONNECTION|offline/i.test(text)) {
    return new ServiceError('NETWORK', detail);
  }
  return new ServiceError(fallback, detail);
}
