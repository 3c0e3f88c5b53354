/**
 * `start` and `invoke`: argument parsing, the runners in-process, and the package's bin
 * spawned as a developer runs it (only JSON on stdout, Ctrl-C stops cleanly, data survives).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_APPID, defaultDataDir, DEFAULT_PORT, parseInvokeArgs, parseStartArgs, runInvoke, type Output } from '../src/cli';
import { createEmulator, defaultFunctionsRoot } from '../src/server';

const FIXTURES = path.join(__dirname, 'fixtures', 'functions');
/** The spawned runner is the package's own bin, run from a folder that is not this package's. */
const BIN = path.join(__dirname, '..', 'bin', 'cloudbase-emulator.js');

function capture(): Output & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    stdout: (text: string) => {
      sink.out += text;
    },
    stderr: (text: string) => {
      sink.err += text;
    },
  };
  return sink;
}

describe('parseStartArgs', () => {
  it('given nothing, builds and persists in .cloudbase on the default port', () => {
    expect(parseStartArgs([])).toEqual({
      ok: true,
      args: {
        port: null,
        dataDir: defaultDataDir(),
        functionsRoot: defaultFunctionsRoot(),
        env: 'local-dev',
        build: true,
        watch: true,
        importDir: null,
        exportOnExit: null,
      },
    });
  });

  it('given options, resolves folders against the working directory', () => {
    const parsed = parseStartArgs(
      [
        '--port',
        '9200',
        '--data-dir=tmp/db',
        '--functions',
        'fns',
        '--env',
        'dev-1',
        '--no-build',
        '--import',
        'snap',
        '--export-on-exit',
        'out',
      ],
      '/work',
    );

    expect(parsed).toEqual({
      ok: true,
      args: {
        port: 9200,
        dataDir: '/work/tmp/db',
        functionsRoot: '/work/fns',
        env: 'dev-1',
        build: false,
        watch: false,
        importDir: '/work/snap',
        exportOnExit: '/work/out',
      },
    });
    expect(parseStartArgs(['--memory'])).toMatchObject({ ok: true, args: { dataDir: null } });
    expect(parseStartArgs(['--no-watch'])).toMatchObject({ ok: true, args: { build: true, watch: false } });
  });

  it('accepts the old --data DIR with a hint naming --data-dir', () => {
    expect(parseStartArgs(['--data', 'old'], '/work')).toMatchObject({
      ok: true,
      args: { dataDir: '/work/old' },
      hints: [expect.stringContaining('--data is now --data-dir')],
    });
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--port']],
    [['--memory', '--data-dir', 'x']],
    [['--verbose']],
    [['extra']],
    [['--data-dir', 'db', '--export-on-exit', 'db/snap']],
  ])('given %j, refuses with a message', (argv) => {
    expect(parseStartArgs(argv)).toEqual({ ok: false, message: expect.any(String) });
  });
});

describe('parseInvokeArgs', () => {
  it('given a function and an openid, defaults the appid and the data', () => {
    expect(parseInvokeArgs(['login', '--openid', 'o1'])).toMatchObject({
      ok: true,
      args: { functionName: 'login', caller: { openid: 'o1', appid: DEFAULT_APPID }, data: {}, url: null, dataDir: null },
    });
  });

  it('takes the event as --event, as a positional JSON, or as the old --data with a hint', () => {
    expect(parseInvokeArgs(['login', '--openid', 'o1', '--event', '{"a":1}'])).toMatchObject({ ok: true, args: { data: { a: 1 } } });
    expect(parseInvokeArgs(['login', '{"a":2}', '--openid', 'o1'])).toMatchObject({ ok: true, args: { data: { a: 2 } } });
    const old = parseInvokeArgs(['login', '--openid', 'o1', '--data', '{"a":3}']);
    expect(old).toMatchObject({ ok: true, args: { data: { a: 3 } }, hints: [expect.stringContaining('--data is now --event')] });
    expect(parseInvokeArgs(['login', '--openid', 'o1', '--data', '.cloudbase'])).toEqual({
      ok: false,
      message: expect.stringContaining('for the data folder use --data-dir'),
    });
  });

  it('given every option, passes them on', () => {
    const parsed = parseInvokeArgs([
      'login',
      '--openid=o1',
      '--appid',
      'wx1',
      '--unionid',
      'u1',
      '--event',
      '{"action":"login"}',
      '--url',
      'http://127.0.0.1:9093/',
    ]);

    expect(parsed).toMatchObject({
      ok: true,
      args: { caller: { openid: 'o1', appid: 'wx1', unionid: 'u1' }, data: { action: 'login' }, url: 'http://127.0.0.1:9093' },
    });
  });

  it('given an empty openid, calls without identity', () => {
    const parsed = parseInvokeArgs(['login', '--openid', '']);

    expect(parsed.ok && parsed.args.caller).toEqual({ appid: DEFAULT_APPID });
  });

  it.each([
    [[]],
    [['login']],
    [['login', '--openid', 'o1', '--data', '{bad']],
    [['login', '--openid', 'o1', '--data', '[1]']],
    [['login', '--openid', 'o1', '--url', 'localhost']],
    [['login', 'other', '--openid', 'o1']],
    [['login', '{"a":1}', '--openid', 'o1', '--event', '{"a":2}']],
  ])('given %j, refuses with a message', (argv) => {
    expect(parseInvokeArgs(argv)).toEqual({ ok: false, message: expect.any(String) });
  });
});

