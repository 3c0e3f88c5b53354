/**
 * The emulator's developer commands beyond start/invoke basics: unusable data folders refused at
 * once with a reason, `invoke` finding a running emulator of the project whatever its data folder,
 * `exec` (a fresh emulator around one command) and `--import` / `--export-on-exit` snapshots.
 */
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Output, parseExecArgs, runExec, runInvoke, runStart } from '../src/cli';
import { createRunningRegistry } from '../src/running-registry';
import { createEmulator } from '../src/server';
import { exportSnapshot, SNAPSHOT_MANIFEST } from '../src/snapshot';

const FIXTURES = path.join(__dirname, 'fixtures', 'functions');
const quiet = { onFunctionOutput: () => undefined };

const root = mkdtempSync(path.join(tmpdir(), 'emulator-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): Output & { out: string; err: string } {
  const sink = { out: '', err: '', stdout: (text: string) => void (sink.out += text), stderr: (text: string) => void (sink.err += text) };
  return sink;
}

const never = () => new Promise<string>(() => undefined);

describe('unusable data folders', () => {
  it.each([
    ['a file', () => writeAndReturn(path.join(root, 'a-file')), 'is a file, not a folder'],
    ['a folder below a file', () => `${writeAndReturn(path.join(root, 'b-file'))}/data`, 'A parent of the data folder'],
    ['/proc/x', () => '/proc/x', 'kernel pseudo file system'],
  ])('given %s, start exits 1 at once saying why and what to do', async (_case, folder, reason) => {
    const output = capture();
    const code = await runStart(['--data-dir', folder(), '--no-build', '--port', '0'], { output, stopSignal: never });
    expect(code).toBe(1);
    expect(output.err).toContain(reason);
    expect(output.err).toContain('--memory');
    expect(output.out).toBe('');
  });

  it('given a folder it may not write, or create inside, says so naming the permission, not ENOENT', () => {
    const readOnly = path.join(root, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    chmodSync(root, 0o755); // mkdtemp's 0700 would hide the folder itself from the other user
    // Root writes anywhere: the check runs as an unprivileged user then (one process for both folders).
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // The other user may not be able to read this checkout (a clone inside a 0700 folder): the
    // check runs from a copy built into the readable test folder, needing nothing of the repository.
    const checker = path.join(root, 'data-dir-check.js');
    buildSync({
      entryPoints: [path.join(__dirname, '..', 'src', 'data-dir.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: checker,
      logLevel: 'silent',
    });
    const script = `const { dataDirProblem } = require(${JSON.stringify(checker)});
      console.log(JSON.stringify(process.argv.slice(1).map(dataDirProblem)));`;
    const run = spawnSync(process.execPath, ['-e', script, readOnly, path.join(readOnly, 'data')], {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: 20_000,
      ...asUser,
    });
    const [write, create] = JSON.parse(run.stdout) as [string, string];
    expect(write).toContain(`No permission to write the data folder "${readOnly}" (EACCES)`);
    expect(create).toContain('No permission to create the data folder');
    expect(`${write}${create}`).not.toContain('ENOENT');
  });
});

function writeAndReturn(file: string): string {
  writeFileSync(file, 'not a folder');
  return file;
}

describe('invoke finds the running emulator of the project', () => {
  it('whatever its data folder, and forgets it once stopped', async () => {
    const registry = createRunningRegistry(path.join(root, 'registry-1'));
    let stop: (signal: string) => void = () => undefined;
    const started = capture();
    const running = runStart(['--data-dir', path.join(root, 'somewhere', 'else'), '--functions', FIXTURES, '--port', '0', '--no-build'], {
      output: started,
      registry,
      stopSignal: () => new Promise((resolve) => (stop = resolve)),
      emulatorOptions: quiet,
    });
    // Polled every 10 ms, not on every turn of the event loop: the start runs on this same thread.
    while (registry.list(FIXTURES).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [record] = registry.list(FIXTURES);

    const output = capture();
    expect(await runInvoke(['echo', '{"n":2}', '--openid', 'o-found', '--functions', FIXTURES], output, { registry })).toBe(0);
    expect(output.err).toContain(`Using the running emulator at ${record?.url}`);
    expect(JSON.parse(output.out).event).toMatchObject({ n: 2 });

    stop('SIGTERM');
    expect(await running).toBe(0);
    expect(registry.list(FIXTURES)).toEqual([]);
    const after = capture();
    expect(await runInvoke(['echo', '--openid', 'o', '--functions', FIXTURES], after, { registry })).toBe(0);
    expect(after.err).toContain('No running emulator for this project');
  });
});

describe('exec', () => {
  const registry = createRunningRegistry(path.join(root, 'registry-exec'));
  const hooks = (output: Output) => ({ output, registry, stdio: 'pipe' as const, emulatorOptions: quiet });
  const node = (script: string) => ['node', '-e', script];

  it('parses options before the command and the command as given', () => {
    expect(parseExecArgs(['--import', 'snap', 'npm', 'test', '--', '-t', 'x'], '/p')).toMatchObject({
      ok: true,
      args: { importDir: '/p/snap', dataDir: null, command: ['npm', 'test', '--', '-t', 'x'] },
    });
    expect(parseExecArgs(['--import', 'snap'])).toEqual({ ok: false, message: expect.stringContaining('missing the command') });
  });

  it('runs the command with the emulator’s URL and the SDK variables, stops it, and exits with the command’s code', async () => {
    const output = capture();
    const script = `fetch(process.env.CLOUDBASE_EMULATOR_URL + '/api/health').then((r) => r.json()).then((h) => {
      console.log(JSON.stringify({ ok: h.ok, env: process.env.TCB_ENV, admin: JSON.parse(process.env.TCB_CONTEXT_CNFG).URL }));
      process.exit(3);
    });`;
    const code = await runExec(['--functions', FIXTURES, '--no-build', '--env', 'exec-env', ...node(script)], hooks(output));
    expect(code).toBe(3);
    const seen = JSON.parse(output.out) as { ok: boolean; env: string; admin: string };
    expect(seen).toMatchObject({ ok: true, env: 'exec-env' });
    await expect(fetch(seen.admin.replace(/\/admin$/, '/api/health'))).rejects.toThrow();
    expect(registry.list(FIXTURES)).toEqual([]);
  });

  it('runs a single argument through the shell', async () => {
    expect(await runExec(['--functions', FIXTURES, '--no-build', 'exit 4'], hooks(capture()))).toBe(4);
  });

  it('--import loads a snapshot (database and storage) and --export-on-exit saves what the command left', async () => {
    const source = await createEmulator({ memory: true, functionsRoot: FIXTURES, ...quiet });
    await source.database.importCollection('notes', '{"_id":"n1","text":"from the snapshot"}\n');
    await source.database.importCollection('empty', '');
    await source.storage.write('docs/readme.txt', Buffer.from('stored bytes'));
    const snapshot = path.join(root, 'snapshot');
    await exportSnapshot(source, snapshot);
    await source.close();

    const exported = path.join(root, 'exported');
    const script = `const url = process.env.CLOUDBASE_EMULATOR_URL;
      (async () => {
        const notes = await (await fetch(url + '/api/collections/notes')).json();
        const files = await (await fetch(url + '/api/storage')).json();
        if (notes.documents.length !== 1 || files.files[0].cloudPath !== 'docs/readme.txt') process.exit(9);
        await fetch(url + '/admin', { method: 'POST', body: JSON.stringify({ action: 'database.insertDocument', collectionName: 'notes', data: [JSON.stringify({ _id: 'n2', text: 'added' })] }) });
      })();`;
    const output = capture();
    const code = await runExec(
      ['--import', snapshot, '--export-on-exit', exported, '--functions', FIXTURES, '--no-build', ...node(script)],
      hooks(output),
    );
    expect(output.err).toContain('Imported 2 collections, 1 documents, 1 files');
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(exported, SNAPSHOT_MANIFEST), 'utf8'));
    expect(manifest).toMatchObject({ version: 1, collections: ['notes', 'empty'], files: [{ cloudPath: 'docs/readme.txt', size: 12 }] });
    expect(
      readFileSync(path.join(exported, 'database', 'notes.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);
    expect(readFileSync(path.join(exported, 'storage', 'docs', 'readme.txt'), 'utf8')).toBe('stored bytes');
  });

  it('given --export-on-exit of a folder holding other files, exits 1 before running anything and leaves it alone', async () => {
    const project = path.join(root, 'a-project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), '{}');
    const output = capture();
    expect(await runExec(['--export-on-exit', project, '--functions', FIXTURES, '--no-build', 'exit 0'], hooks(output))).toBe(1);
    expect(output.err).toContain('is not a snapshot: it is not replaced');
    expect(readFileSync(path.join(project, 'package.json'), 'utf8')).toBe('{}');
  });

  it('given --import of a folder that is not a snapshot, exits 1 before running anything', async () => {
    const output = capture();
    expect(await runExec(['--import', root, '--functions', FIXTURES, '--no-build', 'exit 0'], hooks(output))).toBe(1);
    expect(output.err).toContain('is not an emulator snapshot');
  });
});
