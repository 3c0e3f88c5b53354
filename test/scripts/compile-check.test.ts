import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  asForkedChild,
  compileSetting,
  compileThreads,
  describeCompileError,
  inScratchWorkingDirectory,
  MINIPROGRAM_CI_VERSION,
  miniprogramCiDir,
  progressTicker,
  withoutTsxLoader,
} from '../../scripts/compile-check';

describe('compile check', () => {
  it('installs miniprogram-ci into a per-version cache folder outside the project', () => {
    expect(miniprogramCiDir({}, '/home/dev')).toBe(
      path.join('/home/dev', '.cache', 'wx-cloud-login', `miniprogram-ci-${MINIPROGRAM_CI_VERSION}`),
    );
    expect(miniprogramCiDir({ XDG_CACHE_HOME: '/cache' }, '/home/dev')).toBe(
      path.join('/cache', 'wx-cloud-login', `miniprogram-ci-${MINIPROGRAM_CI_VERSION}`),
    );
    expect(miniprogramCiDir({ MINIPROGRAM_CI_DIR: '/ci/mpci' }, '/home/dev')).toBe('/ci/mpci');
  });

  it("describes miniprogram-ci's errors with their code, the way DevTools numbers them", () => {
    const error = Object.assign(new Error('miniprogram/app.json: ["pages"][3] could not find the corresponding file'), { code: 10005 });
    expect(describeCompileError(error)).toBe('[10005] miniprogram/app.json: ["pages"][3] could not find the corresponding file');
  });

  it('says every 10 s that a long step (the first-use install, the compile) is still going, until stopped', () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const stop = progressTicker('仍在安装 / still installing', (line) => lines.push(line));
      jest.advanceTimersByTime(25_000);
      stop();
      jest.advanceTimersByTime(30_000);
      expect(lines).toEqual(['  …仍在安装 / still installing（10 s）', '  …仍在安装 / still installing（20 s）']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs the compile in a scratch working directory: a folder miniprogram-ci makes relative to it lands neither where the command started nor anywhere after', async () => {
    const started = mkdtempSync(path.join(os.tmpdir(), 'compile-check-cwd-'));
    const parent = mkdtempSync(path.join(os.tmpdir(), 'compile-check-scratch-'));
    const previous = process.cwd();
    process.chdir(started);
    try {
      let workedIn = '';
      const result = await inScratchWorkingDirectory(async () => {
        // What miniprogram-ci does: a cache folder named by an MD5, relative to the working directory.
        mkdirSync('7356649e7504975e6eea95360a637044');
        workedIn = process.cwd();
        return 'compiled';
      }, parent);
      expect(result).toBe('compiled');
      expect(process.cwd()).toBe(realpathSync(started));
      expect(readdirSync(started)).toEqual([]);
      expect(path.dirname(workedIn)).toBe(realpathSync(parent));
      expect(existsSync(workedIn)).toBe(false);
    } finally {
      process.chdir(previous);
      rmSync(started, { recursive: true, force: true });
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('given a compile that throws, then the working directory is restored and the scratch folder removed', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'compile-check-scratch-'));
    const previous = process.cwd();
    try {
      await expect(
        inScratchWorkingDirectory(async () => {
          throw new Error('[10005] app.json');
        }, parent),
      ).rejects.toThrow('[10005] app.json');
      expect(process.cwd()).toBe(previous);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("given tsx's loader in execArgv (npm run check:compile), the compiler's worker is forked without it and with every other option", () => {
    const tsx = '/kit/node_modules/tsx/dist';
    expect(
      withoutTsxLoader([
        '--require',
        `${tsx}/preflight.cjs`,
        '--import',
        `file://${tsx}/loader.mjs`,
        '--max-old-space-size=4096',
        '--require',
        '/kit/other-hook.js',
        `--import=file://${tsx}/loader.mjs`,
      ]),
    ).toEqual(['--max-old-space-size=4096', '--require', '/kit/other-hook.js']);
    expect(withoutTsxLoader([])).toEqual([]);
  });

  it("given the compiler run in this process, then it starts in the project's folder as the forked child did, each request from fresh state, and only the compile started last hears answers", async () => {
    const listeners: Array<(message: unknown) => void> = [];
    const handler = {
      initHandler: async () => undefined,
      onMessage: (listener: (message: unknown) => void) => listeners.push(listener),
      // Answers each request to every listener it was given, as miniprogram-ci's does.
      messageHandler: async (message: unknown) => {
        for (const listener of listeners) listener({ type: 'response', id: (message as { id: number }).id });
      },
      destroy: async () => undefined,
    };
    const state = {};
    const folders: string[] = [];
    let freshStarts = 0;
    const heard: Record<string, unknown[]> = { first: [], second: [] };
    for (const name of ['first', 'second'] as const) {
      const child = asForkedChild(
        handler,
        `/projects/${name}`,
        state,
        (folder) => folders.push(folder),
        () => freshStarts++,
      );
      await child.initHandler({ type: 'init' });
      child.onMessage((message) => heard[name]?.push(message));
      if (name === 'second') await child.messageHandler({ type: 'request', id: 1 });
    }
    expect(folders).toEqual(['/projects/first', '/projects/second']);
    expect(freshStarts).toBe(3);
    expect(heard).toEqual({ first: [], second: [{ type: 'response', id: 1 }] });
  });

  it("compiles on this process's own thread unless COMPILE_THREADS names a pool of worker threads", () => {
    expect(compileThreads({})).toBeUndefined();
    expect(compileThreads({ COMPILE_THREADS: '4' })).toBe(4);
    for (const COMPILE_THREADS of ['0', '-2', '1.5', 'all', '']) expect(compileThreads({ COMPILE_THREADS })).toBeUndefined();
  });

  it("compiles with the project's own settings under which DevTools parses JavaScript: babel (es6, enhance), else the upload's minifier", () => {
    expect(compileSetting({ es6: true, enhance: true, minified: true, postcss: true })).toEqual({ es6: true, es7: true, minifyJS: false });
    expect(compileSetting({ es6: false, enhance: true })).toEqual({ es6: false, es7: true, minifyJS: false });
    expect(compileSetting({ es6: false, enhance: false, minified: true })).toEqual({ es6: false, es7: false, minifyJS: true });
    // Nothing parses the JavaScript in DevTools either: the files are handed on as written.
    expect(compileSetting({ es6: false, minified: false })).toEqual({ es6: false, es7: false, minifyJS: false });
    expect(compileSetting(undefined)).toEqual({ es6: false, es7: false, minifyJS: false });
    expect(compileSetting({ es6: 'yes' })).toEqual({ es6: false, es7: false, minifyJS: false });
  });
});
