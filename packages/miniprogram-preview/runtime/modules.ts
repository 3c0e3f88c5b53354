/**
 * Loads the mini-program's scripts the way WeChat does: each page's and component's script calls
 * Component() (or Page()) once while it loads, app.ts calls App(). The preview defines those
 * globals, runs one script at a time, and registers what it received with the component engine
 * together with the template and the class prefix the WXSS was scoped with (build/wxss.ts).
 */
import type { BundledApp, BundledModule } from '../shared/bundle';
import { isRegistered, registerBehavior, registerComponent } from './engine';

type Options = Record<string, unknown>;

/** Page() lifecycle and event handlers become methods, the rest of its fields land on `this`. */
export function pageToComponent(options: Options): Options {
  const methods: Options = {};
  const fields: Options = {};
  let data: unknown = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'data') data = value;
    else if (typeof value === 'function') methods[key] = value;
    else if (key !== 'options' && key !== 'behaviors') fields[key] = value;
  }
  return {
    data,
    methods,
    behaviors: options['behaviors'] ?? [],
    lifetimes: {
      created(this: Options) {
        Object.assign(this, JSON.parse(JSON.stringify(fields)) as Options);
      },
    },
  };
}

/**
 * `<van-toast>` in a template whose JSON does not declare it: WeChat renders nothing for it and
 * warns; the engine would refuse the whole template. Such tags (with a '-', neither declared nor
 * a registered built-in) become `view`, and are named.
 */
export function undeclaredTagsAsViews(
  wxml: string,
  usingComponents: Record<string, unknown>,
  registered: (tag: string) => boolean,
): { wxml: string; undeclared: string[] } {
  const undeclared = new Set<string>();
  const rewritten = wxml.replace(/<(\/?)([A-Za-z][\w]*-[\w-]*)(?=[\s/>])/g, (whole, slash: string, tag: string) => {
    if (tag in usingComponents || registered(tag)) return whole;
    undeclared.add(tag);
    return `<${slash}view`;
  });
  return { wxml: rewritten, undeclared: [...undeclared] };
}

/** The built-in behaviors the engine knows itself; others of WeChat's (`wx://proxy-scroll-view`, used by TDesign) add nothing here. */
const ENGINE_BEHAVIORS = new Set(['wx://component-export', 'wx://form-field', 'wx://form-field-group', 'wx://form-field-button']);
const emptyBehaviors = new Map<string, string>();

export function withBuiltinBehaviors(behaviors: unknown): unknown[] {
  if (!Array.isArray(behaviors)) return [];
  return behaviors.map((behavior: unknown) => {
    if (typeof behavior !== 'string' || !behavior.startsWith('wx://') || ENGINE_BEHAVIORS.has(behavior)) return behavior;
    let id = emptyBehaviors.get(behavior);
    if (id === undefined) {
      id = registerBehavior({});
      emptyBehaviors.set(behavior, id);
    }
    return id;
  });
}

/** WeChat's own components with a '-' that the preview has no stand-in for: named as such, not as undeclared. */
export const UNRENDERED_BUILTINS = new Set([
  'live-pusher',
  'live-player',
  'channel-live',
  'channel-video',
  'voip-room',
  'ad-custom',
  'store-product',
  'functional-page-navigator',
  'share-element',
  'grid-view',
  'list-view',
  'sticky-header',
  'sticky-section',
]);

export interface LoadedApp {
  /** What App() received: getApp() answers it. */
  app: Options;
  /** Module path -> its j-component id, for the page host. */
  pageIds: Map<string, string>;
  /** Scripts that failed while loading (each shows its message where it is used), path first. */
  failures: string[];
}

/** What a page or component whose script failed shows in its place: the message, in the phone. */
export const FAILURE_TEMPLATE =
  '<view class="pv-unsupported"><view class="pv-unsupported__title">此处无法在预览中显示 / Not shown in the preview</view><text class="pv-unsupported__message">{{message}}</text></view>';

/**
 * Installs Component / Page / Behavior / App, runs every script of the bundle, and registers the
 * results. Throws with the module's path when a script does not call its constructor.
 */
export function loadMiniprogram(
  bundle: BundledApp,
  globals: Record<string, unknown>,
  launched: (app: Options) => void = () => undefined,
): LoadedApp {
  // Held in an object: the constructors below fill it while a script runs.
  const state: { loading: BundledModule | null; received: Options | null; app: Options | null } = {
    loading: null,
    received: null,
    app: null,
  };

  const capture = (name: string) => (options: Options | undefined) => {
    if (!state.loading) throw new Error(`${name}() was called outside the loading of a page or component script`);
    if (state.received) throw new Error(`${state.loading.path}: ${name}() was called twice`);
    state.received = name === 'Page' ? pageToComponent(options ?? {}) : (options ?? {});
  };
  /** Read through a function: TypeScript cannot see the script's Component() call set it. */
  const received = (): Options | null => state.received;
  globals['Component'] = capture('Component');
  globals['Page'] = capture('Page');
  globals['Behavior'] = (definition: Options) => registerBehavior(definition);
  globals['App'] = (options: Options | undefined) => {
    if (state.app) throw new Error('App() was called twice');
    state.app = options ?? {};
  };
  globals['getApp'] = () => state.app;

  // app.js runs and launches first, as in WeChat: page and component scripts commonly read
  // getApp().globalData (filled by onLaunch) at their top level.
  bundle.loadApp();
  launched(state.app ?? {});
  const pageIds = new Map<string, string>();
  const failures: string[] = [];
  for (const module of bundle.modules) {
    state.loading = module;
    state.received = null;
    let failure: string | null = null;
    try {
      module.load();
    } catch (error) {
      failure = `${module.path}: its script failed while loading: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    const options = received();
    state.loading = null;
    if (!failure && !options) failure = `${module.path}: its script did not call Component() or Page()`;
    if (module.kind === 'page') pageIds.set(module.path, module.id);
    if (!failure && options) {
      const own = typeof options['options'] === 'object' && options['options'] !== null ? (options['options'] as Options) : {};
      const template = undeclaredTagsAsViews(module.wxml, module.usingComponents, isRegistered);
      for (const tag of template.undeclared)
        failures.push(
          UNRENDERED_BUILTINS.has(tag)
            ? `${module.path}.wxml: <${tag}> is a WeChat component the preview does not render (shown as a plain view)`
            : `${module.path}.wxml: <${tag}> is not in usingComponents (shown as a plain view, WeChat warns and skips it)`,
        );
      try {
        registerComponent({
          ...options,
          behaviors: withBuiltinBehaviors(options['behaviors']),
          id: module.id,
          path: module.path,
          tagName: module.tagName,
          template: template.wxml,
          usingComponents: module.usingComponents,
          options: { ...own, classPrefix: module.id },
        });
        continue;
      } catch (error) {
        // The engine compiles the template here: an expression it cannot parse fails this module only.
        // The engine compiles the template and checks the definition here: what it refuses fails this module only.
        failure = `${module.path}: the engine refused it: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    // One broken page or component must not blank the whole mini-program: it shows what failed instead.
    const message = failure ?? module.path;
    failures.push(message);
    registerComponent({
      id: module.id,
      path: module.path,
      tagName: module.tagName,
      template: FAILURE_TEMPLATE,
      usingComponents: {},
      data: { message: message.split('\n    at ')[0] ?? message },
      // Unprefixed: the preview's own stylesheet (host.css) styles it.
      options: {},
    });
  }

  return { app: state.app ?? {}, pageIds, failures };
}
