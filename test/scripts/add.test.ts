import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../scripts/lib/add/plan';
import {
  add,
  copyFixture,
  JS_QUICKSTART,
  listFiles,
  readJson,
  removeFixtureCopies,
  snapshot,
  TS_TEMPLATE,
  unresolvedImports,
} from './support/fixture-projects';

afterAll(removeFixtureCopies);

const FOLDER = 'miniprogram/wx-cloud-login';
const MANIFEST = 'wx-cloud-login.install.json';

function pagesOf(root: string): string[] {
  return readJson(root, 'miniprogram/app.json').pages as string[];
}

function manifestOf(root: string): { files: Record<string, string>; pages: string[] } {
  return readJson(root, MANIFEST) as { files: Record<string, string>; pages: string[] };
}

function expectImportsResolve(root: string, extensions: string[]): void {
  const scripts = listFiles(root).filter((file) => file.startsWith(`${FOLDER}/`) && /\.(js|ts)$/.test(file));
  expect(scripts.length).toBeGreaterThan(10);
  const unresolved = scripts.flatMap((file) => unresolvedImports(root, file, extensions).map((specifier) => `${file}: ${specifier}`));
  expect(unresolved).toEqual([]);
}

/** Every component a page JSON names (absolute paths from the mini-program root) exists as a JSON file. */
function expectComponentsExist(root: string): void {
  const jsons = listFiles(root).filter((file) => file.startsWith(`${FOLDER}/`) && file.endsWith('index.json'));
  const missing = jsons.flatMap((file) => {
    const using = (readJson(root, file).usingComponents ?? {}) as Record<string, string>;
    return Object.values(using).filter((target) => !listFiles(root).includes(`miniprogram${target}.json`));
  });
  expect(missing).toEqual([]);
}

