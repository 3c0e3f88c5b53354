/**
 * How a Playwright page finds its way around the preview, for browser tests and scripts alike:
 * the page on top of the stack (the visible one, `[data-pv-route]` without `hidden`), an element
 * in it, waiting until a page ran onReady, and opening the preview as one WeChat user.
 *
 * Getters, not values: a test file makes its page and emulator in beforeAll, after the helpers
 * that use them are defined.
 */
import type { Locator, Page } from 'playwright-core';
import { type PreviewIdentity, queryForIdentity } from '../runtime/identity';

export interface PreviewDriver {
  /** `selector` inside the visible page of `route`. */
  onPage(route: string, selector: string): Locator;
  /** Resolves once the page of `route` is on top and ran onReady. */
  waitShown(route: string): Promise<void>;
  /** Opens the preview at `route` as `identity` (a fresh launch of the mini-program) and waits for it. */
  launch(identity: PreviewIdentity, route: string): Promise<void>;
}

function withoutHash(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

export function previewDriver(page: () => Page, baseUrl: () => string): PreviewDriver {
  const shown = (route: string) => `[data-pv-route="${route}"]:not([hidden])`;
  const waitShown = (route: string) => page().locator(`[data-pv-route="${route}"][data-pv-ready]:not([hidden])`).waitFor();
  return {
    onPage: (route, selector) => page().locator(`${shown(route)} ${selector}`),
    waitShown,
    async launch(identity, route) {
      const url = `${baseUrl()}/preview/${queryForIdentity(identity)}#/${route}`;
      // A URL differing from the open one only in its hash does not load the page again: the hash
      // changes in place (the running preview ignores it) and a reload loads the document there:
      // about a fifth less of Chromium's CPU than a detour through about:blank. Any other URL is a new document.
      // Never a relaunch inside the open document (preview.js run again into an emptied root): it cost
      // Chromium ~0.13 s of CPU instead of ~0.3 s (2026-12-07), but the old instance would live on in the
      // same realm — its timers, requests in flight and promise continuations still writing wx storage,
      // the URL and page errors, and globals the mini-program set kept — where a new document ends all of it.
      if (withoutHash(page().url()) === withoutHash(url)) {
        await page().goto(url);
        await page().reload();
      } else await page().goto(url);
      await waitShown(route);
    },
  };
}
