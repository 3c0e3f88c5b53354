/**
 * The stack mapper against real bundles made with the build's own esbuild options (minified,
 * linked map): the mapped trace names the TypeScript line, under plain Node and in the emulator.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { mapStack, withSourceMappedStack } from '../../../../cloudfunctions/login/src/log/source-mapped-stack';
import { createFunctionRuntime } from '@wx-cloud-login/cloudbase-emulator/src/functions/runtime';
import { esbuildOptions } from '../../../../scripts/build';

const FAIL_TS = [
  'export function fail(message: string): never {',
  '  const detail = message.toUpperCase();',
  '  throw new Error(detail);',
  '}',
  '',
].join('\n');
const INDEX_TS = [
  "import { fail } from './fail';",
  '',
  'export async function main(): Promise<never> {',
  "  return fail('boom');",
  '}',
  '',
].join('\n');

let root: string;
let functionsRoot: string;
let bundle: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'source-mapped-stack-'));
  functionsRoot = path.join(root, 'cloudfunctions');
  const functionDir = path.join(functionsRoot, 'thrower');
  mkdirSync(path.join(functionDir, 'src'), { recursive: true });
  writeFileSync(path.join(functionDir, 'package.json'), JSON.stringify({ name: 'thrower', main: 'index.js' }));
  writeFileSync(path.join(functionDir, 'src', 'fail.ts'), FAIL_TS);
  writeFileSync(path.join(functionDir, 'src', 'index.ts'), INDEX_TS);
  await build(esbuildOptions(functionDir));
  bundle = path.join(functionDir, 'index.js');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The stack of the bundle's error under plain Node (a child process: jest would transform the bundle). */
function stackUnderNode(file: string): string {
  const script = `require(${JSON.stringify(file)}).main().catch((error) => process.stdout.write(error.stack));`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return child.stdout;
}

describe('mapStack', () => {
  it('given a minified bundle with its linked map, the trace names the .ts lines', () => {
    const stack = stackUnderNode(bundle);
    expect(stack).toContain(`${bundle}:`);

    const mapped = mapStack(stack, bundle);

    const src = path.join(path.dirname(bundle), 'src');
    expect(mapped).toMatch(new RegExp(`\\(${escapeRegExp(path.join(src, 'fail.ts'))}:3:\\d+\\)`));
    expect(mapped).toMatch(new RegExp(`${escapeRegExp(path.join(src, 'index.ts'))}:4:\\d+`));
    expect(mapped).not.toContain(`${bundle}:`);
    expect(mapped.split('\n')[0]).toBe('Error: BOOM');
  });

  it('given the function run by the emulator (code cache on), the trace maps the same way', async () => {
    const runtime = createFunctionRuntime({ functionsRoot, baseEnv: () => ({}), onOutput: () => undefined });
    try {
      const outcome = await runtime.invoke('thrower', {}, { invocationId: 'i1', env: 'test', caller: { appid: 'wx1', openid: 'o1' } });
      expect(outcome.ok).toBe(false);
      const stack = outcome.ok ? '' : (outcome.error.stack ?? '');

      expect(mapStack(stack, bundle)).toMatch(new RegExp(`${escapeRegExp(path.join(path.dirname(bundle), 'src', 'fail.ts'))}:3:\\d+`));
    } finally {
      await runtime.close();
    }
  });

  it('given frames of other files, keeps them as they are', () => {
    const stack = [
      'Error: x',
      `    at fail (${bundle}:1:1)`,
      '    at run (node:internal/modules/cjs/loader:1:2)',
      '    at /elsewhere/index.js:1:5',
    ].join('\n');

    const mapped = mapStack(stack, bundle).split('\n');

    expect(mapped.slice(2)).toEqual(['    at run (node:internal/modules/cjs/loader:1:2)', '    at /elsewhere/index.js:1:5']);
  });

  it('given a position the map does not cover, keeps the frame', () => {
    const frame = `    at deep (${bundle}:9999:1)`;

    expect(mapStack(`Error: x\n${frame}`, bundle)).toBe(`Error: x\n${frame}`);
  });

  it('given no map, or a torn one, returns the stack unchanged', () => {
    const dir = path.join(root, 'broken');
    mkdirSync(dir, { recursive: true });
    const torn = path.join(dir, 'index.js');
    writeFileSync(`${torn}.map`, '{"version":3,"mappings":');
    const stack = `Error: x\n    at f (${torn}:1:10)`;

    expect(mapStack(stack, torn)).toBe(stack);
    expect(mapStack(stack, path.join(dir, 'missing.js'))).toBe(stack);
  });
});

describe('withSourceMappedStack', () => {
  it('given an Error from the bundle, returns a copy with the mapped stack and leaves the original alone', () => {
    const original = Object.assign(new Error('BOOM'), { errCode: -1 });
    original.stack = stackUnderNode(bundle);

    const logged = withSourceMappedStack(original, bundle) as Error & { errCode: number };

    expect(logged).toBeInstanceOf(Error);
    expect(logged.message).toBe('BOOM');
    expect(logged.errCode).toBe(-1);
    expect(logged.stack).toContain(path.join('src', 'fail.ts'));
    expect(original.stack).toContain(`${bundle}:`);
  });

  it('given something that is not an Error, returns it as is', () => {
    const detail = { code: 'X' };

    expect(withSourceMappedStack(detail, bundle)).toBe(detail);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