describe('npm run add', () => {
  describe('given the JavaScript cloud quickstart', () => {
    let root: string;
    let original: string[];
    let first: Awaited<ReturnType<typeof add>>;

    beforeAll(async () => {
      root = copyFixture(JS_QUICKSTART);
      original = pagesOf(root);
      first = await add(root);
    }, 120_000); // the first install of a process builds the function and the declarations

    it('installs the function, the client as ES2020 JavaScript with .d.ts, the login and agreement pages, and the guide', () => {
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const files = listFiles(root);
      for (const file of ['index.js', 'index.js.map', 'lazy/xml2js.js', 'lazy/wx-server-sdk-openapi.js', 'package.json'])
        expect(files).toContain(`cloudfunctions/login/${file}`);
      for (const file of [
        'composition-root.js',
        'composition-root.d.ts',
        'services/auth/create-auth-service.js',
        'typings/contract.d.ts',
        'INTEGRATION.md',
      ]) {
        expect(files).toContain(`${FOLDER}/${file}`);
      }
      for (const page of ['login', 'agreement'])
        for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(files).toContain(`${FOLDER}/pages/${page}/index.${ext}`);
      expect(files).toContain(`${FOLDER}/components/privacy-popup/index.js`);
      expect(files.filter((file) => file.startsWith(`${FOLDER}/`) && file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
      expect(files.some((file) => file.startsWith(`${FOLDER}/pages/profile/`))).toBe(false);
    });

    it('keeps every page of the project first and in order, and appends its own', () => {
      const pages = pagesOf(root);
      expect(pages.slice(0, original.length)).toEqual(original);
      expect(pages.slice(original.length)).toEqual(['wx-cloud-login/pages/login/index', 'wx-cloud-login/pages/agreement/index']);
      expect(readJson(root, 'miniprogram/app.json').__usePrivacyCheck__).toBe(true);
    });

    it('edits app.json by insertion only: every byte of the original is still there in order', () => {
      const before = readFileSync(path.join(__dirname, '../fixtures', JS_QUICKSTART, 'miniprogram/app.json'), 'utf8');
      const after = readFileSync(path.join(root, 'miniprogram/app.json'), 'utf8');
      let at = 0;
      for (const char of before) {
        at = after.indexOf(char, at);
        expect(at).toBeGreaterThanOrEqual(0);
        at += 1;
      }
    });

    it('leaves every relative require resolvable inside the project, and every component path existing', () => {
      expectImportsResolve(root, ['.js', '.d.ts', '.json']);
      expectComponentsExist(root);
    });

    it('points the kit routes into the folder and home at the project first page', () => {
      const routes = readFileSync(path.join(root, FOLDER, 'navigation/routes.js'), 'utf8');
      expect(routes).toContain('login: "/wx-cloud-login/pages/login/index"');
      expect(routes).toContain('home: "/pages/index/index"');
      expect(routes).toMatch(/TAB_ROUTES = \[\];/);
    });

    it('records every installed file with its hash in the manifest', () => {
      const manifest = manifestOf(root);
      const installed = listFiles(root).filter(
        (file) =>
          file.startsWith(`${FOLDER}/`) || file.startsWith('cloudfunctions/login/') || file.endsWith('/wx-cloud-login-auth/index.js'),
      );
      expect(Object.keys(manifest.files).sort()).toEqual(installed);
      for (const file of installed) expect(manifest.files[file]).toBe(sha256(readFileSync(path.join(root, file), 'utf8')));
    });

    it('a second run changes nothing', async () => {
      const before = snapshot(root);
      const again = await add(root);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('已是最新');
      expect(snapshot(root)).toEqual(before);
    });

    it('keeps a file the team edited, and --update still leaves it when the kit did not change it', async () => {
      const config = `${FOLDER}/config.js`;
      const edited = readFileSync(path.join(root, config), 'utf8').replace(/CLOUD_ENV_ID = (""|'')/, "CLOUD_ENV_ID = 'prod-1a2b'");
      expect(edited).toContain('prod-1a2b');
      writeFileSync(path.join(root, config), edited);
      const plain = await add(root);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain(`已改动  ${config}`);
      const update = await add(root, '--update');
      expect(update.code).toBe(0);
      expect(readFileSync(path.join(root, config), 'utf8')).toBe(edited);
    });

    it('reports an untouched file of an older version as outdated, and --update upgrades it', async () => {
      // An older kit wrote this text: the manifest records its hash, the kit now has other content.
      const file = `${FOLDER}/presenters/user-view.js`;
      const current = readFileSync(path.join(root, file), 'utf8');
      const older = `${current}\n// older version\n`;
      writeFileSync(path.join(root, file), older);
      const manifest = readJson(root, MANIFEST) as { files: Record<string, string> };
      manifest.files[file] = sha256(older);
      writeFileSync(path.join(root, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

      const before = snapshot(root);
      const plain = await add(root);
      expect(plain.stdout).toContain(`有新版  ${file}`);
      expect(snapshot(root)).toEqual(before);

      const update = await add(root, '--update');
      expect(update.code).toBe(0);
      expect(update.stdout).toContain(`升级  ${file}`);
      expect(readFileSync(path.join(root, file), 'utf8')).toBe(current);
      expect(manifestOf(root).files[file]).toBe(sha256(current));
    });

    it('--update refuses a file both the team and the new version changed, and writes nothing', async () => {
      const file = `${FOLDER}/presenters/error-message.js`;
      const manifest = readJson(root, MANIFEST) as { files: Record<string, string> };
      manifest.files[file] = sha256('what an older kit wrote');
      writeFileSync(path.join(root, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      writeFileSync(path.join(root, file), '// the team rewrote this\n');
      const before = snapshot(root);
      const update = await add(root, '--update');
      expect(update.code).toBe(1);
      expect(update.stdout).toContain(`✗ ${file}`);
      expect(snapshot(root)).toEqual(before);
    });

    it('adding more pages later installs them and what they open', async () => {
      const fresh = copyFixture(JS_QUICKSTART);
      expect((await add(fresh)).code).toBe(0);
      const more = await add(fresh, '--pages', 'profile');
      expect(more.code).toBe(0);
      expect(pagesOf(fresh).slice(original.length)).toEqual([
        'wx-cloud-login/pages/login/index',
        'wx-cloud-login/pages/agreement/index',
        'wx-cloud-login/pages/profile/index',
        'wx-cloud-login/pages/profile-edit/index',
        'wx-cloud-login/pages/account-security/index',
        'wx-cloud-login/pages/personal-data/index',
        'wx-cloud-login/pages/account-delete/index',
      ]);
      expect(manifestOf(fresh).pages).toEqual(['login', 'profile']);
      expectImportsResolve(fresh, ['.js', '.d.ts', '.json']);
      expectComponentsExist(fresh);
    });
  });

  describe('given the TypeScript template with a cloudbaserc.json and no function folder', () => {
    let root: string;
    let run: Awaited<ReturnType<typeof add>>;

    beforeAll(async () => {
      root = copyFixture(TS_TEMPLATE);
      run = await add(root);
    }, 120_000);

    it('installs TypeScript sources whose imports resolve inside the project', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const files = listFiles(root);
      expect(files).toContain(`${FOLDER}/composition-root.ts`);
      expect(files).toContain(`${FOLDER}/pages/login/index.ts`);
      expect(files.some((file) => file.startsWith(`${FOLDER}/`) && file.endsWith('.js'))).toBe(false);
      expectImportsResolve(root, ['.ts', '.d.ts', '.json']);
      expectComponentsExist(root);
    });

    it('uses the project tabBar for switchTab decisions', () => {
      const routes = readFileSync(path.join(root, FOLDER, 'navigation/routes.ts'), 'utf8');
      expect(routes).toContain("TAB_ROUTES: readonly string[] = ['/pages/index/index', '/pages/logs/logs'];");
    });

    it('declares the function folder, the function and the ADMINONLY collections', () => {
      expect(readJson(root, 'project.config.json').cloudfunctionRoot).toBe('cloudfunctions/');
      const rc = readJson(root, 'cloudbaserc.json') as {
        functions: Array<{ name: string; installDependency: boolean }>;
        framework: { plugins: { database: { inputs: { collections: Array<{ collectionName: string; aclTag: string }> } } } };
      };
      expect(rc.functions.map((entry) => [entry.name, entry.installDependency])).toEqual([['login', false]]);
      const collections = rc.framework.plugins.database.inputs.collections;
      expect(collections.map((collection) => [collection.collectionName, collection.aclTag])).toEqual([
        ['users', 'ADMINONLY'],
        ['identities', 'ADMINONLY'],
        ['link_tickets', 'ADMINONLY'],
        ['account_audit', 'ADMINONLY'],
        ['rate_limits', 'ADMINONLY'],
      ]);
    });

    it('a second run changes nothing', async () => {
      const before = snapshot(root);
      const again = await add(root);
      expect(again.code).toBe(0);
      expect(snapshot(root)).toEqual(before);
    });
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const root = copyFixture(TS_TEMPLATE);
    const before = snapshot(root);
    const run = await add(root, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`新建  ${FOLDER}/pages/login/index.ts`);
    expect(run.stdout).toContain('修改  miniprogram/app.json');
    expect(snapshot(root)).toEqual(before);
  });

  it('given a project with its own login function, reports the conflict and writes nothing', async () => {
    const root = copyFixture(JS_QUICKSTART);
    const own = path.join(root, 'cloudfunctions/login');
    mkdirSync(own);
    writeFileSync(path.join(own, 'index.js'), "exports.main = async () => 'our own login';\n");
    const before = snapshot(root);
    const run = await add(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ cloudfunctions/login/index.js：文件已存在，且不是 wx-cloud-login 安装的');
    expect(snapshot(root)).toEqual(before);
  });

  it('--remove takes out what it installed and its pages, keeps what the team changed, and leaves the rest as it was', async () => {
    const root = copyFixture(JS_QUICKSTART);
    const before = snapshot(root);
    expect((await add(root, '--pages', 'profile')).code).toBe(0);
    const config = `${FOLDER}/config.js`;
    writeFileSync(path.join(root, config), '// ours now\n');
    const dry = await add(root, '--remove', '--dry-run');
    expect(dry.stdout).toContain(`保留  ${config}`);
    expect(listFiles(root)).toContain(MANIFEST);

    const removed = await add(root, '--remove');
    expect(removed.code).toBe(0);
    const after = snapshot(root);
    expect(Object.keys(after).filter((file) => !(file in before))).toEqual([config]);
    expect(pagesOf(root)).toEqual(pagesOf(path.join(__dirname, '../fixtures', JS_QUICKSTART)));
    // Kept on purpose: the privacy switch the team may rely on by now (the notes say so).
    const changed = Object.keys(before).filter((file) => after[file] !== before[file]);
    expect(changed).toEqual(['miniprogram/app.json']);
    expect(readJson(root, 'miniprogram/app.json').__usePrivacyCheck__).toBe(true);
  });

  it('given a folder that is not a DevTools project, says so', async () => {
    const run = await add(path.join(__dirname, 'support'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('project.config.json');
  });

  it('given an unknown page, lists the pages there are', async () => {
    const run = await add(copyFixture(TS_TEMPLATE), '--pages', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('没有名为 nope 的页面');
    expect(run.stderr).toContain('account-security');
  });
});
