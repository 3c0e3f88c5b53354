/**
 * `npm run preview:pages -- --project <path>`: opens every page of a DevTools project in the browser
 * preview (headless Chromium, 375 px) and reports, page by page, whether it opened without a page error.
 * A smoke test for a project tried in the preview for the first time, and how the preview is measured on
 * real mini-programs.
 *
 * A page counts as open when it ran onReady (`data-pv-ready`) with no uncaught error (`pageerror`), no
 * failed lifecycle hook or component script (`[preview] …` on the console) and nothing named unsupported
 * (`.pv-unsupported`). Other console errors (a failed wx.request, a collection missing in an empty
 * environment) are listed but do not count against the page: they are what the app does with no data.
 *
 * Options: --port N (default 9870), --queries FILE (JSON `{ "pages/x/index": "id=1&type=2" }`: the query
 * options the app's own navigation passes to a page opened directly), --import DIR (an emulator snapshot:
 * the collections the pages read), --screenshots DIR (one PNG per page), --timeout MS (per page, default 8000),
 * --json FILE (the results), --only TEXT (the routes containing it), --strict (an unhandled promise rejection
 * fails the page too; by default it is listed apart: WeChat logs it and the page goes on), --warm (load the app
 * once and open each page with wx.reLaunch: much faster on a large app; app-level state carries over).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { detectProject } from './lib/add/project';
import { appRoutes } from './lib/app-routes';

const CHROMIUM = process.env['E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const kitRoot = path.resolve(__dirname, '..');

export interface PageResult {
  route: string;
  ok: boolean;
  ready: boolean;
  pageErrors: string[];
  previewErrors: string[];
  unsupported: number;
  /** Promises the app left rejected (mostly its HTTP calls with no server): WeChat logs them, the page goes on. */
  rejections: string[];
  consoleErrors: string[];
}

function option(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

function startPreview(project: string, port: number, importDir: string | undefined): Promise<{ child: ChildProcess; base: string }> {
  const args = ['tsx', 'scripts/start.ts', '--project', project, '--port', String(port), '--memory', '--no-watch'];
  if (importDir) args.push('--import', importDir);
  // Its own process group: npx, tsx and the emulator stop together (stopPreview).
  const child = spawn('npx', args, { cwd: kitRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let output = '';
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Preview:\s*\S+/.test(output)) resolve({ child, base: `http://127.0.0.1:${port}` });
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      seen(chunk);
    });
    child.on('exit', (code) => reject(new Error(`the preview exited (${code}) before it started:\n${output}`)));
  });
}

function stopPreview(child: ChildProcess): void {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
}

const REJECTION = '[unhandled rejection]';

/** Reports an unhandled rejection on the console instead of as an uncaught page error, so it is counted apart. */
const REPORT_REJECTIONS_APART = `window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  const reason = event.reason;
  console.error(${JSON.stringify(REJECTION)}, reason instanceof Error ? reason.message : JSON.stringify(reason) ?? String(reason));
});`;

async function openPage(
  page: Page,
  base: string,
  route: string,
  query: string,
  timeout: number,
  strict: boolean,
  warm: boolean,
): Promise<PageResult> {
  const result: PageResult = {
    route,
    ok: false,
    ready: false,
    pageErrors: [],
    previewErrors: [],
    unsupported: 0,
    rejections: [],
    consoleErrors: [],
  };
  const onError = (error: Error) =>
    result.pageErrors.push(
      (error.stack ?? error.message)
        .split('\n')
        .slice(0, 3)
        .map((line) => line.trim())
        .join(' | '),
    );
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() !== 'error') return;
    const text = message.text().split('\n')[0] ?? '';
    if (text.startsWith(REJECTION)) {
      result.rejections.push(text.slice(REJECTION.length).trim());
      return;
    }
    // A lifecycle hook of this page that threw; other modules' load problems show on their own pages.
    if (text.startsWith(`[preview] ${route} `)) result.previewErrors.push(text);
    else result.consoleErrors.push(text);
  };
  page.on('pageerror', onError);
  page.on('console', onConsole);
  try {
    const url = `/${route}${query ? `?${query}` : ''}`;
    if (warm && (await page.evaluate(() => 'wx' in globalThis).catch(() => false))) {
      // The app stays loaded; wx.reLaunch closes every page and opens this one, as a person would.
      await page.evaluate((target) => {
        (globalThis as unknown as { wx: { reLaunch(options: { url: string }): void } }).wx.reLaunch({ url: target });
      }, url);
    } else {
      await page.goto('about:blank');
      await page.goto(`${base}/preview/#${url}`);
    }
    // Attached, not visible: a page may open another at once (a login page), and stays ready under it.
    await page.locator(`[data-pv-route="${route}"][data-pv-ready]`).waitFor({ state: 'attached', timeout });
    result.ready = true;
    // Let the first answers of onLoad's requests arrive and render.
    await page.waitForLoadState('networkidle', { timeout }).catch(() => undefined);
  } catch {
    result.ready = false;
  }
  result.unsupported = await page.locator(`[data-pv-route="${route}"]:not([hidden]) .pv-unsupported`).count();
  page.off('pageerror', onError);
  page.off('console', onConsole);
  result.ok =
    result.ready &&
    result.pageErrors.length === 0 &&
    result.previewErrors.length === 0 &&
    result.unsupported === 0 &&
    (!strict || result.rejections.length === 0);
  return result;
}

