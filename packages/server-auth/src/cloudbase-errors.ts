/**
 * Recognising CloudBase database errors as wx-server-sdk raises them.
 *
 * Duplicate key: CloudBase's code is DATABASE_DUPLICATE_WRITE, but wx-server-sdk 4.x does not
 * know that name, so callers see errCode -501001 (or -502001 from the service) and must look
 * at the message, which carries MongoDB's `E11000 duplicate key error` or the code name.
 * errCode alone cannot tell a duplicate from any other failed write.
 */
interface SdkErrorLike {
  errCode?: unknown;
  errMsg?: unknown;
  message?: unknown;
  code?: unknown;
}

function describe(error: unknown): { errCode: unknown; text: string } {
  if (typeof error !== 'object' || error === null) return { errCode: undefined, text: String(error) };
  const e = error as SdkErrorLike;
  return { errCode: e.errCode, text: [e.errMsg, e.message, e.code].filter((part) => typeof part === 'string').join(' ') };
}

export function isDuplicateKeyError(error: unknown): boolean {
  const { text } = describe(error);
  return text.includes('E11000') || text.includes('DATABASE_DUPLICATE_WRITE');
}

/** -502005 is wx-server-sdk's errCode for DATABASE_COLLECTION_NOT_EXIST. */
export function isCollectionMissingError(error: unknown): boolean {
  const { errCode, text } = describe(error);
  return errCode === -502005 || text.includes('DATABASE_COLLECTION_NOT_EXIST');
}

/**
 * A read of a collection nobody created yet: CloudBase answers DATABASE_COLLECTION_NOT_EXIST until
 * the first write creates it, which for a reader means "nothing there yet" — `empty`.
 */
export async function orEmpty<T>(operation: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isCollectionMissingError(error)) return empty;
    throw error;
  }
}

export function isCollectionExistsError(error: unknown): boolean {
  return describe(error).text.includes('DATABASE_COLLECTION_ALREADY_EXIST');
}

/**
 * A transaction lost to a concurrent writer: MongoDB's WriteConflict underneath, which CloudBase
 * words as `[ResourceUnavailable.TransactionConflict]` (written since the transaction began) or
 * `[ResourceUnavailable.TransactionBusy]` (held by another transaction). wx-server-sdk
 * re-wraps it from a document operation as errCode -501001 with the text; a commit answers the raw
 * code name. Either way the transaction is aborted and the whole unit of work can run again.
 */
export function isTransactionConflictError(error: unknown): boolean {
  const { text } = describe(error);
  return (
    text.includes('DATABASE_TRANSACTION_CONFLICT') ||
    text.includes('TransactionConflict') ||
    text.includes('TransactionBusy') ||
    text.includes('WriteConflict')
  );
}
