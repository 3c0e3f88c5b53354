import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStart } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule, PREVIEW_PATH } from '../../server/preview-module';
import { createFixtureMiniprogram } from '../support/fixture-miniprogram';

/** `npm start` as scripts/start.ts wires it: the preview is a module of the emulator, its URL printed. */
describe('npm start with the preview', () => {
  it('prints the preview URL under the emulator’s, and that URL opens the preview', async () => {
    const fixture = createFixtureMiniprogram();
    const functionsRoot = mkdtempSync(path.join(os.tmpdir(), 'preview-start-'));
    let stdout = '';
    let stop: (signal: string) => void = () => undefined;
    let printed: (text: string) => void = () => undefined;
    const banner = new Promise<string>((resolve) => {
      printed = resolve;
    });
    try {
      const running = runStart(['--memory', '--no-build', '--port', '0', '--functions', functionsRoot], {
        output: {
          stdout: (text) => {
            stdout += text;
            printed(stdout);
          },
          stderr: () => undefined,
        },
        stopSignal: () => new Promise((resolve) => (stop = resolve)),
        modules: async () => [await createPreviewModule({ miniprogramRoot: fixture.root, outDir: fixture.outDir })],
        banner: (url) => [`  小程序预览 Preview: ${url}${PREVIEW_PATH}`],
      });
      const text = await banner;
      const url = /小程序预览 Preview: (\S+)/.exec(text)?.[1];
      expect(text.indexOf('地址 URL:')).toBeLessThan(text.indexOf('小程序预览 Preview:'));
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/preview\/$/);
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('preview.js');
      stop('SIGTERM');
      await expect(running).resolves.toBe(0);
    } finally {
      fixture.remove();
      rmSync(functionsRoot, { recursive: true, force: true });
    }
  });
});
