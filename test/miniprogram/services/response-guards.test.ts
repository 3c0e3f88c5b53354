import {
  isBanDetails,
  isExportFileName,
  isExportMyDataData,
  isFindAccountByPhoneData,
  isRateLimitDetails,
  readEnvelope,
} from '../../../miniprogram/services/response-guards';
import { fromErrorBody } from '../../../miniprogram/services/service-error';
import { aLinkOffer } from '../support/accounts';
import { aDocument, aFileExport, anInlineExport, aSummary } from '../support/personal-data';

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

describe('exportMyData’s answer as the client reads it', () => {
  it('accepts both deliveries', () => {
    expect(isExportMyDataData(anInlineExport())).toBe(true);
    expect(isExportMyDataData(aFileExport())).toBe(true);
    expect(isExportMyDataData({ ...anInlineExport(), summary: aSummary({ collections: [] }) })).toBe(true);
  });

  it('refuses a summary with a missing or malformed count', () => {
    const summary = aSummary() as unknown as Record<string, unknown>;
    for (const field of ['exportedAt', 'bytes', 'signInMethods', 'mergedAccounts', 'accountEvents']) {
      expect(isExportMyDataData({ ...anInlineExport(), summary: { ...summary, [field]: undefined } })).toBe(false);
      expect(isExportMyDataData({ ...anInlineExport(), summary: { ...summary, [field]: -1 } })).toBe(false);
    }
    expect(
      isExportMyDataData({ ...anInlineExport(), summary: { ...summary, collections: [{ collection: 'notes', documents: 1.5 }] } }),
    ).toBe(false);
    expect(isExportMyDataData({ ...anInlineExport(), summary: { ...summary, collections: [{ collection: '', documents: 1 }] } })).toBe(
      false,
    );
  });

  it('refuses a delivery it does not know, and a delivery without what it promises', () => {
    const { summary } = anInlineExport();
    expect(isExportMyDataData({ delivery: 'email', summary, document: aDocument() })).toBe(false);
    expect(isExportMyDataData({ delivery: 'inline', summary, file: (aFileExport() as { file: unknown }).file })).toBe(false);
    expect(isExportMyDataData({ delivery: 'file', summary, document: aDocument() })).toBe(false);
  });

  it('refuses a document of another schema version or without its parts', () => {
    const { summary } = anInlineExport();
    expect(isExportMyDataData({ delivery: 'inline', summary, document: { ...aDocument(), schemaVersion: 2 } })).toBe(false);
    expect(isExportMyDataData({ delivery: 'inline', summary, document: { ...aDocument(), data: { notes: {} } } })).toBe(false);
    expect(isExportMyDataData({ delivery: 'inline', summary, document: { ...aDocument(), signInMethods: undefined } })).toBe(false);
  });

  it('refuses a file that is not a cloud fileID with a web URL', () => {
    const { summary } = aFileExport();
    const file = { fileID: 'cloud://env.b/exports/u/a.json', url: 'https://example.test/a.json', expiresAt: 1 };
    expect(isExportMyDataData({ delivery: 'file', summary, file })).toBe(true);
    expect(isExportMyDataData({ delivery: 'file', summary, file: { ...file, fileID: '/exports/u/a.json' } })).toBe(false);
    expect(isExportMyDataData({ delivery: 'file', summary, file: { ...file, url: 'javascript:alert(1)' } })).toBe(false);
    expect(isExportMyDataData({ delivery: 'file', summary, file: { ...file, expiresAt: 'soon' } })).toBe(false);
  });

  it('takes a file name only when it is one plain .json name (the page writes it into its own folder)', () => {
    expect(isExportFileName('我的信息-2026-12-02.json')).toBe(true);
    for (const name of ['../我的信息.json', 'a/b.json', 'a\\b.json', '.json', 'a.txt', '', 'a\n.json', `${'x'.repeat(97)}.json`]) {
      expect(isExportFileName(name)).toBe(false);
    }
  });
});

describe('findAccountByPhone’s answer as the client reads it', () => {
  it('takes an offer, yours, or nobody with a ticket; nothing else', () => {
    expect(isFindAccountByPhoneData({ found: 'account', offer: aLinkOffer() })).toBe(true);
    expect(isFindAccountByPhoneData({ found: 'yours' })).toBe(true);
    expect(
      isFindAccountByPhoneData({
        found: 'none',
        maskedPhoneNumber: '138****8000',
        hasAccount: true,
        ticket: 'lt1_x',
        expiresAt: 1_900_000_000_000,
      }),
    ).toBe(true);
    expect(isFindAccountByPhoneData({ found: 'account', offer: { ticket: 'lt1_x' } })).toBe(false);
    expect(isFindAccountByPhoneData({ found: 'none', maskedPhoneNumber: '138****8000', hasAccount: true, ticket: '', expiresAt: 1 })).toBe(
      false,
    );
    expect(isFindAccountByPhoneData({ found: 'someone' })).toBe(false);
    expect(isFindAccountByPhoneData(null)).toBe(false);
  });
});
