import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedBuildPreview } from '../../build/build-cache';
import type { PreviewBuildResult } from '../../build/build-preview';
import { createFixtureMiniprogram, FIXTURE_FILES, type FixtureMiniprogram } from '../support/fixture-miniprogram';

function built(result: PreviewBuildResult): Extract<PreviewBuildResult, { ok: true }> {
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result;
}
const bundleOf = (result: Extract<PreviewBuildResult, { ok: true }>) => readFileSync(path.join(result.outDir, 'preview.js'), 'utf8');

describe('cachedBuildPreview of unchanged pages', () => {
  // Nothing here changes the fixture: the first caller's build serves every test.
  let fixture: FixtureMiniprogram;
  let cacheDir: string;
  let first: Extract<PreviewBuildResult, { ok: true }>;
  const build = () => cachedBuildPreview({ miniprogramRoot: fixture.root, cacheDir });

  beforeAll(async () => {
    fixture = createFixtureMiniprogram();
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'preview-builds-'));
    first = built(await build());
  });

  afterAll(() => {
    fixture.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('given unchanged pages, a second caller is served the kept build, with its inputs to watch', async () => {
    const second = built(await build());
    expect(second.outDir).toBe(first.outDir);
    expect(second.files).toEqual(first.files);
    expect(second.inputs).toEqual(first.inputs);
    expect(bundleOf(second)).toContain('fixture-home');
  });

  it('checks the packages bundled in too, not only the pages and the runtime', () => {
    expect(first.bundled.some((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toBe(true);
    expect(first.inputs.some((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toBe(false);
  });
});

describe('cachedBuildPreview: builds kept by the content of their sources', () => {
  let fixture: FixtureMiniprogram;
  let cacheDir: string;

  beforeEach(() => {
    fixture = createFixtureMiniprogram();
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'preview-builds-'));
  });

  afterEach(() => {
    fixture.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const build = () => cachedBuildPreview({ miniprogramRoot: fixture.root, cacheDir });

  it('given a page whose content changed, builds it again into a new folder and leaves the kept one to whoever serves it', async () => {
    const first = built(await build());
    fixture.write('pages/home/index.ts', "Component({ data: { name: 'edited-home' }, methods: { onLoad() {} } });\n");
    const second = built(await build());
    expect(second.outDir).not.toBe(first.outDir);
    expect(bundleOf(second)).toContain('edited-home');
    expect(bundleOf(first)).toContain('fixture-home');
    // The new build is the one kept now.
    expect(built(await build()).outDir).toBe(second.outDir);
  });

  it('given a file it looked for and did not find, builds again once that file exists', async () => {
    fixture.remove();
    const { 'components/name-tag/index.wxss': _styles, ...withoutStyles } = FIXTURE_FILES;
    fixture = createFixtureMiniprogram(withoutStyles);
    const first = built(await build());
    expect(first.bundled).toContain(path.join(fixture.root, 'components/name-tag/index.less'));
    fixture.write('components/name-tag/index.less', '.tag { font-size: 30rpx; }\n');
    const second = built(await build());
    expect(second.outDir).not.toBe(first.outDir);
    expect(readFileSync(path.join(second.outDir, 'app.css'), 'utf8')).toContain('calc(30 * var(--pv-rpx))');
  });

  it('never keeps a build that failed: the next caller gets the errors again, then a build once fixed', async () => {
    fixture.write('pages/home/index.wxss', '.card {');
    const broken = await build();
    expect(broken).toMatchObject({ ok: false, errors: [expect.stringContaining('unclosed {')] });
    expect(await build()).toMatchObject({ ok: false });
    fixture.write('pages/home/index.wxss', '.card { margin: 0; }');
    const fixed = built(await build());
    expect(existsSync(path.join(fixed.outDir, 'app.css'))).toBe(true);
  });
});
