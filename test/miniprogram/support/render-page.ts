import path from 'node:path';
import { create as createWithJComponent } from 'j-component';
import * as simulate from 'miniprogram-simulate';

/**
 * Renders a real page or component of miniprogram/ with miniprogram-simulate (jsdom), and drives it
 * the way WeChat would: onLoad(query) → onShow() → first render → onReady().
 * simulate.load registers a path once per test file (require cache): call loadPage at file level.
 */

export const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../../miniprogram');

/** `route` like 'pages/login/index' or 'components/privacy-popup/index'. */
export function loadPage(route: string): string {
  // rootPath lets absolute usingComponents paths (/components/...) resolve as in WeChat.
  return simulate.load(path.join(MINIPROGRAM_ROOT, route), { rootPath: MINIPROGRAM_ROOT });
}

/** A node found with querySelector; a custom component's node can be searched in turn. */
export interface SimulatedNode {
  readonly dom: HTMLElement | undefined;
  /** A custom component's data (its properties included); undefined for a native node. */
  readonly data: Record<string, unknown> | undefined;
  dispatchEvent(name: string, options?: object): void;
  querySelector(selector: string): SimulatedNode | undefined;
}

/** What the tests use of j-component's RootComponent (its typings miss addEventListener and triggerPageLifeTime). */
export interface SimulatedComponent {
  readonly dom: HTMLElement | undefined;
  readonly data: Record<string, unknown>;
  readonly instance: unknown;
  querySelector(selector: string): SimulatedNode | undefined;
  attach(parent: Element): void;
  detach(): void;
  /** Listens to what the component emits with triggerEvent. */
  addEventListener(eventName: string, handler: (event: unknown) => void): void;
  triggerPageLifeTime(lifetime: 'show' | 'hide' | 'resize', args?: unknown): void;
}

interface PageHooks {
  onLoad?(query: Record<string, string>): void;
  onShow?(): void;
  onReady?(): unknown;
}

export interface RenderedPage {
  readonly component: SimulatedComponent;
  /** Page data as the page last set it. */
  data(): Record<string, unknown>;
  onShow(): void;
  onReady(): Promise<void>;
  /**
   * Selectors below may cross into a child component with ' >>> ':
   * '#privacy-popup >>> #privacy-popup-decline' (j-component's own selectors stop at its boundary).
   */
  exists(selector: string): boolean;
  /** The text rendered inside the node, whitespace collapsed. */
  text(selector: string): string;
  /** j-component dispatches events in a microtask: this resolves once the handler ran and settled. */
  tap(selector: string): Promise<void>;
  dispatch(selector: string, eventName: string, detail?: unknown): Promise<void>;
  /** The node's class attribute as rendered (prefixed by simulate, e.g. "main--login__button"). */
  classes(selector: string): string;
}

/** Lets every pending promise and zero-delay timer run: a tap's cloud call and setData settle. */
export function settle(): Promise<void> {
  return simulate.sleep(0);
}

/**
 * simulate.render(id): it puts the component's compiled WXSS in the document as <style id="<id>">,
 * removing the one it put there before, then creates the component with j-component. The style of an
 * id is the same text each time, and putting it there again cost jsdom an HTML and a CSS parse per
 * render (~1.5 ms; ~0.5 s of CPU over the page tests): once it is in this file's document, the
 * component is created with j-component directly, the rest of what simulate.render does.
 */
function simulateRender(id: string): SimulatedComponent {
  const rendered = document.getElementById(id) instanceof HTMLStyleElement ? createWithJComponent(id) : simulate.render(id);
  return rendered as unknown as SimulatedComponent;
}

export function renderPage(id: string, query: Record<string, string> = {}): RenderedPage {
  const component = simulateRender(id);
  component.attach(document.createElement('parent-wrapper'));
  const hooks = component.instance as unknown as PageHooks;
  hooks.onLoad?.(query);
  hooks.onShow?.();

  function find(selector: string): SimulatedNode | undefined {
    const [first = '', ...rest] = selector.split(/\s+>>>\s+/);
    return rest.reduce<SimulatedNode | undefined>((scope, part) => scope?.querySelector(part), component.querySelector(first));
  }

  function node(selector: string): SimulatedNode {
    const found = find(selector);
    if (!found) throw new Error(`nothing matches ${selector}`);
    return found;
  }

  return {
    component,
    data: () => component.data,
    onShow: () => hooks.onShow?.(),
    async onReady() {
      await hooks.onReady?.();
    },
    exists: (selector) => find(selector) !== undefined,
    text: (selector) => (node(selector).dom?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    async tap(selector) {
      node(selector).dispatchEvent('tap');
      await settle();
    },
    async dispatch(selector, eventName, detail) {
      node(selector).dispatchEvent(eventName, { detail });
      await settle();
    },
    classes: (selector) => node(selector).dom?.getAttribute('class') ?? '',
  };
}

/**
 * Resolves once `condition()` holds, polling between macrotasks: for pages whose handler waits on
 * real I/O (the emulator over HTTP), where one settle() is not enough. Rejects after `timeoutMs`.
 */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor: condition still false after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
