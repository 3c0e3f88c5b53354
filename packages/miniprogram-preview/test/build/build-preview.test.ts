import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildPreview,
  bundleModuleSource,
  defaultMiniprogramRoot,
  fileReader,
  type PreviewBuildResult,
  rewriteConstantAssignments,
} from '../../build/build-preview';
import { readAppManifest } from '../../build/manifest';
import { createFixtureMiniprogram, FIXTURE_FILES, type FixtureMiniprogram } from '../support/fixture-miniprogram';

describe('buildPreview of the fixture as written', () => {
  // Nothing here changes the fixture: one build serves every test.
  let fixture: FixtureMiniprogram;
  let result: PreviewBuildResult;

  beforeAll(async () => {
    fixture = createFixtureMiniprogram();
    result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
  });

  afterAll(() => fixture.remove());

  it('writes the host page, the bundle with every page script and template, and the scoped styles', () => {
    if (!result.ok) throw new Error(result.errors.join('\n'));

    const read = (name: string) => readFileSync(path.join(fixture.outDir, name), 'utf8');
    expect(read('index.html')).toContain('<title>样例 · 浏览器预览</title>');
    const bundle = read('preview.js');
    expect(bundle).toContain('name: "fixture-home"');
    expect(bundle).toMatch(/<view class=\\?"card\\?"><name-tag name=\\?"\{\{name\}\}\\?" \/>/);
    const css = read('app.css');
    // app.wxss, then the page's own WXSS, both scoped to the page; the component's to itself.
    expect(css).toContain('[data-pv-page="pages-home-index"] { background: #f5f6f8; }');
    expect(css).toContain('.pages-home-index--card { padding: calc(32 * var(--pv-rpx)); }');
    expect(css).toContain('.pages-home-index--card { margin: calc(8 * var(--pv-rpx)); }');
    expect(css).toContain('.components-name-tag-index--tag { font-size: calc(28 * var(--pv-rpx)); }');
    expect(read('preview.css')).toContain('.pv-phone');
  });

  it('lists the source files it read, so a server can tell when to build again', () => {
    expect(result.inputs).toEqual(
      expect.arrayContaining([
        path.join(fixture.root, 'app.json'),
        path.join(fixture.root, 'pages/home/index.wxml'),
        path.join(fixture.root, 'pages/home/index.ts'),
        path.join(fixture.root, 'components/name-tag/index.wxss'),
      ]),
    );
  });
});

describe('buildPreview', () => {
  let fixture: FixtureMiniprogram;

  beforeEach(() => {
    fixture = createFixtureMiniprogram();
  });

  afterEach(() => fixture.remove());

  it('answers the compiler’s messages with file and line when a script does not compile', async () => {
    fixture.write('pages/home/index.ts', 'Component({ data: { name: } });\n');
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/pages\/home\/index\.ts:1:\d+: /);
  });

  it('given a WXSS background from a local image, then the style loads it and the page names it as WeChat refuses it on a phone', async () => {
    fixture.write('pages/home/index.wxss', '.card { background: url(../../images/bg.png); }\n');
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(readFileSync(path.join(fixture.outDir, 'app.css'), 'utf8')).toContain(
      '.pages-home-index--card { background: url(files/images/bg.png); }',
    );
    expect(result.unsupported).toEqual([expect.stringMatching(/^pages\/home\/index\.wxss: url\(\.\.\/\.\.\/images\/bg\.png\) 是本地文件/)]);
    // The page's banner reads the same list from the bundle.
    expect(readFileSync(path.join(fixture.outDir, 'preview.js'), 'utf8')).toContain('pages/home/index.wxss: url(../../images/bg.png)');
  });

  it('given a script that assigns to a const, then it builds, and the assignment throws the TypeError a phone throws when it runs', async () => {
    fixture.write(
      'components/name-tag/helper.js',
      [
        'module.exports = function merge(extra) {',
        '  const data = { a: 1 };',
        '  if (extra) { data = { ...data, ...extra }; }',
        '  return data;',
        '};',
        '',
      ].join('\n'),
    );
    fixture.write('components/name-tag/index.ts', "const merge = require('./helper');\nComponent({ data: { merged: merge(null) } });\n");
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.unsupported).toEqual([
      'components/name-tag/helper.js:3: assigns to the constant "data" (throws a TypeError when it runs, as in WeChat)',
    ]);

    const merge = new Function(
      'module',
      `${rewriteConstantAssignments(readFileSync(path.join(fixture.root, 'components/name-tag/helper.js'), 'utf8'), [
        { file: 'helper.js', line: 3, column: 15, name: 'data' },
      ])}; return module.exports;`,
    )({}) as (extra: object | null) => object;
    expect(merge(null)).toEqual({ a: 1 });
    expect(() => merge({ b: 2 })).toThrow(new TypeError('Assignment to constant variable.'));
  });

  it('answers manifest and WXSS problems the same way', async () => {
    fixture.write('pages/home/index.wxss', '.card { margin: 8rpx;\n');
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    expect(result).toMatchObject({ ok: false, errors: [expect.stringContaining('unclosed {')] });
  });
});

