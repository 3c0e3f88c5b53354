/**
 * The packages as a team gets them: `npm pack` of every workspace package (each `prepack` builds its
 * dist/), installed with `npm ci --offline` into a scratch DevTools project outside this repository
 * (a copy of the JavaScript quickstart fixture), where the commands the packages' READMEs promise
 * must work on plain Node — no tsx, no sources of this repository.
 *
 * Slow (pack, install, a real emulator): `npm run test:packages`, run by CI (.ci/run), not `npm test`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeOfflineProject, type PackedPackage } from '../scripts/support/offline-install';

const REPO = path.resolve(__dirname, '..', '..');
const WORKSPACES = [
  '@wx-cloud-login/server-auth',
  '@wx-cloud-login/cloudbase-emulator',
  '@wx-cloud-login/miniprogram-preview',
  'wx-cloud-login',
];

/** The child's environment without the npm variables of the `npm run` that started this test. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name) && name !== 'INIT_CWD') env[name] = value;
  return { ...env, ...extra };
}

interface Run {
  code: number;
  output: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function runOk(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<string> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}:\n${result.output}`);
  return result.output;
}

let scratch: string;
let project: string;
let packed: PackedPackage[];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'wx-cloud-login-packed-'));
  const tarballs = path.join(scratch, 'tarballs');
  mkdirSync(tarballs);
  await runOk('npm', ['pack', ...WORKSPACES.flatMap((name) => ['-w', name]), '--pack-destination', tarballs], REPO, 600_000);
  packed = await Promise.all(
    readdirSync(tarballs).map(async (file) => {
      const tarball = path.join(tarballs, file);
      // The manifest as shipped, read out of the tarball.
      return { tarball, manifest: JSON.parse(await runOk('tar', ['-xOzf', tarball, 'package/package.json'], scratch)) };
    }),
  );
  project = path.join(scratch, 'my-miniprogram');
  cpSync(path.join(REPO, 'test', 'fixtures', 'js-cloud-quickstart'), project, { recursive: true });
  // jest for the project's own test; everything else comes in as the packages' dependencies.
  writeOfflineProject(REPO, project, packed, ['jest']);
  await runOk('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], project, 600_000);
}, 1_200_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('every package is packed with its built JavaScript and declarations, and none of them brings tsx', () => {
  expect(packed.map((item) => item.manifest.name).sort()).toEqual([...WORKSPACES].sort());
  for (const name of WORKSPACES.filter((workspace) => workspace !== 'wx-cloud-login')) {
    const installed = path.join(project, 'node_modules', name);
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      private?: boolean;
      exports: Record<string, { types: string; default: string }>;
    };
    expect(manifest.private).toBeUndefined();
    expect(existsSync(path.join(installed, manifest.exports['.']?.default ?? 'missing'))).toBe(true);
    expect(existsSync(path.join(installed, manifest.exports['.']?.types ?? 'missing'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
  }
  expect(existsSync(path.join(project, 'node_modules', 'tsx'))).toBe(false);
});

test('npx wx-cloud-login add . installs the login into the project', async () => {
  // A team's own script named after the tool: the installed bin runs its dist/, never this.
  mkdirSync(path.join(project, 'scripts'));
  writeFileSync(path.join(project, 'scripts', 'wx-cloud-login.ts'), "throw new Error('the team script ran');\n");
  const output = await runOk('npx', ['wx-cloud-login', 'add', '.'], project);

  expect(output).toContain('INTEGRATION.md');
  expect(existsSync(path.join(project, 'cloudfunctions', 'login', 'index.js'))).toBe(true);
  const appJson = JSON.parse(readFileSync(path.join(project, 'miniprogram', 'app.json'), 'utf8')) as { pages: string[] };
  expect(appJson.pages).toContain('wx-cloud-login/pages/login/index');
}, 300_000);

test('npx cloudbase-emulator exec "jest" runs a test that calls the login and a team function requiring server-auth', async () => {
  mkdirSync(path.join(project, 'cloudfunctions', 'team'), { recursive: true });
  writeFileSync(
    path.join(project, 'cloudfunctions', 'team', 'index.js'),
    `const cloud = require('wx-server-sdk');
const { protectedFunction } = require('@wx-cloud-login/server-auth');

exports.main = protectedFunction(cloud, {
  name: 'team',
  setup: () => ({}),
  actions: {
    async whoami({ id }) {
      return { id };
    },
  },
});
`,
  );
  mkdirSync(path.join(project, 'test'), { recursive: true });
  writeFileSync(
    path.join(project, 'test', 'team.test.js'),
    `const cloud = require('wx-server-sdk');

// A mini-program user's call: the emulator takes the caller from x-wx-* headers.
async function callAs(openid, name, data) {
  const response = await fetch(process.env.CLOUDBASE_EMULATOR_URL + '/callFunction/' + name, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid, 'x-wx-appid': 'wx_scratch_app' },
    body: JSON.stringify(data),
  });
  return (await response.json()).result;
}

test('the team function knows the user the login function created', async () => {
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
  const fromServer = await cloud.callFunction({ name: 'team', data: { action: 'whoami' } });
  expect(fromServer.result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

  const login = await callAs('o_scratch', 'login', {});
  expect(login).toMatchObject({ ok: true, data: { isNewUser: true } });
  expect(await callAs('o_scratch', 'team', { action: 'whoami' })).toEqual({ ok: true, data: { id: login.data.user.id } });
}, 120000); // cold starts of two function instances on a busy machine
`,
  );

  const result = await run('npx', ['cloudbase-emulator', 'exec', 'npx jest test'], project);

  expect(result.output).toContain('1 passed');
  expect(result.code).toBe(0);
}, 300_000);

test('npx cloudbase-emulator start serves the project until it is stopped, and npx wx-cloud-login admin reads it', async () => {
  const port = 9400 + Math.floor(Math.random() * 500);
  // The bin itself (not npx), so SIGINT reaches the emulator.
  const child: ChildProcess = spawn(
    path.join(project, 'node_modules', '.bin', 'cloudbase-emulator'),
    ['start', '--memory', '--port', String(port)],
    {
      cwd: project,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
        if (match && output.includes('login')) resolve(match[0]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', () => reject(new Error(`exited before it was ready:\n${output}`)));
    });
    const status = await fetch(url);
    expect(status.status).toBe(200);
    const call = await fetch(`${url}/callFunction/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': 'o_started', 'x-wx-appid': 'wx_scratch_app' },
      body: '{}',
    });
    const login = ((await call.json()) as { result: { ok: true; data: { isNewUser: boolean; user: { id: string } } } }).result;
    expect(login).toMatchObject({ ok: true, data: { isNewUser: true } });

    // The operator CLI of the installed package, against this running emulator.
    const listed = await runOk('npx', ['wx-cloud-login', 'admin', 'users', 'list', '--json', '--url', url], project);
    expect(listed).toContain(login.data.user.id);
  } finally {
    child.kill('SIGINT');
  }
  await expect(exited).resolves.toBe(0);
}, 120_000);

test('the browser preview builds the project’s pages from the installed package', async () => {
  writeFileSync(
    path.join(project, 'preview-check.js'),
    `const { createEmulator } = require('@wx-cloud-login/cloudbase-emulator');
const { createPreviewModule, PREVIEW_PATH } = require('@wx-cloud-login/miniprogram-preview');
(async () => {
  const emulator = await createEmulator({ memory: true, modules: [await createPreviewModule({ miniprogramRoot: 'miniprogram' })] });
  const page = await fetch(new URL(PREVIEW_PATH, emulator.url));
  const script = await fetch(new URL(PREVIEW_PATH + 'preview.js', emulator.url));
  console.log(JSON.stringify({ page: page.status, script: script.status, bytes: (await script.text()).length }));
  await emulator.close();
})();
`,
  );

  const output = await runOk('node', ['preview-check.js'], project);

  const answer = JSON.parse(output.trim().split('\n').pop() as string) as { page: number; script: number; bytes: number };
  expect(answer).toMatchObject({ page: 200, script: 200 });
  expect(answer.bytes).toBeGreaterThan(10_000);
}, 120_000);

test('the packages’ declarations type-check a team’s TypeScript (node16 resolution, strict)', async () => {
  const dir = path.join(project, 'typecheck');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'uses-packages.ts'),
    `import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule } from '@wx-cloud-login/miniprogram-preview';
import { AppError, protectedFunction, type PublicUser } from '@wx-cloud-login/server-auth';

export async function start(): Promise<Emulator> {
  return createEmulator({ memory: true, modules: [await createPreviewModule({})] });
}
export const user: Pick<PublicUser, 'id'> = { id: 'u1' };
export const failure = new AppError('INVALID_ARGUMENT', 'bad');
export const wrap: typeof protectedFunction = protectedFunction;
// @ts-expect-error a name the package does not export
export { notExported } from '@wx-cloud-login/server-auth';
`,
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        noEmit: true,
        types: ['node'],
        skipLibCheck: true,
      },
      files: ['uses-packages.ts'],
    }),
  );

  await runOk(path.join(project, 'node_modules', '.bin', 'tsc'), ['-p', dir], project);
}, 180_000);
