/**
 * Which Chromium the browser tests use and how it is started, with nothing of this repository
 * imported: Jest loads this from its global setup, outside the test module map.
 *
 * One browser serves a whole Jest run (global-setup.ts starts it, the files connect to it once it
 * announced itself, each with contexts of its own): launching Chromium per file cost each file ~0.7 s of CPU and 1-2 s
 * before its first page. The files connect to a Playwright browser server, not to Chromium's CDP
 * port: every CDP client attaches to every page, and one that does not listen for dialogs dismisses
 * them, so a `confirm()` in one file's page was answered by another process. A file run without that
 * setup (another config) launches a browser of its own.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
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

/**
 * The file where the run's shared browser announces itself, set by the global setup for the test
 * workers: `{ "endpoint": "ws://…" }` once Chromium listens, `{ "error": "…" }` if it could not start.
 * A file, not the endpoint itself: the global setup starts Chromium without waiting for it, so that
 * no test file of the run (e2e or not) waits for it to start, and the workers read their variables
 * when they start.
 */
export const SHARED_BROWSER_VARIABLE = 'E2E_SHARED_BROWSER';

/**
 * The run's folder of kept preview builds (packages/miniprogram-preview build-cache.ts), set by the
 * global setup, which builds this repository's pages there without waiting for the build either.
 */
export const PREVIEW_CACHE_VARIABLE = 'E2E_PREVIEW_BUILDS';

/** Written into the folder of kept builds once the global setup's build ended, kept or failed. */
export const BUILD_SETTLED_FILE = 'global-setup-build-settled';

/** Writes `text` to `file` by a rename: a reader sees the whole file or none. */
export function announce(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** The content of `file` once it exists (the global setup writes it), polled. */
async function announced(file: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (Date.now() > deadline) throw new Error(`the e2e global setup never wrote ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function launchBrowserServer(): Promise<BrowserServer> {
  return playwright().chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** The run's shared browser when there is one, else a browser of the caller's own; close() either way. */
export async function openBrowser(): Promise<Browser> {
  const announcement = process.env[SHARED_BROWSER_VARIABLE];
  const { chromium } = playwright();
  if (!announcement) return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const shared = JSON.parse(await announced(announcement)) as { endpoint?: string; error?: string };
  if (!shared.endpoint) throw new Error(`the run's Chromium did not start: ${shared.error ?? 'no endpoint'}`);
  return chromium.connect(shared.endpoint);
}

/** The run's folder of kept preview builds once the global setup's build ended (undefined outside such a run). */
export async function previewBuildCache(): Promise<string | undefined> {
  const cacheDir = process.env[PREVIEW_CACHE_VARIABLE];
  if (cacheDir) await announced(path.join(cacheDir, BUILD_SETTLED_FILE));
  return cacheDir;
}