describe('buildPreview of a project on an npm component library (miniprogram_npm, as 构建 npm leaves it)', () => {
  let fixture: FixtureMiniprogram;

  beforeEach(() => {
    fixture = createFixtureMiniprogram({
      ...FIXTURE_FILES,
      'pages/home/index.json': JSON.stringify({ usingComponents: { 'name-tag': '/components/name-tag/index' } }),
      'pages/home/index.ts': "import Toast from '@mini/ui/toast/toast';\nComponent({ methods: { onLoad() { Toast('hi'); } } });\n",
      'components/name-tag/index.json': JSON.stringify({ component: true, usingComponents: { 'mini-button': '@mini/ui/button/index' } }),
      'components/name-tag/index.wxml': '<mini-button>{{name}}</mini-button>\n',
      // The library as vant ships it: CommonJS, a shared common/ folder, WXS, WXSS importing common styles.
      'miniprogram_npm/@mini/ui/common/component.js': 'exports.MiniComponent = function (options) { Component(options); };\n',
      'miniprogram_npm/@mini/ui/common/index.wxss': '.mini-ellipsis { overflow: hidden; }\n',
      'miniprogram_npm/@mini/ui/toast/toast.js': 'exports.default = function Toast(text) { return text; };\n',
      'miniprogram_npm/@mini/ui/button/index.json': JSON.stringify({ component: true }),
      'miniprogram_npm/@mini/ui/button/index.js':
        "var c = require('../common/component');\nc.MiniComponent({ properties: { size: String } });\n",
      'miniprogram_npm/@mini/ui/button/index.wxml':
        '<wxs src="../wxs/utils.wxs" module="utils" />\n<button class="{{ utils.bem(size) }}"><slot /></button>\n',
      'miniprogram_npm/@mini/ui/button/index.wxss': "@import '../common/index.wxss';\n.mini-button { padding: 8rpx; }\n",
      'miniprogram_npm/@mini/ui/wxs/utils.wxs': "module.exports = { bem: function (m) { return 'mini-button mini-button--' + m; } };\n",
    });
  });

  afterEach(() => fixture.remove());

  it('builds: components and script imports resolve through miniprogram_npm, WXS and the library’s WXSS come along', async () => {
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const bundle = readFileSync(path.join(fixture.outDir, 'preview.js'), 'utf8');
    expect(bundle).toContain('"path": "miniprogram_npm/@mini/ui/button/index"');
    expect(bundle).toMatch(/function Toast\d*\(text\)/);
    expect(bundle).toContain("mini-button mini-button--' + m");
    const css = readFileSync(path.join(fixture.outDir, 'app.css'), 'utf8');
    expect(css).toContain('.miniprogram-npm-mini-ui-button-index--mini-ellipsis { overflow: hidden; }');
    expect(result.unsupported).toEqual([]);
  });
});

describe('buildPreview of Sass and Less sources (DevTools useCompilerPlugins)', () => {
  let fixture: FixtureMiniprogram;

  afterEach(() => fixture.remove());

  it('compiles index.scss (with its partials) and index.less where no .wxss is, before scoping them', async () => {
    const { 'pages/home/index.wxss': _pageWxss, 'components/name-tag/index.wxss': _tagWxss, 'app.wxss': _appWxss, ...rest } = FIXTURE_FILES;
    fixture = createFixtureMiniprogram({
      ...rest,
      'app.scss': "@import 'styles/vars';\npage { color: $ink; }\n",
      'styles/_vars.scss': '$ink: #123456;\n$gap: 16rpx;\n',
      'pages/home/index.scss': "@import '../../styles/vars';\n.card { .title { margin: $gap * 2; } }\n",
      'components/name-tag/index.less': '@size: 28rpx;\n.tag { font-size: @size; &:active { opacity: 0.5; } }\n',
    });
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const css = readFileSync(path.join(fixture.outDir, 'app.css'), 'utf8');
    expect(css).toContain('[data-pv-page="pages-home-index"] {\n  color: #123456;\n}');
    expect(css).toContain('.pages-home-index--card .pages-home-index--title {\n  margin: calc(32 * var(--pv-rpx));\n}');
    expect(css).toMatch(/\.components-name-tag-index--tag \{\s*font-size: calc\(28 \* var\(--pv-rpx\)\);\s*\}/);
    expect(css).toMatch(/\.components-name-tag-index--tag:active \{\s*opacity: 0\.5;\s*\}/);
    // An edited partial rebuilds the preview: it is one of the inputs.
    expect(result.inputs).toContain(path.join(fixture.root, 'styles/_vars.scss'));
  });

  it('answers a Sass error with the file', async () => {
    const { 'pages/home/index.wxss': _pageWxss, ...rest } = FIXTURE_FILES;
    fixture = createFixtureMiniprogram({ ...rest, 'pages/home/index.scss': '.card { color: $missing; }\n' });
    const result = await buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
    expect(result).toMatchObject({ ok: false, errors: [expect.stringMatching(/^pages\/home\/index\.scss: Sass: Undefined variable/)] });
  });
});

describe('the bundle module of the real mini-program', () => {
  it('loads each page and component through its own require, components first', () => {
    const source = bundleModuleSource(readAppManifest(fileReader(defaultMiniprogramRoot())));
    expect(source).toContain('require("./app.ts")');
    expect(source).toContain('require("./pages/login/index.ts")');
    expect(source.indexOf('"path":"components/user-avatar/index"')).toBeLessThan(source.indexOf('"path":"pages/index/index"'));
  });
});
