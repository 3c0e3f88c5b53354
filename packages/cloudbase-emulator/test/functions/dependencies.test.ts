/**
 * Functions as WeChat DevTools creates them: index.js + package.json declaring wx-server-sdk, no
 * node_modules. The emulator installs the declared dependencies once per function into a cache
 * outside the function folder and reuses them while package.json is unchanged; a function's own
 * node_modules wins. The installer here links packages from this repository (offline and fast);
 * the last test runs the real npm installer, offline, for its failure message.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import {
  createFunctionDependencies,
  type DependencyInstallRequest,
  localDependencySpecs,
  npmInstaller,
} from '../../src/functions/dependencies';
import { createEmulator, type Emulator } from '../../src/server';

const fixture = path.join(__dirname, '..', 'fixtures', 'devtools-quickstart', 'quickstartFunctions');
const sdkDir = path.dirname(require.resolve('wx-server-sdk/package.json'));

let root: string;
let functionsRoot: string;
let cacheDir: string;
let emulator: Emulator;
const installs: DependencyInstallRequest[] = [];
const progress: string[] = [];

/** Stands in for npm: wx-server-sdk from this repository, `greeting` written on the spot. */
async function linkingInstaller(request: DependencyInstallRequest): Promise<void> {
  installs.push(request);
  if (request.functionName === 'offline') throw new Error('getaddrinfo ENOTFOUND registry.example');
  const modules = path.join(request.targetDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  if ('wx-server-sdk' in request.dependencies) symlinkSync(sdkDir, path.join(modules, 'wx-server-sdk'), 'junction');
  if ('greeting' in request.dependencies) writePackage(path.join(modules, 'greeting'), 'installed');
}

function writePackage(dir: string, answer: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), `module.exports = ${JSON.stringify(answer)};\n`);
}

function writeGreeter(name: string, withOwnModules: boolean): void {
  const dir = path.join(functionsRoot, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: { greeting: '1.0.0' } }));
  writeFileSync(path.join(dir, 'index.js'), "exports.main = async () => require('greeting');\n");
  if (withOwnModules) writePackage(path.join(dir, 'node_modules', 'greeting'), 'own');
}

beforeAll(async () => {
  // Outside this repository: its node_modules would otherwise resolve wx-server-sdk for the function.
  root = mkdtempSync(path.join(os.tmpdir(), 'emulator-deps-'));
  functionsRoot = path.join(root, 'project', 'cloudfunctions');
  cacheDir = path.join(root, 'cache');
  cpSync(fixture, path.join(functionsRoot, 'quickstartFunctions'), { recursive: true });
  writeGreeter('greeter-own', true);
  writeGreeter('greeter-bare', false);
  writeGreeter('offline', false);
  emulator = await createEmulator({
    memory: true,
    functionsRoot,
    // Generous: on a loaded machine drawing and uploading a QR code can outlast the default 3 s.
    functionTimeoutMs: 30_000,
    functionDependencies: { cacheDir, installer: linkingInstaller, progress: (line) => progress.push(line) },
  });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(root, { recursive: true, force: true });
});

const call = async (data: Record<string, unknown>) => {
  const invocation = await emulator.callFunction('quickstartFunctions', data, { openid: 'o_quickstart', appid: 'wx_quickstart' });
  if (invocation.error) throw new Error(invocation.error.message);
  return invocation.result as never;
};

describe('a DevTools quickstart function without node_modules', () => {
  it('installs its dependencies once, outside the function folder, even for simultaneous first calls', async () => {
    // Two first calls at once: the second arrives while the first one's install runs, and waits for it.
    // Each is a cold start loading the whole unbundled wx-server-sdk (~0.5 s of CPU); a third would only wait too.
    const answers = await Promise.all([call({ type: 'getOpenId' }), call({ type: 'getOpenId' })]);
    expect(answers).toEqual(Array(2).fill({ openid: 'o_quickstart', appid: 'wx_quickstart' }));
    expect(installs.filter((request) => request.functionName === 'quickstartFunctions')).toHaveLength(1);
    expect(installs[0]?.dependencies).toEqual({ 'wx-server-sdk': '~2.6.3' });
    expect(readdirSync(path.join(functionsRoot, 'quickstartFunctions')).sort()).toEqual(['genMpQrcode', 'index.js', 'package.json']);
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^quickstartFunctions-[0-9a-f]{16}$/)]);
    expect(progress.join('\n')).toMatch(/Installing the dependencies of quickstartFunctions \(wx-server-sdk@~2\.6\.3\)/);
  });

  it('answers every call the quickstart pages make', async () => {
    expect(await call({ type: 'createCollection' })).toEqual({ success: true });
    const selected: { data: { _id: string; city: string; sales: number }[] } = await call({ type: 'selectRecord' });
    expect(selected.data.map((row) => row.city)).toEqual(['上海', '南京', '广州', '深圳']);
    const [first, second] = selected.data;
    await call({ type: 'updateRecord', data: [{ _id: first?._id, sales: 30 }] });
    await call({ type: 'insertRecord', data: { region: '华北', city: '北京', sales: '5' } });
    await call({ type: 'deleteRecord', data: { _id: second?._id } });
    const sums: { list: { _id: string; sum: number }[] } = await call({ type: 'sumRecord' });
    expect(Object.fromEntries(sums.list.map((row) => [row._id, row.sum]))).toEqual({ 华东: 30, 华南: 44, 华北: 5 });
    expect(await call({ type: 'createCollection' })).toMatchObject({ success: true });
  });

  it.each([
    ['getMiniProgramCode', { type: 'getMiniProgramCode' }, 'code.png', 'pages/index/index'],
    ['genMpQrcode', { type: 'genMpQrcode', pagePath: 'pages/goods-list/index' }, 'pages_goods-list_index.png', 'pages/goods-list/index'],
  ])('%s stores a PNG whose QR code reads the page', async (_name, data, cloudPath, page) => {
    const fileID: string = await call(data);
    expect(fileID).toBe(emulator.storage.fileIdFor(cloudPath));
    const bytes = await emulator.storage.read(fileID);
    const image = PNG.sync.read(bytes ?? Buffer.alloc(0));
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(page);
  });

  it('reuses the installed dependencies in a new emulator while package.json is unchanged, and reinstalls when it changes', async () => {
    const before = installs.length;
    const dependencies = createFunctionDependencies({ cacheDir, installer: linkingInstaller, progress: () => undefined });
    const dir = path.join(functionsRoot, 'quickstartFunctions');
    const cached = await dependencies.resolve('quickstartFunctions', dir);
    expect(installs).toHaveLength(before);
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'quickstartFunctions', dependencies: { 'wx-server-sdk': '~3.0.1' } }),
    );
    const changed = await dependencies.resolve('quickstartFunctions', dir);
    expect(installs).toHaveLength(before + 1);
    expect(changed).not.toBe(cached);
  });
});

