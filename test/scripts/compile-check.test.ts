import path from 'node:path';
import { describeCompileError, MINIPROGRAM_CI_VERSION, miniprogramCiDir, progressTicker } from '../../scripts/compile-check';

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
});
