/**
 * @jest-environment jsdom
 */
import { createRoot, patchEngine, registerComponent } from '../../../runtime/engine';
import { createWxSelectorQuery, type QueryOwner } from '../../../runtime/wx/selector-query';

describe('wx.createSelectorQuery in the preview', () => {
  beforeAll(() => {
    patchEngine();
    registerComponent({ id: 'view', tagName: 'view', template: '<slot />' });
    registerComponent({
      id: 'query-page',
      tagName: 'query-page',
      template: '<view id="tabs">标签</view><view class="row">1</view><view class="row">2</view>',
    });
  });

  it('given the page on top, then select / selectAll measure its elements and exec answers in order, as in WeChat', async () => {
    const root = createRoot('query-page');
    root.attach(document.body);
    const page = root.instance as unknown as QueryOwner;
    const results = await new Promise<unknown[]>((resolve) => {
      const query = createWxSelectorQuery(() => page);
      (query.select('#tabs') as { boundingClientRect(): unknown }).boundingClientRect();
      (query.selectAll('.row') as { boundingClientRect(): unknown }).boundingClientRect();
      query.exec(resolve);
    });
    expect(results).toEqual([
      expect.objectContaining({ id: 'tabs', height: expect.any(Number) }),
      [expect.any(Object), expect.any(Object)],
    ]);
  });

  it('given no page is open, then using it says so instead of failing on undefined', () => {
    expect(() => createWxSelectorQuery(() => undefined).select('#tabs')).toThrow('wx.createSelectorQuery: no page is open');
  });
});
