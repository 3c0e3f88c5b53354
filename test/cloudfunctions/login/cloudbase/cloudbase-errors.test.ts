import {
  isCollectionMissingError,
  isDuplicateKeyError,
  isTransactionConflictError,
} from '../../../../cloudfunctions/login/src/cloudbase/cloudbase-errors';

describe('isDuplicateKeyError', () => {
  it('recognises the E11000 marker whatever the errCode', () => {
    for (const errCode of [-502001, -501001]) {
      const error = Object.assign(new Error('x'), {
        errCode,
        errMsg: 'collection.add:fail E11000 duplicate key error collection: identities index: _id_ dup key',
      });
      expect(isDuplicateKeyError(error)).toBe(true);
    }
  });

  it('recognises the DATABASE_DUPLICATE_WRITE code name', () => {
    expect(isDuplicateKeyError({ errCode: -501001, errMsg: '[DATABASE_DUPLICATE_WRITE] duplicate write' })).toBe(true);
  });

  it('does not take other failures with the same errCode for a duplicate', () => {
    expect(isDuplicateKeyError({ errCode: -502001, errMsg: 'database request failed' })).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});

describe('isCollectionMissingError', () => {
  it('recognises -502005 and the code name', () => {
    expect(isCollectionMissingError({ errCode: -502005, errMsg: 'x' })).toBe(true);
    expect(isCollectionMissingError({ errCode: -1, message: 'DATABASE_COLLECTION_NOT_EXIST' })).toBe(true);
    expect(isCollectionMissingError({ errCode: -502001, errMsg: 'x' })).toBe(false);
  });
});

describe('isTransactionConflictError', () => {
  it.each([
    [
      'a document operation re-wrapped by wx-server-sdk',
      { errCode: -501001, errMsg: 'document.update:fail -501001 resource system error. [WriteConflict] Transaction write conflict' },
    ],
    ['a commit answering the raw code', { code: 'DATABASE_TRANSACTION_CONFLICT', message: 'conflict' }],
    [
      "CloudBase's own wording of a document written since the transaction began",
      {
        errCode: -501001,
        errMsg:
          'document.update:fail -501001 resource system error. [ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.',
      },
    ],
    [
      "CloudBase's own wording of a document held by another transaction",
      {
        errCode: -501001,
        errMsg:
          'collection.add:fail -501001 resource system error. [ResourceUnavailable.TransactionBusy] Transaction is busy. Please check your request, but if the problem persists, contact us.',
      },
    ],
  ])('recognises %s', (_name, error) => {
    expect(isTransactionConflictError(error)).toBe(true);
  });

  it('does not mistake other failures for a conflict', () => {
    expect(isTransactionConflictError({ errCode: -502001, errMsg: 'database request fail' })).toBe(false);
    expect(isTransactionConflictError(new Error('timeout'))).toBe(false);
  });
});
