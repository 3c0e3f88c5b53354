import { registerComponent } from '../../runtime/engine';
import { loadMiniprogram, pageToComponent, undeclaredTagsAsViews } from '../../runtime/modules';

describe('Page() in the preview', () => {
  it('becomes a component whose methods are the page’s functions and whose `this` gets the other fields', () => {
    const onLoad = () => undefined;
    const onTap = () => undefined;
    const definition = pageToComponent({ data: { count: 1 }, onLoad, onTap, pageSize: 20, behaviors: ['b'] });
    expect(definition['data']).toEqual({ count: 1 });
    expect(definition['methods']).toEqual({ onLoad, onTap });
    expect(definition['behaviors']).toEqual(['b']);

    const self: Record<string, unknown> = {};
    (definition['lifetimes'] as { created(this: Record<string, unknown>): void }).created.call(self);
    expect(self).toEqual({ pageSize: 20 });
  });
});

describe('a tag the template uses without declaring it', () => {
  it('becomes a view and is named, while declared components and registered built-ins stay', () => {
    const builtIns = new Set(['scroll-view']);
    const result = undeclaredTagsAsViews(
      '<scroll-view><van-toast id="van-toast" /><van-icon name="x"></van-icon></scroll-view>',
      { 'van-icon': 'miniprogram-npm-vant-weapp-icon-index' },
      (tag) => builtIns.has(tag),
    );
    expect(result).toEqual({
      wxml: '<scroll-view><view id="van-toast" /><van-icon name="x"></van-icon></scroll-view>',
      undeclared: ['van-toast'],
    });
  });
});

describe('loading the mini-program', () => {
  beforeAll(() => {
    // The built-ins the templates below use (the preview registers WeChat's in runtime/builtins.ts).
    for (const tag of ['view', 'text']) registerComponent({ id: tag, tagName: tag, template: '<slot />' });
  });

  function bundleOf(
    modules: { path: string; wxml?: string; load(globals: Record<string, unknown>): void }[],
    globals: Record<string, unknown>,
  ) {
    return {
      pages: modules.map((entry) => entry.path),
      entryPage: modules[0]?.path ?? '',
      window: {},
      tabBar: null,
      usePrivacyCheck: false,
      unsupported: [],
      loadApp: () =>
        (globals['App'] as (options: object) => void)({
          onLaunch(this: { globalData: object }) {
            this.globalData = { statusBar: 20 };
          },
        }),
      modules: modules.map((entry) => ({
        path: entry.path,
        kind: 'page' as const,
        id: `loading-${entry.path.replace(/\W+/g, '-')}`,
        tagName: `loading-${entry.path.replace(/\W+/g, '-')}`,
        usingComponents: {},
        window: {},
        wxml: entry.wxml ?? '<view>page</view>',
        load: () => entry.load(globals),
      })),
    };
  }

  it('runs app.js and its onLaunch before page scripts, which read getApp().globalData at their top level', () => {
    const globals: Record<string, unknown> = {};
    let seen: unknown;
    const bundle = bundleOf(
      [
        {
          path: 'pages/a/index',
          load: (g) => {
            seen = (g['getApp'] as () => { globalData: { statusBar: number } })().globalData.statusBar;
            (g['Page'] as (options: object) => void)({});
          },
        },
      ],
      globals,
    );
    const loaded = loadMiniprogram(bundle, globals, (app) => (app['onLaunch'] as () => void).call(app));
    expect(seen).toBe(20);
    expect(loaded.failures).toEqual([]);
  });

  it('keeps loading when one script throws: that page is listed as failed, the others load', () => {
    const globals: Record<string, unknown> = {};
    const bundle = bundleOf(
      [
        {
          path: 'pages/broken/index',
          load: () => {
            throw new Error('wx.cloud.database is not a function');
          },
        },
        { path: 'pages/fine/index', load: (g) => (g['Page'] as (options: object) => void)({}) },
      ],
      globals,
    );
    const loaded = loadMiniprogram(bundle, globals);
    expect(loaded.failures).toEqual([
      expect.stringContaining('pages/broken/index: its script failed while loading: Error: wx.cloud.database is not a function'),
    ]);
    expect([...loaded.pageIds.keys()]).toEqual(['pages/broken/index', 'pages/fine/index']);
  });

  it('given a built-in behavior the engine does not know (TDesign’s wx://proxy-scroll-view), then the component still registers', () => {
    const globals: Record<string, unknown> = {};
    const bundle = bundleOf(
      [
        {
          path: 'pages/scroll/index',
          load: (g) => (g['Component'] as (options: object) => void)({ behaviors: ['wx://proxy-scroll-view', 'wx://form-field'] }),
        },
      ],
      globals,
    );
    const loaded = loadMiniprogram(bundle, globals);
    expect(loaded.failures).toEqual([]);
    expect([...loaded.pageIds.keys()]).toEqual(['pages/scroll/index']);
  });

  it('given a page whose template does not compile, then that page shows why and the others load', () => {
    const globals: Record<string, unknown> = {};
    const page = (g: Record<string, unknown>) => (g['Page'] as (options: object) => void)({});
    const bundle = bundleOf(
      [
        { path: 'pages/bad-template/index', wxml: '<view>{{ price + }}</view>', load: page },
        { path: 'pages/fine-too/index', load: page },
      ],
      globals,
    );
    const loaded = loadMiniprogram(bundle, globals);
    expect(loaded.failures).toEqual([expect.stringContaining('pages/bad-template/index: the engine refused it')]);
    expect([...loaded.pageIds.keys()]).toEqual(['pages/bad-template/index', 'pages/fine-too/index']);
  });

  it('given a WeChat component the preview has no stand-in for (live-pusher), then it is named as such, not as undeclared', () => {
    const globals: Record<string, unknown> = {};
    const bundle = bundleOf(
      [
        {
          path: 'pages/live/index',
          wxml: '<live-pusher url="{{url}}" /><van-loading />',
          load: (g) => (g['Page'] as (options: object) => void)({}),
        },
      ],
      globals,
    );
    expect(loadMiniprogram(bundle, globals).failures).toEqual([
      'pages/live/index.wxml: <live-pusher> is a WeChat component the preview does not render (shown as a plain view)',
      'pages/live/index.wxml: <van-loading> is not in usingComponents (shown as a plain view, WeChat warns and skips it)',
    ]);
  });
});
