import { navigator } from '../../../../miniprogram/composition-root';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';

const fake = installFakeWx();
const bar = loadPage('components/nav-bar/index');

beforeEach(() => fake.reset());

describe('components/nav-bar (a page’s own bar under "navigationStyle": "custom")', () => {
  it('shows the title and a back button that goes back when the page was opened from another', async () => {
    fake.setPageStackDepth(2);
    const page = renderPage(bar);
    (page.component.instance as { setData(data: object): void }).setData({ title: '登录' });

    expect(page.text('#nav-bar-title')).toBe('登录');
    expect(page.text('#nav-bar-back')).toBe('‹');
    await page.tap('#nav-bar-back');
    expect(fake.navigations).toEqual([{ api: 'navigateBack', delta: 1 }]);
  });

  it('shows the title a page sets with navigator.setTitle (WeChat ignores it without its own bar)', () => {
    const page = renderPage(bar);
    navigator.setTitle('用户协议');
    expect(page.text('#nav-bar-title')).toBe('用户协议');
    expect(fake.titles).toEqual(['用户协议']);

    page.component.detach();
    navigator.setTitle('隐私政策');
    expect(page.text('#nav-bar-title')).toBe('用户协议');
  });

  it('on a page opened first (a share, a scan), goes home instead (the kit’s home is a tab page)', async () => {
    fake.setPageStackDepth(1);
    const page = renderPage(bar);

    expect(page.text('#nav-bar-back')).toBe('⌂');
    await page.tap('#nav-bar-back');
    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/index/index' }]);
  });

  it('sits below the status bar, as tall as the row of WeChat’s capsule (an iPhone with a notch)', () => {
    const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
    wx.getWindowInfo = () => ({ statusBarHeight: 47 });
    wx.getMenuButtonBoundingClientRect = () => ({ top: 51, height: 32 });
    try {
      const page = renderPage(bar);
      expect(page.data()).toMatchObject({ statusBarHeight: 47, barHeight: 40 });
    } finally {
      delete wx.getWindowInfo;
      delete wx.getMenuButtonBoundingClientRect;
    }
  });

  it('when the capsule answers zeros (some simulators), keeps the common 44 px row', () => {
    const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
    wx.getMenuButtonBoundingClientRect = () => ({ top: 0, height: 0 });
    try {
      expect(renderPage(bar).data()).toMatchObject({ barHeight: 44 });
    } finally {
      delete wx.getMenuButtonBoundingClientRect;
    }
  });
});
