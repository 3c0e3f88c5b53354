import { inlineImports, resolveLocalUrls, scopeSelector, wxssToCss, WxssSyntaxError } from '../../build/wxss';
import { convertUnits } from '../../shared/css-units';

const PAGE = { classPrefix: 'pages-login-index', pageSelector: '[data-pv-page="pages-login-index"]' };
const COMPONENT = { classPrefix: 'components-user-avatar-index' };

describe('convertUnits', () => {
  it('turns rpx, vh and vw into multiples of the phone frame’s custom properties', () => {
    expect(convertUnits('32rpx')).toBe('calc(32 * var(--pv-rpx))');
    expect(convertUnits('0 -8rpx .5rpx 1.5rpx')).toBe('0 calc(-8 * var(--pv-rpx)) calc(.5 * var(--pv-rpx)) calc(1.5 * var(--pv-rpx))');
    expect(convertUnits('100vh')).toBe('calc(100 * var(--pv-vh))');
    expect(convertUnits('50VW')).toBe('calc(50 * var(--pv-vw))');
  });

  it('works inside calc() and leaves other units alone', () => {
    expect(convertUnits('calc(40rpx + env(safe-area-inset-bottom))')).toBe('calc(calc(40 * var(--pv-rpx)) + env(safe-area-inset-bottom))');
    expect(convertUnits('1px solid #07c160')).toBe('1px solid #07c160');
  });

  it('leaves strings and url() untouched', () => {
    expect(convertUnits('"10rpx" url(/a/10rpx.png) 10rpx')).toBe('"10rpx" url(/a/10rpx.png) calc(10 * var(--pv-rpx))');
  });
});

describe('scopeSelector', () => {
  it('prefixes every class the way exparser prefixes template classes', () => {
    expect(scopeSelector('.login__checkbox--checked .login__box', PAGE)).toBe(
      '.pages-login-index--login__checkbox--checked .pages-login-index--login__box',
    );
    expect(scopeSelector('.a.b > .c:not(.d)::after', COMPONENT)).toBe(
      '.components-user-avatar-index--a.components-user-avatar-index--b > .components-user-avatar-index--c:not(.components-user-avatar-index--d)::after',
    );
  });

  it('turns `page` into the page container and built-in tags into wx- elements', () => {
    expect(scopeSelector('page', PAGE)).toBe('[data-pv-page="pages-login-index"]');
    expect(scopeSelector('page .card, button[size="mini"], view > text', PAGE)).toBe(
      '[data-pv-page="pages-login-index"] .pages-login-index--card, wx-button[size="mini"], wx-view > wx-text',
    );
  });

  it('keeps ids, attribute values, pseudo-classes and unknown tags as written', () => {
    expect(scopeSelector('#main [class~=".x"]:hover pageX', PAGE)).toBe('#main [class~=".x"]:hover pageX');
    expect(scopeSelector('page', COMPONENT)).toBe('page');
  });
});

describe('wxssToCss', () => {
  it('scopes rules, converts units, and drops comments', () => {
    const css = wxssToCss('/* card */\n.card { padding: 32rpx; /* inner */ }\npage { --brand: #07c160; }', PAGE);
    expect(css).toBe(
      '.pages-login-index--card { padding: calc(32 * var(--pv-rpx));  }\n[data-pv-page="pages-login-index"] { --brand: #07c160; }',
    );
  });

  it('goes into @media, keeps keyframe selectors, converts @font-face declarations', () => {
    const css = wxssToCss(
      '@media (min-width: 400px) { .a { width: 10rpx } }\n@keyframes spin { from { top: 0 } 50% { top: 10rpx } }\n@font-face { font-family: x; }',
      COMPONENT,
    );
    expect(css).toContain('@media (min-width: 400px) {\n.components-user-avatar-index--a { width: calc(10 * var(--pv-rpx)) }');
    expect(css).toContain('@keyframes spin {\nfrom { top: 0 }\n50% { top: calc(10 * var(--pv-rpx)) }');
    expect(css).toContain('@font-face { font-family: x; }');
  });

  it('keeps braces inside strings', () => {
    expect(wxssToCss('.a::before { content: "}{"; }', COMPONENT)).toBe('.components-user-avatar-index--a::before { content: "}{"; }');
  });

  it('reports broken stylesheets instead of emitting garbage', () => {
    expect(() => wxssToCss('.a { color: red;', PAGE)).toThrow(WxssSyntaxError);
    expect(() => wxssToCss('.a { color: red; } }', PAGE)).toThrow(/unexpected }/);
    expect(() => wxssToCss('/* never closed', PAGE)).toThrow(/unclosed comment/);
  });
});

describe('inlineImports', () => {
  const files: Record<string, string> = {
    'styles/base.wxss': '@import "./colors.wxss";\n.base { color: var(--c); }',
    'styles/colors.wxss': 'page { --c: red; }',
    'styles/loop-a.wxss': '@import "loop-b.wxss";',
    'styles/loop-b.wxss': '@import "loop-a.wxss";',
  };
  const resolve = (from: string, target: string) => {
    const dir = from.split('/').slice(0, -1).join('/');
    const path = `${dir}/${target.replace(/^\.\//, '')}`;
    const text = files[path];
    return text === undefined ? null : { path, text };
  };

  it('replaces @import with the imported file, depth first', () => {
    expect(inlineImports('@import "base.wxss";\n.own {}', 'styles/page.wxss', resolve)).toBe(
      'page { --c: red; }\n.base { color: var(--c); }\n.own {}',
    );
  });

  it('names a missing file and a cycle', () => {
    expect(() => inlineImports('@import "missing.wxss";', 'styles/page.wxss', resolve)).toThrow(
      'styles/page.wxss: @import "missing.wxss" not found',
    );
    expect(() => inlineImports('@import "loop-a.wxss";', 'styles/page.wxss', resolve)).toThrow(/@import cycle/);
  });
});

describe('url() in WXSS', () => {
  it('loads the mini-program’s own files where the preview serves images, relative to the file or the root', () => {
    const result = resolveLocalUrls(
      ".a { background: url(../../images/bg.png) no-repeat; }\n.b { background-image: url('/images/top.png?v=2'); }",
      'pages/home/index.wxss',
    );
    expect(result.text).toBe(
      ".a { background: url(files/images/bg.png) no-repeat; }\n.b { background-image: url('files/images/top.png?v=2'); }",
    );
    // Each named: WeChat loads no local file from WXSS on a phone.
    expect(result.local).toEqual(['../../images/bg.png', '/images/top.png?v=2']);
  });

  it('leaves remote, protocol-relative and data: URLs as written, and names none of them', () => {
    const text =
      '.a { background: url("https://cdn.example.com/a.png"); }\n.b { background: url(//cdn.example.com/b.png); }\n.c { background: url(data:image/png;base64,iVBORw0KGgo=); }';
    expect(resolveLocalUrls(text, 'app.wxss')).toEqual({ text, local: [] });
  });
});
