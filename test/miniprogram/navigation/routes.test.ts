import fs from 'node:fs';
import path from 'node:path';
import { loginStep, parseRedirect, returnStep, ROUTES, TAB_ROUTES } from '../../../miniprogram/navigation/routes';

const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../../miniprogram');

interface AppJson {
  pages: string[];
  tabBar: { list: { pagePath: string }[] };
}

const appJson = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8')) as AppJson;

describe('navigation/routes', () => {
  it('knows the same pages and tab pages as app.json', () => {
    expect(Object.values(ROUTES).sort()).toEqual(appJson.pages.map((page) => `/${page}`).sort());
    expect(TAB_ROUTES).toEqual(appJson.tabBar.list.map((item) => `/${item.pagePath}`));
  });

  it('every page of app.json has its .ts, .wxml, .wxss and .json', () => {
    const missing = appJson.pages.flatMap((page) =>
      ['.ts', '.wxml', '.wxss', '.json']
        .map((extension) => `${page}${extension}`)
        .filter((file) => !fs.existsSync(path.join(MINIPROGRAM_ROOT, file))),
    );
    expect(missing).toEqual([]);
  });

  it('loginStep carries the page to return to, encoded', () => {
    expect(loginStep('/pages/profile/index')).toEqual({
      kind: 'navigateTo',
      url: '/pages/login/index?redirect=%2Fpages%2Fprofile%2Findex',
    });
  });

  describe('parseRedirect', () => {
    it.each([
      [undefined, ROUTES.home],
      ['', ROUTES.home],
      [encodeURIComponent('/pages/profile/index'), '/pages/profile/index'],
      [encodeURIComponent('/pages/agreement/index?type=terms'), '/pages/agreement/index?type=terms'],
      [encodeURIComponent('/pages/login/index'), ROUTES.home],
      [encodeURIComponent('/pages/unknown/index'), ROUTES.home],
      [encodeURIComponent('https://example.com/pages/index/index'), ROUTES.home],
      ['%E0%A4%A', ROUTES.home],
    ])('%s → %s', (raw, expected) => {
      expect(parseRedirect(raw)).toBe(expected);
    });
  });

  describe('returnStep', () => {
    it('goes back when the sender is under the login page', () => {
      expect(returnStep(2, ROUTES.profile)).toEqual({ kind: 'back' });
    });

    it('as the first page, switches to a tab page (without its query) or redirects to another page', () => {
      expect(returnStep(1, `${ROUTES.profile}?from=share`)).toEqual({ kind: 'switchTab', url: ROUTES.profile });
      expect(returnStep(1, `${ROUTES.agreement}?type=privacy`)).toEqual({
        kind: 'redirectTo',
        url: `${ROUTES.agreement}?type=privacy`,
      });
    });
  });
});
