import { formatPageUrl, parsePageUrl } from '../../runtime/page-url';

describe('page URLs', () => {
  it('reads absolute and relative paths', () => {
    expect(parsePageUrl('/pages/login/index', 'pages/index/index')).toEqual({ route: 'pages/login/index', query: {} });
    expect(parsePageUrl('../login/index', 'pages/index/index')).toEqual({ route: 'pages/login/index', query: {} });
    expect(parsePageUrl('detail', 'pages/shop/index')).toEqual({ route: 'pages/shop/detail', query: {} });
  });

  it('hands query values over still percent-encoded, as WeChat does', () => {
    expect(parsePageUrl('/pages/login/index?redirect=%2Fpages%2Fprofile%2Findex&flag', null)).toEqual({
      route: 'pages/login/index',
      query: { redirect: '%2Fpages%2Fprofile%2Findex', flag: '' },
    });
  });

  it('writes a target back as a URL', () => {
    expect(formatPageUrl({ route: 'pages/agreement/index', query: { type: 'privacy' } })).toBe('/pages/agreement/index?type=privacy');
    expect(formatPageUrl({ route: 'pages/index/index', query: {} })).toBe('/pages/index/index');
  });
});