describe('resolving a function’s packages', () => {
  it('uses the function’s own node_modules when it has one, and installs nothing for it', async () => {
    const own = await emulator.callFunction('greeter-own', {});
    const bare = await emulator.callFunction('greeter-bare', {});
    expect([own.result, bare.result]).toEqual(['own', 'installed']);
    expect(installs.map((request) => request.functionName)).not.toContain('greeter-own');
  });

  it('given an install that fails, the call fails naming the function and the command to run; the next call tries again', async () => {
    const first = await emulator.callFunction('offline', {});
    expect(first.error?.kind).toBe('load');
    expect(first.error?.message).toContain('Installing the dependencies of offline failed: getaddrinfo ENOTFOUND');
    expect(first.error?.message).toContain(`cd ${JSON.stringify(path.join(functionsRoot, 'offline'))} && npm install`);
    await emulator.callFunction('offline', {});
    expect(installs.filter((request) => request.functionName === 'offline')).toHaveLength(2);
  });

  it('the npm installer, offline, fails with npm’s own reason', async () => {
    const dir = path.join(root, 'npm-offline');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ dependencies: { '@wx-cloud-login-test/absent-package': '1.0.0' } }));
    const saved = process.env['npm_config_offline'];
    process.env['npm_config_offline'] = 'true';
    try {
      const dependencies = createFunctionDependencies({ cacheDir, installer: npmInstaller, progress: () => undefined });
      await expect(dependencies.resolve('npmOffline', dir)).rejects.toThrow(
        /npmOffline failed: npm install exited with \d+: .*ENOTCACHED/s,
      );
    } finally {
      if (saved === undefined) delete process.env['npm_config_offline'];
      else process.env['npm_config_offline'] = saved;
    }
  });

  it('given a local file: dependency, it resolves relative to the function and npm links it (offline)', async () => {
    const project = path.join(root, 'local-deps');
    const functionDir = path.join(project, 'cloudfunctions', 'usesShared');
    writePackage(path.join(project, 'shared'), 'from the shared folder');
    mkdirSync(functionDir, { recursive: true });
    writeFileSync(
      path.join(functionDir, 'package.json'),
      JSON.stringify({ name: 'usesShared', dependencies: { greeting: 'file:../../shared' } }),
    );
    writeFileSync(path.join(functionDir, 'index.js'), "exports.main = async () => require('greeting');\n");
    const saved = process.env['npm_config_offline'];
    process.env['npm_config_offline'] = 'true';
    const local = await createEmulator({
      memory: true,
      functionsRoot: path.dirname(functionDir),
      functionDependencies: { cacheDir, installer: npmInstaller, progress: () => undefined },
    });
    try {
      const invocation = await local.callFunction('usesShared', {});
      expect(invocation.error).toBeUndefined();
      expect(invocation.result).toBe('from the shared folder');
      // Nothing was written into the project.
      expect(readdirSync(functionDir).sort()).toEqual(['index.js', 'package.json']);
    } finally {
      await local.close();
      if (saved === undefined) delete process.env['npm_config_offline'];
      else process.env['npm_config_offline'] = saved;
    }
  });

  it('makes local dependency paths absolute and leaves registry versions alone', () => {
    const manifest = JSON.stringify({
      dependencies: { a: 'file:../lib/a', b: '../b', c: 'link:./c', sdk: '~2.6.3', tar: 'https://example.com/x.tgz' },
    });
    const rewritten = JSON.parse(localDependencySpecs(manifest, '/p/cloudfunctions/fn') ?? '{}') as {
      dependencies: Record<string, string>;
    };
    expect(rewritten.dependencies).toEqual({
      a: `file:${path.resolve('/p/cloudfunctions/lib/a')}`,
      b: `file:${path.resolve('/p/cloudfunctions/b')}`,
      c: `link:${path.resolve('/p/cloudfunctions/fn/c')}`,
      sdk: '~2.6.3',
      tar: 'https://example.com/x.tgz',
    });
    expect(localDependencySpecs(JSON.stringify({ dependencies: { sdk: '~2.6.3' } }), '/p')).toBeNull();
  });
});
