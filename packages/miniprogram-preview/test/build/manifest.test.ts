import { ManifestError, moduleId, readAppManifest, resolveComponentPath, type SourceReader } from '../../build/manifest';

function reader(files: Record<string, string>): SourceReader {
  return { readText: (path) => files[path] ?? null };
}

/** A page or component: json, wxml and ts. */
function module(path: string, json: object): Record<string, string> {
  return { [`${path}.json`]: JSON.stringify(json), [`${path}.wxml`]: `<view>${path}</view>`, [`${path}.ts`]: 'Component({})' };
}

const APP = {
  'app.json': JSON.stringify({
    pages: ['pages/home/index', 'pages/me/index'],
    window: { navigationBarTitleText: '示例', navigationBarTextStyle: 'black' },
    tabBar: {
      list: [
        { pagePath: 'pages/home/index', text: '首页' },
        { pagePath: 'pages/me/index', text: '我的' },
      ],
    },
    __usePrivacyCheck__: true,
  }),
  'app.ts': 'App({})',
  'app.wxss': 'page {}',
  ...module('pages/home/index', { navigationBarTitleText: '首页', usingComponents: { 'user-card': '/components/user-card/index' } }),
  ...module('pages/me/index', { usingComponents: { card: '../../components/user-card/index' } }),
  ...module('components/user-card/index', { component: true, usingComponents: { avatar: '../avatar/index' } }),
  ...module('components/avatar/index', { component: true }),
};

describe('readAppManifest', () => {
  it('lists each component before the pages and components that use it, once', () => {
    const manifest = readAppManifest(reader(APP));
    expect(manifest.modules.map((entry) => entry.path)).toEqual([
      'components/avatar/index',
      'components/user-card/index',
      'pages/home/index',
      'pages/me/index',
    ]);
  });

  it('names each module’s component tags by the module they resolve to, and gives ids and DOM tags', () => {
    const manifest = readAppManifest(reader(APP));
    const me = manifest.modules.find((entry) => entry.path === 'pages/me/index');
    const card = manifest.modules.find((entry) => entry.path === 'components/user-card/index');
    expect(me).toMatchObject({
      kind: 'page',
      id: 'pages-me-index',
      tagName: 'pages-me-index',
      usingComponents: { card: 'components/user-card/index' },
    });
    expect(card).toMatchObject({
      kind: 'component',
      id: 'components-user-card-index',
      tagName: 'user-card',
      usingComponents: { avatar: 'components/avatar/index' },
    });
    // 'avatar' has no hyphen: it could pass for an HTML or built-in tag, so the id is used.
    expect(manifest.modules[0]?.tagName).toBe('components-avatar-index');
  });

  it('reads the app settings the preview needs', () => {
    const manifest = readAppManifest(reader(APP));
    expect(manifest).toMatchObject({
      pages: ['pages/home/index', 'pages/me/index'],
      entryPage: 'pages/home/index',
      window: { navigationBarTitleText: '示例', navigationBarTextStyle: 'black' },
      usePrivacyCheck: true,
      appScriptPath: 'app.ts',
      appWxssPath: 'app.wxss',
    });
    expect(manifest.tabBar?.list.map((item) => item.pagePath)).toEqual(['pages/home/index', 'pages/me/index']);
    expect(manifest.modules.find((entry) => entry.path === 'pages/home/index')?.window).toEqual({ navigationBarTitleText: '首页' });
  });

  it('adds app.json’s global components where a template uses them', () => {
    const files = {
      ...APP,
      'app.json': JSON.stringify({ pages: ['pages/me/index'], usingComponents: { 'user-card': '/components/user-card/index' } }),
      'pages/me/index.wxml': '<user-card />',
    };
    const manifest = readAppManifest(reader(files));
    expect(manifest.modules.find((entry) => entry.path === 'pages/me/index')?.usingComponents).toEqual({
      'user-card': 'components/user-card/index',
      card: 'components/user-card/index',
    });
    expect(manifest.modules.find((entry) => entry.path === 'components/avatar/index')?.usingComponents).toEqual({});
  });

  it('resolves a global component’s relative path from app.json, not from the page using it', () => {
    const files = {
      ...APP,
      'app.json': JSON.stringify({ pages: ['pages/me/index'], usingComponents: { 'user-card': 'components/user-card/index' } }),
      'pages/me/index.wxml': '<user-card />',
    };
    const manifest = readAppManifest(reader(files));
    expect(manifest.modules.find((entry) => entry.path === 'pages/me/index')?.usingComponents['user-card']).toBe(
      'components/user-card/index',
    );
  });

  it('explains what is missing or wrong', () => {
    const without = (path: string) => Object.fromEntries(Object.entries(APP).filter(([name]) => name !== path));
    expect(() => readAppManifest(reader(without('pages/me/index.wxml')))).toThrow('pages/me/index.wxml is missing');
    expect(() => readAppManifest(reader(without('components/avatar/index.ts')))).toThrow('components/avatar/index.ts (or .js) is missing');
    expect(() => readAppManifest(reader({ ...APP, 'app.json': '{ pages: [' }))).toThrow(ManifestError);
    expect(() =>
      readAppManifest(reader({ ...APP, 'app.json': JSON.stringify({ pages: ['a'], tabBar: { list: [{ pagePath: 'b' }] } }) })),
    ).toThrow(/tabBar.list\[0\].pagePath "b" is not in pages/);
  });

  it('given components that recurse (a node using itself, two using each other), then each is listed once, as WeChat renders them', () => {
    const manifest = readAppManifest(
      reader({
        ...APP,
        ...module('components/avatar/index', {
          component: true,
          usingComponents: { avatar: './index', card: '/components/user-card/index' },
        }),
      }),
    );
    expect(manifest.modules.map((entry) => entry.path)).toEqual([
      'components/avatar/index',
      'components/user-card/index',
      'pages/home/index',
      'pages/me/index',
    ]);
    expect(manifest.modules[0]?.usingComponents).toEqual({ avatar: 'components/avatar/index', card: 'components/user-card/index' });
  });
});