describe('runInvoke in-process', () => {
  const noEmulatorHere = mkdtempSync(path.join(tmpdir(), 'invoke-none-'));

  afterAll(() => rmSync(noEmulatorHere, { recursive: true, force: true }));

  it('given bad arguments, prints the usage on stderr and exits 2', async () => {
    const output = capture();

    expect(await runInvoke(['login'], output)).toBe(2);
    expect(output.out).toBe('');
    expect(output.err).toContain('--openid');
  });

  it('given a function that throws, prints nothing on stdout and exits 1 with the reason', async () => {
    const output = capture();
    const code = await runInvoke(
      ['faulty', '--openid', 'o1', '--event', '{"mode":"throw"}', '--functions', FIXTURES, '--data-dir', noEmulatorHere],
      output,
    );

    expect(code).toBe(1);
    expect(output.out).toBe('');
    expect(output.err).toContain('Error: boom');
  });

  it('given a function that does not exist, says it may not be built', async () => {
    const output = capture();

    expect(await runInvoke(['nope', '--openid', 'o1', '--functions', FIXTURES, '--data-dir', noEmulatorHere], output)).toBe(1);
    expect(output.err).toContain('npm run build');
  });

  it('given --url of a running emulator, calls the function there', async () => {
    const emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
    try {
      const output = capture();
      const code = await runInvoke(['echo', '--openid', 'o-url', '--unionid', 'u-url', '--url', emulator.url], output);

      expect(code).toBe(0);
      expect(JSON.parse(output.out).wxContext).toMatchObject({ OPENID: 'o-url', UNIONID: 'u-url', APPID: DEFAULT_APPID });
    } finally {
      await emulator.close();
    }
  });
});

/** Runs `cloudbase-emulator <command>` as a project would (its bin, in a temporary working folder). */
function runBin(
  command: 'start' | 'invoke' | 'exec',
  args: string[],
  options: { uid?: number; gid?: number } = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, command, ...args], {
    cwd: tmpdir(),
    env: { ...process.env, FORCE_COLOR: '0' },
    ...options,
  });
}

function collect(child: ChildProcessWithoutNullStreams): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { stdout: () => stdout, stderr: () => stderr, exit };
}

describe('cloudbase-emulator invoke (spawned)', () => {
  it('given no running emulator, runs the function in memory and prints only its JSON on stdout', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'invoke-spawn-'));
    try {
      const child = collect(runBin('invoke', ['echo', '{"n":1}', '--openid', 'o-cli', '--functions', FIXTURES, '--data-dir', empty]));

      expect(await child.exit).toBe(0);
      const result = JSON.parse(child.stdout()) as { event: unknown; wxContext: Record<string, unknown> };
      expect(result.event).toEqual({ n: 1, userInfo: { appId: DEFAULT_APPID, openId: 'o-cli' } });
      expect(result.wxContext).toMatchObject({ OPENID: 'o-cli', APPID: DEFAULT_APPID });
      expect(child.stderr()).toContain('内存');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('cloudbase-emulator start (spawned)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'start-spawn-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ url: string; child: ChildProcessWithoutNullStreams; output: ReturnType<typeof collect> }> {
    const child = runBin('start', ['--data-dir', dataDir, '--functions', FIXTURES, '--port', '0']);
    const output = collect(child);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${output.stderr()}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output.stdout());
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      void output.exit.then(() => reject(new Error(`exited early; stderr: ${output.stderr()}`)));
    });
    return { url, child, output };
  }

  it('given a data folder, serves, records itself, stops on SIGINT with exit 0, and keeps the data for the next start', async () => {
    const first = await start();
    expect(first.output.stdout()).toContain('本地云开发模拟器已启动');
    expect(first.output.stdout()).toContain(dataDir);
    expect(existsSync(path.join(dataDir, 'emulator.json'))).toBe(true);

    const post = (url: string, body: unknown) => fetch(`${url}/admin`, { method: 'POST', body: JSON.stringify(body) });
    await post(first.url, { action: 'database.addCollection', collectionName: 'kept' });
    await post(first.url, {
      action: 'database.insertDocument',
      collectionName: 'kept',
      data: [JSON.stringify({ _id: 'k1', v: 'still here' })],
    });

    first.child.kill('SIGINT');
    expect(await first.output.exit).toBe(0);
    expect(existsSync(path.join(dataDir, 'emulator.json'))).toBe(false);

    const second = await start();
    try {
      const kept = (await (await fetch(`${second.url}/api/collections/kept`)).json()) as { documents: unknown[] };
      expect(kept.documents).toEqual([{ _id: 'k1', v: 'still here' }]);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.output.exit).toBe(0);
    }
  }, 60_000);

  it('uses 9093 unless told otherwise', () => {
    expect(DEFAULT_PORT).toBe(9093);
  });
});
