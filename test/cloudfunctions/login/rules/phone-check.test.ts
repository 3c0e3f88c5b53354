import { formatYuan, phoneCheckDay, phoneUsageReport, readPhoneCheckKind } from '../../../../cloudfunctions/login/src/rules/phone-check';

describe('phone checks', () => {
  it('counts a check on the China-time day WeChat bills it', () => {
    expect(phoneCheckDay(new Date('2026-12-06T15:59:59Z'))).toBe('2026-12-06');
    expect(phoneCheckDay(new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
  });

  it('reads an absent kind as the quick check (older clients) and refuses anything but quick and realtime', () => {
    expect(readPhoneCheckKind(undefined)).toBe('quick');
    expect(readPhoneCheckKind('realtime')).toBe('realtime');
    expect(readPhoneCheckKind('sms')).toBeNull();
    expect(readPhoneCheckKind(1)).toBeNull();
  });

  it('prices quick checks at ¥0.03 and real-time ones at ¥0.04, after 1,000 free trial calls of each kind', () => {
    const report = phoneUsageReport([
      { day: '2026-12-02', checks: { quick: 1200, realtime: 10 } },
      { day: '2026-12-01', checks: { quick: 500, realtime: 0 } },
    ]);

    expect(report.rows.map((row) => row.day)).toEqual(['2026-12-01', '2026-12-02']);
    expect(report.rows[0]).toMatchObject({ trial: { quick: 500, realtime: 0 }, costFen: 0 });
    // 500 trial calls left on day two: 700 quick checks charged at 3 fen; the 10 real-time ones are free.
    expect(report.rows[1]).toMatchObject({ trial: { quick: 500, realtime: 10 }, costFen: 2100 });
    expect(report.total).toEqual({ checks: { quick: 1700, realtime: 10 }, costFen: 2100 });
    expect(report.trialLeft).toEqual({ quick: 0, realtime: 990 });
    expect(formatYuan(report.total.costFen)).toBe('¥21.00');
  });

  it('given trial calls spent before the records began, charges from the first one past the trial', () => {
    const report = phoneUsageReport([{ day: '2026-12-01', checks: { quick: 0, realtime: 5 } }], { realtime: 998 });
    expect(report.rows[0]).toMatchObject({ trial: { quick: 0, realtime: 2 }, costFen: 12 });
  });
});