describe('resolveComponentPath', () => {
  it('resolves absolute paths from the root and relative ones from the user', () => {
    expect(resolveComponentPath('pages/a/index', '/components/x/index')).toBe('components/x/index');
    expect(resolveComponentPath('pages/a/index', '../../components/x/index')).toBe('components/x/index');
    expect(resolveComponentPath('pages/a/index', './parts/y')).toBe('pages/a/parts/y');
  });

  it('takes a path naming a folder as that folder’s index component (TDesign’s retail starter)', () => {
    const files = reader({ 'pages/a/parts/gallery/index.json': '{"component":true}', 'components/card/index.json': '{}' });
    expect(resolveComponentPath('pages/a/index', './parts/gallery', files)).toBe('pages/a/parts/gallery/index');
    expect(resolveComponentPath('pages/a/index', '/components/card', files)).toBe('components/card/index');
    expect(resolveComponentPath('pages/a/index', '/components/card/index', files)).toBe('components/card/index');
  });

  it('refuses plugins and paths outside the mini-program', () => {
    expect(() => resolveComponentPath('pages/a/index', 'plugin://x/y')).toThrow(/plugin components are not supported/);
    expect(() => resolveComponentPath('pages/a/index', '../../../x')).toThrow(/outside the mini-program/);
  });
});

describe('moduleId', () => {
  it('is the path with every run of other characters as one hyphen', () => {
    expect(moduleId('pages/profile-edit/index')).toBe('pages-profile-edit-index');
    expect(moduleId('components/UserCard/index')).toBe('components-usercard-index');
  });
});

