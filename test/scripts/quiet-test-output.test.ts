/**
 * `npm test` keeps the functions' log lines out of a passing run and shows them for a failing
 * test: the jest environment of test/support/, run by a separate jest on two plain-JS fixtures.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FUNCTION_OUTPUT_SINK, printFunctionOutput } from '@wx-cloud-login/cloudbase-emulator/src/functions/runtime';

const root = path.resolve(__dirname, '../..');

describe('function output in tests', () => {
  it('the emulator writes function output to the sink its host put on the global object', () => {
    const seen: string[] = [];
    const global = globalThis as Record<string, unknown>;
    const saved = global[FUNCTION_OUTPUT_SINK];
    global[FUNCTION_OUTPUT_SINK] = (text: string) => seen.push(text);
    try {
      printFunctionOutput('login', 'stdout', Buffer.from('one\ntwo\n'));
    } finally {
      global[FUNCTION_OUTPUT_SINK] = saved;
    }
    expect(seen).toEqual(['[login] one\n[login] two\n']);
  });

  it('is hidden for a passing test and printed under a failing one', () => {
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        JSON.stringify({
          testEnvironment: path.join(root, 'test', 'support', 'quiet-function-output.environment.js'),
          testMatch: ['**/*.test.js'],
        }),
        '--rootDir',
        path.join(__dirname, 'fixtures', 'quiet-output'),
        '--ci',
      ],
      { encoding: 'utf8', env: { ...process.env, CLOUDBASE_EMULATOR_OUTPUT: '' }, timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[login] shown-when-failing');
    expect(run.stderr).toContain('function output before "a failing test with function output" failed');
    expect(run.stderr).not.toContain('quiet-when-passing');
  });
});
