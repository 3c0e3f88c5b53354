/**
 * The package's index (src/index.ts): what a test file that only starts an emulator does not need is loaded
 * on first use, and then behaves as the module's own export.
 */
import path from 'node:path';

type Index = typeof import('../src/index');

const LAZY = {
  '../src/cli': 'the command lines',
  '../src/push/push-cli': 'the push command',
  '../src/rules-testing': 'rules testing',
  '../src/client/database': 'the client database',
} as const;

/** The index loaded in a registry of its own, with each lazy module recording when it is loaded. */
function freshIndex(): { index: Index; loaded: string[] } {
  const loaded: string[] = [];
  let index: Index | undefined;
  jest.isolateModules(() => {
    for (const [file, name] of Object.entries(LAZY)) {
      jest.doMock(file, () => {
        loaded.push(name);
        return jest.requireActual(file);
      });
    }
    index = jest.requireActual<Index>('../src/index');
  });
  if (!index) throw new Error('the index was not loaded');
  return { index, loaded };
}

afterEach(() => {
  for (const file of Object.keys(LAZY)) jest.dontMock(file);
});

describe("the emulator package's index", () => {
  it('given an import, loads neither the command lines, rules testing nor the client database; its defaults are there', () => {
    const { index, loaded } = freshIndex();
    expect(loaded).toEqual([]);
    expect(typeof index.createEmulator).toBe('function');
    expect(index.DEFAULT_PORT).toBe(9093);
    expect(index.DEFAULT_APPID).toBe('wx_local_app');
    expect(index.URL_VARIABLE).toBe('CLOUDBASE_EMULATOR_URL');
    expect(index.defaultDataDir('/project')).toBe(path.join('/project', '.cloudbase'));
    expect(index.PUSH_USAGE).toContain('npm run emulator -- push');
  });

  it('given a call, loads the module once and answers as its own export does', () => {
    const { index, loaded } = freshIndex();
    const parsed = index.parsePushArgs(['--verify'], '/project');
    expect(parsed).toEqual(
      jest.requireActual<typeof import('../src/push/push-cli')>('../src/push/push-cli').parsePushArgs(['--verify'], '/project'),
    );
    expect(loaded).toEqual(['the push command', 'the command lines']);
    index.parsePushArgs(['--verify'], '/project');
    expect(index.readRunningRecord(path.join('/nonexistent', 'data'))).toBeNull();
    expect(loaded).toEqual(['the push command', 'the command lines']);
  });
});
