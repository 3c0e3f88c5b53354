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

  it('explains what is missing or wrong', () => {
    const without = (path: string) => Object.fromEntries(Object.entries(APP).filter(([name]) => name !== path));
    expect(() => readAppManifest(reader(without('pages/me/index.wxml')))).toThrow('pages/me/index.wxml is missing');
    expect(() => readAppManifest(reader(without('components/avatar/index.ts')))).toThrow('components/avatar/index.ts (or .js) is missing');
    expect(() => readAppManifest(reader({ ...APP, 'app.json': '{ pages: [' }))).toThrow(ManifestError);
    expect(() =>
      readAppManifest(reader({ ...APP, 'app.json': JSON.stringify({ pages: ['a'], tabBar: { list: [{ pagePath: 'b' }] } }) })),
    ).toThrow(/tabBar.list\[0\].pagePath "b" is not in pages/);
    expect(() =>
      readAppManifest(
        reader({
          ...APP,
          ...module('components/avatar/index', { component: true, usingComponents: { card: '/components/user-card/index' } }),
        }),
      ),
    ).toThrow(/cycle/);
  });
});

describe('resolveComponentPath', () => {
  it('resolves absolute paths from the root and relative ones from the user', () => {
    expect(resolveComponentPath('pages/a/index', '/components/x/index')).toBe('components/x/index');
    expect(resolveComponentPath('pages/a/index', '../../components/x/index')).toBe('components/x/index');
    expect(resolveComponentPath('pages/a/index', './parts/y')).toBe('pages/a/parts/y');
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
