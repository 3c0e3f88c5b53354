import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule } from '../../server/preview-module';
import { createFixtureMiniprogram, type FixtureMiniprogram } from '../support/fixture-miniprogram';

describe('the preview served by the emulator at /preview/', () => {
  let fixture: FixtureMiniprogram;
  let emulator: Emulator;
  let functionsRoot: string;
  const logged: string[] = [];

  beforeAll(async () => {
    fixture = createFixtureMiniprogram();
    functionsRoot = mkdtempSync(path.join(os.tmpdir(), 'preview-functions-'));
    const preview = await createPreviewModule({ miniprogramRoot: fixture.root, outDir: fixture.outDir, log: (line) => logged.push(line) });
    emulator = await createEmulator({ memory: true, functionsRoot, modules: [preview] });
  });

  afterAll(async () => {
    await emulator.close();
    fixture.remove();
    rmSync(functionsRoot, { recursive: true, force: true });
  });

  const get = (pathname: string, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}${pathname}`, { redirect: 'manual', headers });

  it('answers the host page never from a cache, and the files it loads revalidated on every load', async () => {
    const page = await get('/preview/?openid=a&appid=b');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    for (const file of ['preview.js', 'preview.css', 'app.css']) {
      expect(html).toContain(file);
      const asset = await get(`/preview/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(file.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(asset.headers.get('cache-control')).toBe('no-cache');
      const etag = asset.headers.get('etag') ?? '';
      expect(etag).toMatch(/^"[\w-]+"$/);
      // The same build: 304, nothing sent again (the browser keeps the bundle and its compiled code).
      const again = await get(`/preview/${file}`, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect((await get(`/preview/${file}`, { 'if-none-match': '"another-build"' })).status).toBe(200);
    }
  });

  it('serves the mini-program’s own images for absolute paths (<image src="/images/a.png">), and nothing else of it', async () => {
    fixture.write('images/logo.png', 'not-really-a-png');
    const image = await get('/preview/files/images/logo.png');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(await image.text()).toBe('not-really-a-png');
    expect((await get('/preview/files/app.ts')).status).toBe(404);
    expect((await get('/preview/files/%2E%2E/%2E%2E/package.json')).status).toBe(404);
    expect((await get('/preview/files/images/gone.png')).status).toBe(404);
  });

  it('redirects /preview to /preview/, keeping the query', async () => {
    const answer = await get('/preview?openid=a');
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/preview/?openid=a');
  });

  it('serves nothing but the build’s own files', async () => {
    expect((await get('/preview/../package.json')).status).not.toBe(200);
    expect((await get('/preview/secret.txt')).status).toBe(404);
  });

  it('builds again when a page changed and the page is reloaded, and the browser’s copy of the bundle is then refused', async () => {
    const before = (await get('/preview/preview.js')).headers.get('etag') ?? '';
    fixture.write('pages/home/index.ts', "Component({ data: { name: 'edited-home' }, methods: { onLoad() {} } });\n");
    await (await get('/preview/')).text();
    const after = await get('/preview/preview.js', { 'if-none-match': before });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
    expect(await after.text()).toContain('edited-home');
  });

  it('shows the build errors (and keeps serving) while a page does not compile, and recovers', async () => {
    fixture.write('pages/home/index.wxss', '.card {');
    const broken = await get('/preview/');
    expect(broken.status).toBe(500);
    const html = await broken.text();
    expect(html).toContain('小程序预览构建失败');
    expect(html).toContain('unclosed {');
    expect(logged.join('')).toContain('Preview build failed');
    expect((await get('/api/health')).status).toBe(200);

    fixture.write('pages/home/index.wxss', '.card { margin: 0; }');
    expect((await get('/preview/')).status).toBe(200);
  });

  it('given a folder of kept builds, a second module of the same pages serves the first one’s build', async () => {
    const buildCache = mkdtempSync(path.join(os.tmpdir(), 'preview-builds-'));
    try {
      const first = await createPreviewModule({ miniprogramRoot: fixture.root, buildCache });
      const second = await createPreviewModule({ miniprogramRoot: fixture.root, buildCache });
      const [kept, served] = [await first.refresh(), await second.refresh()];
      if (!kept.ok || !served.ok) throw new Error('the fixture builds');
      expect(served.outDir).toBe(kept.outDir);
      expect(path.dirname(served.outDir)).toBe(buildCache);
    } finally {
      rmSync(buildCache, { recursive: true, force: true });
    }
  });
});
