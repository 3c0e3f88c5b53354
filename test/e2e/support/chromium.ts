/**
 * The one way the browser tests find and start Chromium: Debian's /usr/bin/chromium (E2E_CHROMIUM
 * to use another), headless with the flags this sandbox needs (no background networking: the
 * machine's closed network refuses those connections). Without the browser a file is skipped with
 * a message; with E2E_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['E2E_CHROMIUM'] ?? '/usr/bin/chromium';

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
if (!browserAvailable && process.env['E2E_REQUIRE_BROWSER'] === '1') {
  throw new Error(`E2E_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
}

export const SKIP_NOTE = `${CHROMIUM} not found — browser tests skipped (install: apt-get install -y chromium fonts-noto-cjk)`;
if (!browserAvailable) console.warn(`[e2e] ${SKIP_NOTE}`);

/** `describe` when the browser is there; otherwise a skipped block whose title says why. */
export function describeInBrowser(title: string, body: () => void): void {
  if (browserAvailable) describe(title, body);
  else describe.skip(`${title} — SKIPPED: ${SKIP_NOTE}`, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/**
 * A page of the browser that reports every failure into `errors`: uncaught exceptions and
 * console.error (the preview logs lifecycle methods that threw and failed loads there). Tests
 * assert `errors` stays empty after each test.
 */
export function collectPageErrors(page: Page, errors: string[]): Page {
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return page;
}
