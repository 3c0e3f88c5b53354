import type { SourceReader } from '../../build/manifest';
import { bundleWxs, expandShorthand, prepareWxml } from '../../build/wxml';

function reader(files: Record<string, string>): SourceReader {
  return { readText: (path) => files[path] ?? null };
}

/** Runs inline WXS the way the engine (j-component) does: `require` does nothing, `module.exports` is the module. */
function runInlineWxs(code: string): Record<string, (...args: unknown[]) => unknown> {
  const module = { exports: {} as Record<string, (...args: unknown[]) => unknown> };
  new Function('require', 'module', code)(() => undefined, module);
  return module.exports;
}

const VANT_LIKE_WXS = {
  'miniprogram_npm/@mini/ui/wxs/utils.wxs': "var bem = require('./bem.wxs').bem;\nmodule.exports = { bem: bem };\n",
  'miniprogram_npm/@mini/ui/wxs/bem.wxs':
    "var PREFIX = 'mini-';\nfunction bem(name, mods) { var r = getRegExp('^\\\\s+'); return (PREFIX + name + ' ' + (mods && mods.dot ? PREFIX + name + '--dot' : '')).replace(r, ''); }\nmodule.exports = { bem: bem };\n",
};

describe('WXS in the preview', () => {
  it('turns <wxs src> into inline WXS that carries the files it requires and WXS’s getRegExp', () => {
    const { wxml } = prepareWxml(
      'miniprogram_npm/@mini/ui/info/index',
      '<wxs src="../wxs/utils.wxs" module="utils" />\n<view class="{{ utils.bem(\'info\', { dot }) }}" />',
      reader(VANT_LIKE_WXS),
    );
    const code = /<wxs module="utils">([\s\S]*)<\/wxs>/.exec(wxml)?.[1] ?? '';
    expect(runInlineWxs(code)['bem']?.('info', { dot: true })).toBe('mini-info mini-info--dot');
    // The object shorthand, which the engine's expression parser refuses, is spelled out.
    expect(wxml).toContain("utils.bem('info', { dot: dot })");
  });

  it('lets inline WXS require a .wxs file too', () => {
    const code = bundleWxs(
      'pages/a/index.wxml#m',
      "var u = require('../../w/utils.wxs'); module.exports = { x: u.bem('a') };",
      reader({
        'w/utils.wxs': VANT_LIKE_WXS['miniprogram_npm/@mini/ui/wxs/utils.wxs'] ?? '',
        'w/bem.wxs': VANT_LIKE_WXS['miniprogram_npm/@mini/ui/wxs/bem.wxs'] ?? '',
      }),
    );
    expect(runInlineWxs(code)['x']).toBe('mini-a ');
  });

  it("gives `x.constructor` as WXS does, a type name (TDesign’s isArray: `arr.constructor === 'Array'`)", () => {
    const code = bundleWxs(
      'common/utils.wxs',
      "function isArray(a) { return a && a.constructor === 'Array'; }\nmodule.exports = { kinds: function (list, o) { return [isArray(list), o.inner[0].constructor, list.map(function (x) { return x; }).constructor, 'a.constructor', (1).constructor]; } };",
      reader({}),
    );
    expect(runInlineWxs(code)['kinds']?.([1], { inner: [{}] })).toEqual([true, 'Object', 'Array', 'a.constructor', 'Number']);
  });

  it('names a missing WXS file', () => {
    expect(() => prepareWxml('pages/a/index', '<wxs src="./gone.wxs" module="g" />', reader({}))).toThrow(
      'pages/a/index.wxml: <wxs src="./gone.wxs"> is missing (pages/a/gone.wxs)',
    );
  });
});

describe('<include> in the preview', () => {
  it('puts the included file in place, without its templates and WXS', () => {
    const { wxml } = prepareWxml(
      'pages/a/index',
      '<view><include src="../common/header.wxml" /></view>',
      reader({ 'pages/common/header.wxml': '<template name="t"><text>t</text></template><view class="header">{{title}}</view>' }),
    );
    expect(wxml).toBe('<view><view class="header">{{title}}</view></view>');
  });
});

describe('expandShorthand', () => {
  it('spells out shorthand keys of object literals only, never array items or strings', () => {
    expect(expandShorthand(" utils.bem('button', [type, size, { block, round: r, plain }]) ")).toBe(
      " utils.bem('button', [type, size, { block: block, round: r, plain: plain }]) ",
    );
    expect(expandShorthand(" '{ a, b }' + c ")).toBe(" '{ a, b }' + c ");
  });
});

describe('image paths in WXML', () => {
  it('makes a literal relative src absolute from the page’s folder, leaving absolute, bound and remote ones', () => {
    const { wxml } = prepareWxml(
      'pages/home/index',
      '<image src="../../images/a.png" /><image src="/images/b.png" /><image src="{{avatar}}" /><image src="https://x/c.png" />',
      reader({}),
    );
    expect(wxml).toBe(
      '<image src="/images/a.png" /><image src="/images/b.png" /><image src="{{avatar}}" /><image src="https://x/c.png" />',
    );
  });
});

describe('an <import> whose file is missing', () => {
  it('given the imported file was deleted, then the page still builds, the import is dropped and named', () => {
    const result = prepareWxml('pages/asset/index', '<import src="/template/login/index.wxml" />\n<view>余额</view>', reader({}));
    expect(result.wxml).toBe('\n<view>余额</view>');
    expect(result.unsupported).toEqual([
      'pages/asset/index.wxml: <import src="/template/login/index.wxml"> is missing (template/login/index.wxml): its templates render nothing',
    ]);
  });
});

describe('attributes written without a space between them', () => {
  it('given class="a"style="b", then both attributes are kept, as WeChat reads them', () => {
    const result = prepareWxml(
      'pages/live/index',
      '<cover-view class="icon-wrap"style="color: red" wx:if=\'{{a}}\'bindtap="go">x</cover-view>',
      reader({}),
    );
    expect(result.wxml).toBe('<cover-view class="icon-wrap" style="color: red" wx:if=\'{{a}}\' bindtap="go">x</cover-view>');
  });
});

describe('<text decode>', () => {
  it('given decode, then the entities WeChat decodes become their characters; without it they stay as written', () => {
    const result = prepareWxml(
      'components/card/index',
      '<text decode="{{true}}">|&ensp;&emsp;&nbsp;a&lt;b&amp;c</text><text>&ensp;</text><text decode>x&apos;s</text>',
      reader({}),
    );
    expect(result.wxml).toBe(
      "<text decode=\"{{true}}\">|\u2002\u2003\u00a0a{{'<'}}b{{'&'}}c</text><text>&ensp;</text><text decode>x's</text>",
    );
  });
});
