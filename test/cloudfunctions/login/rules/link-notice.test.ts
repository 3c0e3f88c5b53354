import { linkNoticesFor, MAX_LINK_NOTICES, readLinkNotices, withLinkNotice } from '../../../../cloudfunctions/login/src/rules/link-notice';

const at = new Date('2026-01-01T00:00:00Z');

describe('link notices', () => {
  it('answers every notice to the holder and keeps those of links the caller made', () => {
    const stored = withLinkNotice(withLinkNotice(undefined, at, ['wx-openid:a:o-new']), new Date(at.getTime() + 1), ['wx-openid:a:o-2']);

    expect(linkNoticesFor(stored, ['wx-openid:a:o-holder'])).toEqual({
      shown: [
        { kind: 'linked-by-phone', at: at.getTime() },
        { kind: 'linked-by-phone', at: at.getTime() + 1 },
      ],
      remaining: [],
    });
    expect(linkNoticesFor(stored, ['wx-unionid:u', 'wx-openid:a:o-new'])).toEqual({
      shown: [{ kind: 'linked-by-phone', at: at.getTime() + 1 }],
      remaining: [stored[0]],
    });
  });

  it('keeps only the newest few, and reads a malformed stored value as none', () => {
    let stored = withLinkNotice(undefined, at, []);
    for (let index = 1; index < 10; index += 1) stored = withLinkNotice(stored, new Date(at.getTime() + index), []);
    expect(stored).toHaveLength(MAX_LINK_NOTICES);
    expect(stored[0]?.at.getTime()).toBe(at.getTime() + 10 - MAX_LINK_NOTICES);

    expect(readLinkNotices('x')).toEqual([]);
    expect(readLinkNotices([{ at: 'yesterday', linkedKeys: [] }, { at, linkedKeys: [1] }, null])).toEqual([]);
  });
});
