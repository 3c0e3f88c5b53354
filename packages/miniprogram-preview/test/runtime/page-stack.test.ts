import { createPageStack, NavigationError, type LivePage, type PageFactory } from '../../runtime/page-stack';
import type { PageTarget } from '../../runtime/page-url';

const HOME = 'pages/index/index';
const PROFILE = 'pages/profile/index';
const LOGIN = 'pages/login/index';
const AGREEMENT = 'pages/agreement/index';
const CONFIG = { pages: [HOME, PROFILE, LOGIN, AGREEMENT], tabPages: [HOME, PROFILE], maxDepth: 4 };

/** Pages whose lifecycle methods log what WeChat would have called. */
function recordingFactory(log: string[]): PageFactory & { created: LivePage[] } {
  const created: LivePage[] = [];
  let count = 0;
  return {
    created,
    create(target: PageTarget) {
      count += 1;
      const name = `${target.route.split('/')[1]}#${count}`;
      const hook =
        (label: string) =>
        (...args: unknown[]) => {
          log.push(args.length ? `${name} ${label} ${JSON.stringify(args[0])}` : `${name} ${label}`);
        };
      const page: LivePage & { visible: boolean; ready: boolean } = {
        route: target.route,
        query: target.query,
        instance: {
          onLoad: hook('onLoad'),
          onShow: hook('onShow'),
          onReady: hook('onReady'),
          onHide: hook('onHide'),
          onUnload: hook('onUnload'),
        },
        visible: false,
        ready: false,
        setVisible(visible) {
          page.visible = visible;
        },
        triggerPageLifetime(name) {
          log.push(`${target.route.split('/')[1]} pageLifetimes.${name}`);
        },
        markReady() {
          page.ready = true;
        },
        destroy() {
          log.push(`${name} destroyed`);
        },
      };
      created.push(page);
      return page;
    },
  };
}

function setup() {
  const log: string[] = [];
  const factory = recordingFactory(log);
  const failures: string[] = [];
  const stack = createPageStack(CONFIG, factory, {
    changed: () => undefined,
    hookFailed: (route, hook) => failures.push(`${route} ${hook}`),
  });
  const routes = () => stack.pages().map((page) => page.route);
  const lifecycle = () => log.filter((line) => !line.includes('pageLifetimes'));
  return { log, factory, failures, stack, routes, lifecycle };
}

