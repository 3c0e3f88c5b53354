import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A small mini-program on disk (a temporary folder) for build and server tests. */
export interface FixtureMiniprogram {
  root: string;
  outDir: string;
  write(relativePath: string, text: string): void;
  remove(): void;
}

export const FIXTURE_FILES: Record<string, string> = {
  'app.json': JSON.stringify({ pages: ['pages/home/index'], window: { navigationBarTitleText: '样例' } }),
  'app.ts': 'App({ onLaunch() {} });\n',
  'app.wxss': 'page { background: #f5f6f8; }\n.card { padding: 32rpx; }\n',
  'pages/home/index.json': JSON.stringify({ usingComponents: { 'name-tag': '/components/name-tag/index' } }),
  'pages/home/index.wxml': '<view class="card"><name-tag name="{{name}}" /></view>\n',
  'pages/home/index.wxss': '.card { margin: 8rpx; }\n',
  'pages/home/index.ts': "Component({ data: { name: 'fixture-home' }, methods: { onLoad() {} } });\n",
  'components/name-tag/index.json': JSON.stringify({ component: true }),
  'components/name-tag/index.wxml': '<text class="tag">{{name}}</text>\n',
  'components/name-tag/index.wxss': '.tag { font-size: 28rpx; }\n',
  'components/name-tag/index.ts': 'Component({ properties: { name: { type: String, value: "" } } });\n',
};

export function createFixtureMiniprogram(files: Record<string, string> = FIXTURE_FILES): FixtureMiniprogram {
  const base = mkdtempSync(path.join(os.tmpdir(), 'preview-fixture-'));
  const root = path.join(base, 'miniprogram');
  const write = (relativePath: string, text: string) => {
    const full = path.join(root, relativePath);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  };
  for (const [relativePath, text] of Object.entries(files)) write(relativePath, text);
  return { root, outDir: path.join(base, 'out'), write, remove: () => rmSync(base, { recursive: true, force: true }) };
}