describe('npm components (miniprogram_npm), as DevTools resolves them', () => {
  /** A vant-like library built into miniprogram_npm: a button using an icon of its own. */
  const LIBRARY = {
    ...module('miniprogram_npm/@mini/ui/button/index', { component: true, usingComponents: { 'mini-icon': '../icon/index' } }),
    ...module('miniprogram_npm/@mini/ui/icon/index', { component: true }),
    ...module('miniprogram_npm/mini-badge/index', { component: true }),
  };
  const app = (pages: string[]) => ({ 'app.json': JSON.stringify({ pages }), 'app.js': 'App({})' });

  it('finds "@scope/pkg/comp/index" from any page or component folder through the root miniprogram_npm', () => {
    const manifest = readAppManifest(
      reader({
        ...app(['pages/home/index']),
        ...LIBRARY,
        ...module('pages/home/index', { usingComponents: { card: '/components/place-list/index' } }),
        ...module('components/place-list/index', { component: true, usingComponents: { 'van-button': '@mini/ui/button/index' } }),
      }),
    );
    const list = manifest.modules.find((entry) => entry.path === 'components/place-list/index');
    expect(list?.usingComponents).toEqual({ 'van-button': 'miniprogram_npm/@mini/ui/button/index' });
    expect(manifest.modules.map((entry) => entry.path)).toContain('miniprogram_npm/@mini/ui/icon/index');
  });

  it('takes the nearest miniprogram_npm (packNpmRelationList puts one in a sub-folder), and a bare package name means its index', () => {
    const manifest = readAppManifest(
      reader({
        ...app(['sub/pages/a/index']),
        ...LIBRARY,
        ...module('sub/miniprogram_npm/@mini/ui/button/index', { component: true }),
        ...module('sub/pages/a/index', { usingComponents: { b: '@mini/ui/button/index', badge: 'mini-badge' } }),
      }),
    );
    expect(manifest.modules.find((entry) => entry.path === 'sub/pages/a/index')?.usingComponents).toEqual({
      b: 'sub/miniprogram_npm/@mini/ui/button/index',
      badge: 'miniprogram_npm/mini-badge/index',
    });
  });

  it('prefers a component beside the user for a path without ./ (as DevTools does)', () => {
    expect(resolveComponentPath('pages/home/index', 'parts/row', reader({ 'pages/home/parts/row.json': '{}' }))).toBe(
      'pages/home/parts/row',
    );
  });

  it('names the places it looked and the fix when the package was not built into miniprogram_npm', () => {
    expect(() => resolveComponentPath('components/place-list/index', '@vant/weapp/image/index', reader({}))).toThrow(
      /components\/place-list\/index\.json: component "@vant\/weapp\/image\/index" was not found; looked for .*miniprogram_npm\/@vant\/weapp\/image\/index\.json.*构建 npm/,
    );
  });

  it('includes the pages of subpackages', () => {
    const manifest = readAppManifest(
      reader({
        'app.json': JSON.stringify({ pages: ['pages/home/index'], subpackages: [{ root: 'packageA/', pages: ['list/list'] }] }),
        'app.js': 'App({})',
        ...module('pages/home/index', {}),
        ...module('packageA/list/list', {}),
      }),
    );
    expect(manifest.pages).toEqual(['pages/home/index', 'packageA/list/list']);
  });

  it('names a <template is> of a template neither defined nor imported (a misspelt name)', () => {
    const manifest = readAppManifest(
      reader({
        ...app(['pages/home/index']),
        ...module('pages/home/index', {}),
        'pages/home/index.wxml': '<import src="./item.wxml" /><template is="itme" data="{{...row}}" />',
        'pages/home/item.wxml': '<template name="item"><text>{{name}}</text></template>',
      }),
    );
    expect(manifest.unsupported).toEqual([
      'pages/home/index.wxml: <template is> of a template not defined or imported here (模板 renders nothing in the preview)',
    ]);
  });
});

describe('a custom tab bar (tabBar.custom)', () => {
  it('loads custom-tab-bar/index as a component and names it as the tab bar', () => {
    const manifest = readAppManifest(
      reader({
        'app.json': JSON.stringify({
          pages: ['pages/home/index'],
          tabBar: { custom: true, list: [{ pagePath: 'pages/home/index', text: '首页' }] },
        }),
        'app.js': 'App({})',
        ...module('pages/home/index', {}),
        // Without "component": true, as WeChat accepts it.
        ...module('custom-tab-bar/index', {}),
      }),
    );
    expect(manifest.tabBar?.customId).toBe('custom-tab-bar-index');
    expect(manifest.modules.map((entry) => entry.path)).toContain('custom-tab-bar/index');
  });

  it('has none for the native tab bar', () => {
    expect(readAppManifest(reader(APP)).tabBar?.customId).toBeNull();
  });
});