/** onReady runs after the first render: a later task. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the page stack', () => {
  it('opens a page with onLoad(query) -> onShow, then onReady after the first render', async () => {
    const { stack, lifecycle, factory, log } = setup();
    await stack.reLaunch('/pages/login/index?redirect=%2Fpages%2Findex%2Findex');
    expect(lifecycle()).toEqual(['login#1 onLoad {"redirect":"%2Fpages%2Findex%2Findex"}', 'login#1 onShow']);
    expect(log).toContain('login pageLifetimes.show');
    await nextTask();
    expect(lifecycle()).toEqual(['login#1 onLoad {"redirect":"%2Fpages%2Findex%2Findex"}', 'login#1 onShow', 'login#1 onReady']);
    expect((factory.created[0] as LivePage & { ready: boolean }).ready).toBe(true);
  });

  it('has the page on top of getCurrentPages() while its onLoad runs, as WeChat does (TDesign’s Toast finds it so)', async () => {
    const { stack, factory } = setup();
    let seen: string[] = [];
    const original = factory.create.bind(factory);
    factory.create = (target) => {
      const page = original(target);
      page.instance['onLoad'] = () => {
        seen = stack.pages().map((open) => open.route);
      };
      return page;
    };
    await stack.reLaunch('/pages/index/index');
    expect(seen).toEqual([HOME]);
    await stack.navigateTo('/pages/login/index');
    expect(seen).toEqual([HOME, LOGIN]);
  });

  it('navigateTo hides the current page; navigateBack unloads the top and shows the one below', async () => {
    const { stack, lifecycle, routes } = setup();
    await stack.reLaunch('/pages/index/index');
    await stack.navigateTo('../login/index');
    expect(routes()).toEqual([HOME, LOGIN]);
    await stack.navigateBack();
    expect(routes()).toEqual([HOME]);
    expect(lifecycle()).toEqual([
      'index#1 onLoad {}',
      'index#1 onShow',
      'index#1 onHide',
      'login#2 onLoad {}',
      'login#2 onShow',
      'login#2 onUnload',
      'login#2 destroyed',
      'index#1 onShow',
    ]);
  });

  it('switchTab unloads the pages above and keeps tab pages alive to show them again (hidden once)', async () => {
    const { stack, lifecycle, routes } = setup();
    await stack.reLaunch('/pages/index/index');
    await stack.navigateTo('/pages/login/index');
    await stack.switchTab('/pages/profile/index?ignored=1');
    expect(routes()).toEqual([PROFILE]);
    expect(stack.pages()[0]?.query).toEqual({});
    await stack.switchTab('/pages/index/index');
    expect(lifecycle().slice(5)).toEqual([
      'login#2 onUnload',
      'login#2 destroyed',
      'profile#3 onLoad {}',
      'profile#3 onShow',
      'profile#3 onHide',
      'index#1 onShow',
    ]);
  });

  it('redirectTo replaces the current page', async () => {
    const { stack, routes, lifecycle } = setup();
    await stack.reLaunch('/pages/login/index');
    await stack.redirectTo('/pages/agreement/index?type=privacy');
    expect(routes()).toEqual([AGREEMENT]);
    expect(lifecycle().slice(2)).toEqual([
      'login#1 onUnload',
      'login#1 destroyed',
      'agreement#2 onLoad {"type":"privacy"}',
      'agreement#2 onShow',
    ]);
  });

  it('refuses what WeChat refuses, with its errMsg', async () => {
    const { stack } = setup();
    await stack.reLaunch('/pages/index/index');
    await expect(stack.navigateTo('/pages/profile/index')).rejects.toThrow('navigateTo:fail can not navigateTo a tabbar page');
    await expect(stack.redirectTo('/pages/profile/index')).rejects.toThrow('redirectTo:fail can not redirectTo a tabbar page');
    await expect(stack.switchTab('/pages/login/index')).rejects.toThrow('switchTab:fail can not switch to no-tabBar page');
    await expect(stack.navigateTo('/pages/nowhere/index')).rejects.toThrow('navigateTo:fail page "pages/nowhere/index" is not found');
    await expect(stack.navigateBack()).rejects.toBeInstanceOf(NavigationError);
    await stack.navigateTo('/pages/login/index');
    await stack.navigateTo('/pages/agreement/index');
    await stack.navigateTo('/pages/agreement/index');
    await expect(stack.navigateTo('/pages/agreement/index')).rejects.toThrow('navigateTo:fail webview count limit exceed');
  });

  it('navigateBack with a large delta stops at the first page', async () => {
    const { stack, routes } = setup();
    await stack.reLaunch('/pages/index/index');
    await stack.navigateTo('/pages/login/index');
    await stack.navigateTo('/pages/agreement/index');
    await stack.navigateBack(10);
    expect(routes()).toEqual([HOME]);
  });

  it('reLaunch unloads every page, the hidden tab pages too', async () => {
    const { stack, log } = setup();
    await stack.reLaunch('/pages/index/index');
    await stack.switchTab('/pages/profile/index');
    await stack.reLaunch('/pages/login/index');
    expect(log).toEqual(expect.arrayContaining(['index#1 destroyed', 'profile#2 destroyed']));
  });

  it('runs operations one at a time, in the order they were asked for', async () => {
    const { stack, routes } = setup();
    await stack.reLaunch('/pages/index/index');
    const first = stack.navigateTo('/pages/login/index');
    const second = stack.navigateTo('/pages/agreement/index');
    await Promise.all([first, second]);
    expect(routes()).toEqual([HOME, LOGIN, AGREEMENT]);
  });

  it('reports a throwing lifecycle method and goes on, as WeChat does', async () => {
    const { stack, factory, failures, routes } = setup();
    await stack.reLaunch('/pages/index/index');
    const original = factory.create.bind(factory);
    factory.create = (target) => {
      const page = original(target);
      page.instance['onLoad'] = () => {
        throw new Error('boom');
      };
      return page;
    };
    await stack.navigateTo('/pages/login/index');
    expect(failures).toEqual([`${LOGIN} onLoad`]);
    expect(routes()).toEqual([HOME, LOGIN]);
  });

  it('given a page opening, then it is already in the stack while its onLoad and onShow run, as getCurrentPages() is in WeChat', async () => {
    const seen: string[] = [];
    const factory: PageFactory = {
      create(target) {
        const page: LivePage = {
          route: target.route,
          query: target.query,
          instance: {
            onLoad: () =>
              seen.push(
                `onLoad ${stack
                  .pages()
                  .map((shown) => shown.route)
                  .join(',')}`,
              ),
            onShow: () => seen.push(`onShow top ${stack.pages().at(-1)?.route}`),
          },
          setVisible: () => undefined,
          triggerPageLifetime: () => undefined,
          markReady: () => undefined,
          destroy: () => undefined,
        };
        return page;
      },
    };
    const stack = createPageStack(CONFIG, factory, { changed: () => undefined, hookFailed: () => undefined });
    await stack.reLaunch(`/${HOME}`);
    await stack.navigateTo(`/${LOGIN}`);
    expect(seen).toEqual([`onLoad ${HOME}`, `onShow top ${HOME}`, `onLoad ${HOME},${LOGIN}`, `onShow top ${LOGIN}`]);
  });
});
