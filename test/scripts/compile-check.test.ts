import path from 'node:path';
import {
  describeCompileError,
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
});
