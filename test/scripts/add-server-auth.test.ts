/**
 * `npm run add --auth-functions whoami` puts the current-user module (packages/server-auth, one
 * CommonJS file) into the project's own cloud functions it names; a function written the way INTEGRATION.md shows knows the
 * user the installed login function made, through the real wx-server-sdk on the emulator. The
 * copy lives under .build/ so its functions find this repository's wx-server-sdk.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { add, copyFixture, JS_QUICKSTART, readJson, removeFixtureCopies } from './support/fixture-projects';

const KIT_ROOT = path.resolve(__dirname, '../..');
const MODULE = 'wx-cloud-login-auth/index.js';
let root: string;
let emulator: Emulator | undefined;

/** A function of the team's own, written as INTEGRATION.md shows. */
const WHOAMI = `const cloud = require('wx-server-sdk');
const { protectedFunction, requiredString } = require('./wx-cloud-login-auth');

exports.main = protectedFunction(cloud, {
  name: 'whoami',
  setup: () => ({}),
  actions: {
    async whoami({ id, user, event }) {
      return { id, nickName: user.nickName, echoed: requiredString(event, 'word', 8) };
    },
  },
});
`;

beforeAll(async () => {
  root = copyFixture(JS_QUICKSTART, path.join(KIT_ROOT, '.build', 'e2e-projects'));
  mkdirSync(path.join(root, 'cloudfunctions', 'whoami'), { recursive: true });
  writeFileSync(path.join(root, 'cloudfunctions', 'whoami', 'index.js'), WHOAMI);
  writeFileSync(
    path.join(root, 'cloudfunctions', 'whoami', 'package.json'),
    '{ "name": "whoami", "dependencies": { "wx-server-sdk": "*" } }\n',
  );
  const installed = await add(root, '--auth-functions', 'whoami');
  if (installed.code !== 0) throw new Error(`npm run add failed:\n${installed.stdout}${installed.stderr}`);
}, 120_000); // the first install of a process builds the function and the declarations

afterAll(async () => {
  await emulator?.close();
  removeFixtureCopies();
});

describe('npm run add: the current user in the project’s own functions', () => {
  it('installs the module only into the functions named by --auth-functions, none into login, recorded in the manifest', () => {
    const manifest = readJson(root, 'wx-cloud-login.install.json') as { files: Record<string, string>; authFunctions: string[] };
    const modules = Object.keys(manifest.files).filter((file) => file.endsWith(MODULE));
    expect(modules).toEqual([`cloudfunctions/whoami/${MODULE}`]);
    expect(manifest.authFunctions).toEqual(['whoami']);
    const text = readFileSync(path.join(root, 'cloudfunctions', 'whoami', MODULE), 'utf8');
    expect(text).not.toContain("require('wx-server-sdk')"); // the function's own SDK is passed in
    expect(readFileSync(path.join(root, 'miniprogram', 'wx-cloud-login', 'INTEGRATION.md'), 'utf8')).toContain(
      "require('./wx-cloud-login-auth')",
    );
  });

  it('a function written as INTEGRATION.md shows resolves the user the installed login made, and refuses a stranger', async () => {
    emulator = await createEmulator({ memory: true, functionsRoot: path.join(root, 'cloudfunctions') });
    const caller = { openid: 'o-team-user', appid: 'wx-team-app' };
    const login = await emulator.callFunction('login', { action: 'login' }, caller);
    const userId = (login.result as { data: { user: { id: string } } }).data.user.id;

    const asked = await emulator.callFunction('whoami', { action: 'whoami', word: 'hi', userId: 'forged' }, caller);
    expect(asked.result).toEqual({ ok: true, data: { id: userId, nickName: '', echoed: 'hi' } });

    const stranger = await emulator.callFunction(
      'whoami',
      { action: 'whoami', word: 'hi' },
      { openid: 'o-never-logged-in', appid: 'wx-team-app' },
    );
    expect(stranger.result).toEqual({ ok: false, error: expect.objectContaining({ code: 'USER_NOT_FOUND' }) });
    const bad = await emulator.callFunction('whoami', { action: 'whoami', word: 'far too long' }, caller);
    expect(bad.result).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) });
  });
});
