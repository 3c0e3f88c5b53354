/**
 * The e2e environment's stack formatter (library-stacks.js): Jest's formatter keeps every frame a
 * source map can move, and frames of playwright-core and Node are written as V8 writes them.
 */
import { readFileSync } from 'node:fs';

type Format = (error: unknown, frames: NodeJS.CallSite[]) => string;
// The environment's own CommonJS module, loaded by Jest outside TypeScript.
const { formatLibraryFramesDirectly, PLAYWRIGHT_BUNDLE } = require('./library-stacks') as {
  formatLibraryFramesDirectly(jestFormat: Format): Format;
  PLAYWRIGHT_BUNDLE: string;
};

function frame(file: string | undefined, text: string): NodeJS.CallSite {
  return { isNative: () => false, isEval: () => false, getFileName: () => file, toString: () => text } as unknown as NodeJS.CallSite;
}

/** Stands in for Jest's formatter: its header, and each frame it is given marked as mapped. */
function fakeJestFormat(calls: string[][]): Format {
  return (error, frames) => {
    calls.push(frames.map((each) => String(each.getFileName())));
    const { name, message } = error as Error;
    return `${name}: ${message}${frames.map((each) => `\n    at mapped ${each.getFileName()}`).join('')}`;
  };
}

describe('the e2e stack formatter', () => {
  it("given a stack of playwright-core's and Node's frames only, then Jest maps none of them and each reads as V8 writes it", () => {
    const calls: string[][] = [];
    const format = formatLibraryFramesDirectly(fakeJestFormat(calls));
    const stack = format(new Error('boom'), [
      frame(PLAYWRIGHT_BUNDLE, `_race (${PLAYWRIGHT_BUNDLE}:3849:24)`),
      frame('node:internal/process/task_queues', 'process.processTicksAndRejections (node:internal/process/task_queues:95:5)'),
    ]);
    expect(stack).toBe(
      `Error: boom\n    at _race (${PLAYWRIGHT_BUNDLE}:3849:24)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
    );
    expect(calls).toEqual([[]]);
  });

  it("given a test file's frame among them, then that frame is Jest's, in its place", () => {
    const calls: string[][] = [];
    const format = formatLibraryFramesDirectly(fakeJestFormat(calls));
    const stack = format(new TypeError('bad'), [
      frame(PLAYWRIGHT_BUNDLE, `captureRawStack (${PLAYWRIGHT_BUNDLE}:9550:17)`),
      frame('/repo/test/e2e/unlink.test.ts', 'Object.<anonymous> (/repo/test/e2e/unlink.test.ts:12:3)'),
      frame(undefined, 'new Promise (<anonymous>)'),
    ]);
    expect(stack).toBe(
      `TypeError: bad\n    at captureRawStack (${PLAYWRIGHT_BUNDLE}:9550:17)\n    at mapped /repo/test/e2e/unlink.test.ts\n    at new Promise (<anonymous>)`,
    );
    expect(calls).toEqual([[], ['/repo/test/e2e/unlink.test.ts']]);
  });

  it('an error made in a test file still names its line and column in the TypeScript source', () => {
    const made: { stack?: string } = new Error('here'); // the marked line
    const lines = readFileSync(__filename, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('// the marked line'));
    const column = (lines[line] ?? '').indexOf('new Error') + 1;
    expect(made.stack).toContain(`library-stacks.test.ts:${line + 1}:${column})`);
  });
});
