import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as BuildPreview from '../../build/build-preview';
import { createFixtureMiniprogram, type FixtureMiniprogram } from '../support/fixture-miniprogram';

const VARIABLE = 'MINIPROGRAM_PREVIEW_RUNTIME_CACHE';
const saved = process.env[VARIABLE];
let folder: string;
let fixture: FixtureMiniprogram;

beforeAll(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'preview-runtime-'));
  process.env[VARIABLE] = folder;
  fixture = createFixtureMiniprogram();
});

afterAll(() => {
  fixture.remove();
  rmSync(folder, { recursive: true, force: true });
  if (saved === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = saved;
});

/** A build of the fixture by the module as another process loads it: nothing kept in memory from before. */
async function buildInNewProcess(): Promise<string> {
  let preview: typeof BuildPreview | undefined;
  jest.isolateModules(() => {
    preview = require('../../build/build-preview') as typeof BuildPreview;
  });
  const result = await preview?.buildPreview({ miniprogramRoot: fixture.root, outDir: fixture.outDir });
  if (!result?.ok) throw new Error(result?.errors.join('\n') ?? 'not built');
  return readFileSync(path.join(fixture.outDir, 'preview.js'), 'utf8');
}

describe("the preview runtime's build kept between processes", () => {
  it('keeps the runtime built by one process, serves it to the next while its files are unchanged, and builds again when one changed', async () => {
    const first = await buildInNewProcess();
    const [entry] = readdirSync(folder).filter((name) => name.endsWith('.json'));
    if (!entry) throw new Error('no runtime kept');
    expect(first).toContain('fixture-home');

    // What the next process takes is the kept build (marked here), joined with its own pages.
    const kept = JSON.parse(readFileSync(path.join(folder, entry), 'utf8')) as { js: { code: string }; contents: Record<string, string> };
    kept.js.code = `${kept.js.code}/* kept-runtime */\n`;
    writeFileSync(path.join(folder, entry), JSON.stringify(kept));
    const second = await buildInNewProcess();
    expect(second).toContain('/* kept-runtime */');
    expect(second).toContain('fixture-home');

    // A file of the runtime with other content than when it was kept: built again.
    const [file] = Object.keys(kept.contents);
    kept.contents[file ?? ''] = 'another content';
    writeFileSync(path.join(folder, entry), JSON.stringify(kept));
    const third = await buildInNewProcess();
    expect(third).not.toContain('/* kept-runtime */');
    expect(third).toBe(first);
  });
});
