/**
 * The errors the database service answers with, in one place.
 *
 * `code` is the CloudBase error NAME the real service puts in `{ code, message }`.
 * wx-server-sdk 4.0.2 maps only some names to an errCode (DATABASE_REQUEST_FAILED → -502001,
 * DATABASE_COLLECTION_NOT_EXIST → -502005, INVALID_PARAM → -501007); any other name surfaces as
 * -501001 with our message in errMsg, exactly as it would in production. So the messages carry the
 * marker a developer (or the login code) can recognise: `E11000` for a duplicate `_id`,
 * CloudBase's `[ResourceUnavailable.TransactionConflict]` / `TransactionBusy` for a transaction conflict.
 */
import { ServiceError } from '../core/module';

export type DatabaseErrorCode =
  | 'INVALID_PARAM'
  | 'DATABASE_REQUEST_FAILED'
  | 'DATABASE_COLLECTION_NOT_EXIST'
  | 'DATABASE_COLLECTION_ALREADY_EXIST'
  | 'DATABASE_DUPLICATE_WRITE'
  | 'DATABASE_TRANSACTION_CONFLICT'
  | 'DATABASE_TRANSACTION_FAIL'
  | 'SYS_ERR';

export function databaseError(code: DatabaseErrorCode, message: string): ServiceError {
  return new ServiceError(code, message);
}

export function invalidParam(message: string): ServiceError {
  return databaseError('INVALID_PARAM', message);
}

export function requestFailed(message: string): ServiceError {
  return databaseError('DATABASE_REQUEST_FAILED', message);
}

export function collectionNotExist(collection: string): ServiceError {
  // The real service answers "Db or Table not exist"; the name is added to help whoever reads the log.
  return databaseError(
    'DATABASE_COLLECTION_NOT_EXIST',
    `[ResourceNotFound] Db or Table not exist: ${collection}. Please check your request, but if the problem cannot be solved, contact us.`,
  );
}

export function collectionAlreadyExists(collection: string): ServiceError {
  return databaseError('DATABASE_COLLECTION_ALREADY_EXIST', `[ResourceInUse] Table exist: ${collection}. The collection already exists.`);
}

/** MongoDB's wording, which is what CloudBase users see (and match on) in production. */
export function duplicateKey(collection: string, idText: string): ServiceError {
  return databaseError(
    'DATABASE_DUPLICATE_WRITE',
    `E11000 duplicate key error collection: ${collection} index: _id_ dup key: { _id: ${idText} }`,
  );
}

/** A declared unique index refused a write: MongoDB's E11000 text, naming the index and its values. */
export function duplicateKeyOnIndex(
  collection: string,
  index: string,
  fields: readonly string[],
  doc: Record<string, unknown>,
): ServiceError {
  const values = fields.map((field) => {
    let value: unknown = doc;
    for (const segment of field.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    return `${field}: ${value === undefined || value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  });
  return databaseError(
    'DATABASE_DUPLICATE_WRITE',
    `E11000 duplicate key error collection: ${collection} index: ${index} dup key: { ${values.join(', ')} }`,
  );
}

/**
 * CloudBase's own texts for the two kinds of write conflict, both with the code
 * DATABASE_TRANSACTION_CONFLICT (db.runTransaction retries a commit on that code):
 *   - 'changed': the document was written by someone else after the transaction started (the
 *     SDKs' own suite expects `[ResourceUnavailable.TransactionConflict] Transaction is conflict, …`);
 *   - 'held': another live transaction has written it (users report `[ResourceUnavailable.TransactionBusy]
 *     Transaction is busy. …`, re-wrapped by wx-server-sdk as -501001).
 */
export function transactionConflict(kind: 'changed' | 'held'): ServiceError {
  return databaseError(
    'DATABASE_TRANSACTION_CONFLICT',
    kind === 'changed'
      ? '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.'
      : '[ResourceUnavailable.TransactionBusy] Transaction is busy. Please check your request, but if the problem persists, contact us.',
  );
}

/**
 * CloudBase's text for DATABASE_TRANSACTION_FAIL: the transaction no longer exists on the server
 * (committed, aborted, or not finished within 30 seconds).
 */
export function transactionNotFound(_transactionId: string, _why: string): ServiceError {
  return databaseError(
    'DATABASE_TRANSACTION_FAIL',
    '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds. Please check your request, but if the problem persists, contact us.',
  );
}

/** Turns an exception from mingo (unknown operator, bad argument) into the real service's failure. */
export function asRequestFailed(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return requestFailed(message);
}
