/**
 * What the build and the runtime agree on: the shape of `virtual:miniprogram`, the module
 * build/ generates from app.json (the mini-program's configuration, templates and script
 * loaders), and the attribute that marks a page's container, which WXSS's `page` becomes.
 */

/** On each page's container, with the page's module id: `page { }` in WXSS selects it. */
export const PAGE_ATTRIBUTE = 'data-pv-page';

/**
 * Where the preview serves the mini-program's own files (images), relative to the preview page:
 * `<image src="/images/a.png">` loads `files/images/a.png`, read from the mini-program root.
 */
export const FILES_PATH = 'files/';

/** An absolute path of the mini-program ('/images/a.png') as the browser loads it; other sources unchanged. */
export function miniprogramFileUrl(src: string): string {
  return src.startsWith('/') && !src.startsWith('//') ? `${FILES_PATH}${src.slice(1)}` : src;
}

export function pageSelector(moduleId: string): string {
  return `[${PAGE_ATTRIBUTE}="${moduleId}"]`;
}

export interface TabBarItem {
  /** Route without a leading slash, as in app.json: 'pages/index/index'. */
  pagePath: string;
  text: string;
}

export interface TabBarConfig {
  color: string;
  selectedColor: string;
  backgroundColor: string;
  borderStyle: 'black' | 'white';
  list: TabBarItem[];
  /** `tabBar.custom: true`: the module id of `custom-tab-bar/index`, rendered in the tab bar's place. */
  customId: string | null;
}

/** app.json `window` and a page's JSON share these fields (the page's win). */
export interface WindowConfig {
  navigationBarTitleText?: string;
  navigationBarBackgroundColor?: string;
  navigationBarTextStyle?: 'black' | 'white';
  backgroundColor?: string;
  navigationStyle?: 'default' | 'custom';
}

export interface BundledModule {
  path: string;
  kind: 'page' | 'component';
  /** j-component id and class prefix. */
  id: string;
  tagName: string;
  /** Tag in the template -> id of the component module. */
  usingComponents: Record<string, string>;
  window: WindowConfig;
  wxml: string;
  /** Runs the page's or component's script, which calls Component() (or Page()) once. */
  load(): void;
}

export interface BundledApp {
  pages: string[];
  entryPage: string;
  window: WindowConfig;
  tabBar: TabBarConfig | null;
  usePrivacyCheck: boolean;
  /** Runs app.ts, which calls App() once. */
  loadApp(): void;
  /** Dependencies first. */
  modules: BundledModule[];
  /** What the sources use that the preview does not render, each naming its file. */
  unsupported: string[];
}
