import path from 'node:path';
import { resolveStartTarget } from '../../../scripts/lib/start-target';
import { FIXTURES, KIT_ROOT, TS_TEMPLATE } from '../support/fixture-projects';

describe('npm start target', () => {
  it('without --project, runs this repository as before', () => {
    const resolved = resolveStartTarget(['--port', '9100'], KIT_ROOT);
    expect(resolved).toEqual({
      ok: true,
      target: {
        argv: ['--port', '9100'],
        projectRoot: null,
        functionsRoot: path.join(KIT_ROOT, 'cloudfunctions'),
        miniprogramRoot: undefined,
        previewOutDir: undefined,
      },
    });
  });

  it("with --project, runs that project's functions and pages, keeping data and builds in this repository", () => {
    const root = path.join(FIXTURES, TS_TEMPLATE);
    const resolved = resolveStartTarget(['--project', root, '--no-watch'], KIT_ROOT);
    if (!resolved.ok) throw new Error(resolved.message);
    const { target } = resolved;
    expect(target.projectRoot).toBe(root);
    expect(target.miniprogramRoot).toBe(path.join(root, 'miniprogram'));
    expect(target.argv.slice(0, 3)).toEqual(['--no-watch', '--functions', path.join(root, 'cloudfunctions')]);
    expect(target.argv[3]).toBe('--data-dir');
    expect(target.argv[4]).toMatch(new RegExp(`^${KIT_ROOT}/\\.cloudbase/projects/ts-template-[0-9a-f]{8}$`));
    expect(target.previewOutDir?.startsWith(path.join(KIT_ROOT, '.build', 'preview-projects'))).toBe(true);
  });

  it('leaves the data folder to the person when given, or memory', () => {
    const resolved = resolveStartTarget([`--project=${path.join(FIXTURES, TS_TEMPLATE)}`, '--memory'], KIT_ROOT);
    expect(resolved.ok && resolved.target.argv.includes('--data')).toBe(false);
  });

  it('names what is wrong with a folder that is not a DevTools project', () => {
    expect(resolveStartTarget(['--project', __dirname], KIT_ROOT)).toEqual({
      ok: false,
      message: expect.stringContaining('project.config.json'),
    });
    expect(resolveStartTarget(['--project'], KIT_ROOT)).toEqual({ ok: false, message: expect.stringContaining('--project') });
  });
});
