/**
 * Which Chromium the browser tests use and how it is started, with nothing of this repository
 * imported: Jest loads this from its global setup, outside the test module map.
 *
 * One browser serves a whole Jest run (global-setup.ts starts it, the files connect to it, each
 * with contexts of its own): launching Chromium per file cost each file ~0.7 s of CPU and 1-2 s
 * before its first page. The files connect to a Playwright browser server, not to Chromium's CDP
 * port: every CDP client attaches to every page, and one that does not listen for dialogs dismisses
 * them, so a `confirm()` in one file's page was answered by another process. A file run without that
 * setup (another config) launches a browser of its own.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Playwright from 'playwright-core';
import type { Browser, BrowserServer } from 'playwright-core';

declare global {
  /** playwright-core as the Jest worker loaded it, once for all its files (e2e.environment.js). */
  var e2ePlaywright: Pick<typeof Playwright, 'chromium'> | undefined;
}

/** The worker's copy in a test file of the e2e project; anywhere else (the global setup) a require of its own. */
function playwright(): Pick<typeof Playwright, 'chromium'> {
  return globalThis.e2ePlaywright ?? (createRequire(__filename)('playwright-core') as typeof Playwright);
}

/**
 * Debian's chromium-headless-shell when it is installed (.ci/run installs it): the same engine as its
 * chromium without the desktop browser around it, about a fifth less CPU for the e2e project
 * (38 → 29.5 s user+sys, two runs each, 2026-12-07). Otherwise Debian's chromium; E2E_CHROMIUM overrides both.
 */
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
export const CHROMIUM = process.env['E2E_CHROMIUM'] ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const browserAvailable = existsSync(CHROMIUM);

/** Where the run's shared browser listens (a ws:// endpoint), set by the global setup for the test workers. */
export const SHARED_BROWSER_VARIABLE = 'E2E_SHARED_BROWSER';

/** The run's folder of kept preview builds (packages/miniprogram-preview build-cache.ts), set by the global setup. */
export const PREVIEW_CACHE_VARIABLE = 'E2E_PREVIEW_BUILDS';

export function launchBrowserServer(): Promise<BrowserServer> {
  return playwright().chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** The run's shared browser when there is one, else a browser of the caller's own; close() either way. */
export function openBrowser(): Promise<Browser> {
  const endpoint = process.env[SHARED_BROWSER_VARIABLE];
  const { chromium } = playwright();
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