async function main(argv: string[]): Promise<number> {
  const projectArg = option(argv, '--project');
  if (!projectArg) {
    process.stderr.write('usage: npm run preview:pages -- --project <path> [--queries FILE] [--import DIR] [--screenshots DIR]\n');
    return 2;
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk (or set E2E_CHROMIUM)`);
  const project = detectProject(path.resolve(projectArg));
  const port = Number(option(argv, '--port') ?? 9870);
  const timeout = Number(option(argv, '--timeout') ?? 8000);
  const queriesFile = option(argv, '--queries');
  const queries = queriesFile ? (JSON.parse(readFileSync(queriesFile, 'utf8')) as Record<string, string>) : {};
  const screenshots = option(argv, '--screenshots');
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  const appJson: unknown = JSON.parse(readFileSync(path.join(project.root, project.miniprogramRoot, 'app.json'), 'utf8'));
  const only = option(argv, '--only');
  const strict = argv.includes('--strict');
  const warm = argv.includes('--warm');
  const routes = appRoutes(appJson).filter((route) => !only || route.includes(only));

  const { child, base } = await startPreview(project.root, port, option(argv, '--import'));
  const index = await fetch(`${base}/preview/`);
  if (!index.ok) {
    // The build failed: every page would show the same message.
    process.stdout.write(`the preview did not build (${index.status}):\n${(await index.text()).replace(/<[^>]+>/g, '').trim()}\n`);
    stopPreview(child);
    return 1;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const results: PageResult[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({ content: REPORT_REJECTIONS_APART });
    const page = await context.newPage();
    for (const route of routes) {
      const result = await openPage(page, base, route, queries[route] ?? '', timeout, strict, warm);
      results.push(result);
      const problems = [...result.pageErrors, ...result.previewErrors];
      const mark = result.ok ? 'ok  ' : 'FAIL';
      process.stdout.write(
        `${mark} ${route}${result.ready ? '' : ' (no onReady)'}${result.unsupported ? ` unsupported×${result.unsupported}` : ''}\n`,
      );
      for (const problem of problems.slice(0, 3)) process.stdout.write(`       ${problem.slice(0, 300)}\n`);
      if (result.rejections.length)
        process.stdout.write(`       (unhandled rejections ×${result.rejections.length}) ${result.rejections[0]?.slice(0, 160)}\n`);
      for (const text of result.consoleErrors.slice(0, 2)) process.stdout.write(`       (console) ${text.slice(0, 200)}\n`);
      if (screenshots)
        await page
          .locator('.pv-phone')
          .screenshot({ path: path.join(screenshots, `${route.replace(/\//g, '_')}.png`) })
          .catch(() => undefined);
    }
  } finally {
    await browser.close();
    stopPreview(child);
  }
  const opened = results.filter((result) => result.ok).length;
  const clean = results.filter((result) => result.ok && result.rejections.length === 0).length;
  process.stdout.write(
    `\n${opened}/${results.length} pages open without a page error (${Math.round((opened / Math.max(1, results.length)) * 100)}%)\n` +
      `${clean}/${results.length} of them without an unhandled promise rejection either\n`,
  );
  const jsonOut = option(argv, '--json');
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

// Run as a command, not when imported.
if (path.resolve(process.argv[1] ?? '') === __filename)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
