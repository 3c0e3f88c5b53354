import { pageToComponent, undeclaredTagsAsViews } from '../../runtime/modules';

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
