/**
 * `npm run add` fitting a real project: the login function under another name when `login` is
 * taken, the current-user module only where the team asks for it, the product name, logo and
 * operator as configuration, and an INTEGRATION.md made from the same data as the install.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { add, copyFixture, JS_QUICKSTART, readJson, removeFixtureCopies, snapshot, TS_TEMPLATE } from './support/fixture-projects';

afterAll(removeFixtureCopies);

// The first install of a process builds the function and the client's declarations: once, before the cases.
beforeAll(() => add(copyFixture(JS_QUICKSTART)), 180_000);

const FOLDER = 'miniprogram/wx-cloud-login';
const MODULE = 'wx-cloud-login-auth/index.js';

function read(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

/** The JS quickstart with a `login` function of its own, as the old cloud quickstart ships one. */
function quickstartWithOwnLogin(): string {
  const root = copyFixture(JS_QUICKSTART);
  mkdirSync(path.join(root, 'cloudfunctions/login'));
  writeFileSync(path.join(root, 'cloudfunctions/login/index.js'), "exports.main = async () => 'our own login';\n");
  return root;
}

describe('npm run add --function-name', () => {
  it('given a project with its own login function, refuses and names the way forward', async () => {
    const root = quickstartWithOwnLogin();
    const before = snapshot(root);
    const run = await add(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('用 --function-name 换一个名字安装');
    expect(snapshot(root)).toEqual(before);
  });

  it('installs the login function under the new name, keeps the project’s own login, and points the client at it', async () => {
    const root = quickstartWithOwnLogin();
    const run = await add(root, '--function-name', 'wxCloudLogin');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(read(root, 'cloudfunctions/login/index.js')).toBe("exports.main = async () => 'our own login';\n");
    expect(existsSync(path.join(root, 'cloudfunctions/wxCloudLogin/index.js'))).toBe(true);
    expect(readJson(root, 'cloudfunctions/wxCloudLogin/package.json').name).toBe('wxCloudLogin');
    expect(read(root, `${FOLDER}/config.js`)).toContain('FUNCTION_NAMES = { login: "wxCloudLogin" }');
    expect(read(root, `${FOLDER}/INTEGRATION.md`)).toContain('tcb fn deploy wxCloudLogin');
    expect(readJson(root, 'wx-cloud-login.install.json').functionName).toBe('wxCloudLogin');

    const again = await add(root);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('已是最新');
    const renamed = await add(root, '--function-name', 'other');
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toContain('之前的登录云函数名是 wxCloudLogin');

    const removed = await add(root, '--remove');
    expect(removed.code).toBe(0);
    expect(existsSync(path.join(root, 'cloudfunctions/wxCloudLogin'))).toBe(false);
    expect(read(root, 'cloudfunctions/login/index.js')).toBe("exports.main = async () => 'our own login';\n");
  });

  it('declares the renamed function in cloudbaserc.json', async () => {
    const root = copyFixture(TS_TEMPLATE);
    expect((await add(root, '--function-name', 'wx_login')).code).toBe(0);
    const rc = readJson(root, 'cloudbaserc.json') as { functions: Array<{ name: string }> };
    expect(rc.functions.map((entry) => entry.name)).toEqual(['wx_login']);
    expect(read(root, `${FOLDER}/config.ts`)).toContain('FUNCTION_NAMES: Readonly<Record<string, string>> = { login: "wx_login" };');
  });

  it('refuses a name a cloud function cannot have', async () => {
    const run = await add(copyFixture(JS_QUICKSTART), '--function-name', '../escape');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('不是合法的云函数名');
  });
});

describe('npm run add --auth-functions', () => {
  /** The JS quickstart with two more functions of its own. */
  function quickstartWithFunctions(): string {
    const root = copyFixture(JS_QUICKSTART);
    for (const name of ['orders', 'favorites']) {
      mkdirSync(path.join(root, 'cloudfunctions', name));
      writeFileSync(path.join(root, 'cloudfunctions', name, 'index.js'), 'exports.main = async () => ({});\n');
    }
    return root;
  }

  function modules(root: string): string[] {
    return ['orders', 'favorites', 'quickstartFunctions'].filter((name) => existsSync(path.join(root, 'cloudfunctions', name, MODULE)));
  }

  it('without the option and without a terminal, puts the module into no function and says how to add it', async () => {
    const root = quickstartWithFunctions();
    const run = await add(root);
    expect(run.code).toBe(0);
    expect(modules(root)).toEqual([]);
    expect(run.stdout).toContain('当前用户模块没有装进任何云函数（可选：favorites、orders、quickstartFunctions）');
    expect(read(root, `${FOLDER}/INTEGRATION.md`)).toContain('--update --auth-functions');
  });

  it('puts it only into the named functions, and --update adds another later, keeping the first', async () => {
    const root = quickstartWithFunctions();
    expect((await add(root, '--auth-functions', 'orders')).code).toBe(0);
    expect(modules(root)).toEqual(['orders']);
    const update = await add(root, '--update', '--auth-functions', 'favorites');
    expect(update.code).toBe(0);
    expect(modules(root)).toEqual(['orders', 'favorites']);
    expect(readJson(root, 'wx-cloud-login.install.json').authFunctions).toEqual(['favorites', 'orders']);
    expect(read(root, `${FOLDER}/INTEGRATION.md`)).toContain('cloudfunctions/orders/wx-cloud-login-auth/index.js');
  });

  it('at a terminal, asks which functions, the product name, logo and operator, and installs what was answered', async () => {
    const root = quickstartWithFunctions();
    const questions: string[] = [];
    const answers = ['favorites', '', '/images/logo.png', ''];
    const { runAdd } = await import('../../scripts/add');
    let stdout = '';
    const code = await runAdd(
      [root],
      {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stdout += text),
        ask: async (question) => {
          questions.push(question);
          return answers.shift() ?? '';
        },
      },
      path.resolve(__dirname, '../..'),
    );
    expect(code).toBe(0);
    expect(questions[0]).toContain('可选：favorites, orders, quickstartFunctions');
    expect(questions.slice(1).map((question) => question.split('（')[0])).toEqual([
      '登录页显示的产品名',
      '登录页的标志图片，如 /images/logo.png',
      '用户协议中的运营者，即小程序的主体全称',
    ]);
    expect(modules(root)).toEqual(['favorites']);
    expect(read(root, `${FOLDER}/config.js`)).toContain('logoUrl: "/images/logo.png"');
    expect(stdout).toContain('待办：登录页显示的产品名还是本工具包的「微信云登录」');
  });

  it('refuses a name that is not a function of the project, writing nothing', async () => {
    const root = quickstartWithFunctions();
    const before = snapshot(root);
    const run = await add(root, '--auth-functions', 'orders,nope');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope 不是 cloudfunctions/ 下项目自己的云函数');
    expect(snapshot(root)).toEqual(before);
  });
});

describe('npm run add: the brand and INTEGRATION.md', () => {
  it('without --app-name, --logo, --operator, installs the defaults and lists them as steps to do', async () => {
    const root = copyFixture(JS_QUICKSTART);
    const run = await add(root);
    expect(run.code).toBe(0);
    const guide = read(root, `${FOLDER}/INTEGRATION.md`);
    expect(guide).toContain('## 还要你做的');
    expect(guide).toContain('BRAND.name');
    expect(guide).toContain('LEGAL_DETAILS');
    expect(run.stdout).toContain('待办：用户协议与隐私政策中的运营者还是「本小程序的运营者」');
  });

  it('writes the product name, logo and operator into the installed config and agreement, and keeps them on --update', async () => {
    const root = copyFixture(TS_TEMPLATE);
    const run = await add(root, '--app-name', '花店', '--logo', '/images/logo.png', '--operator', '某某花店有限公司');
    expect(run.code).toBe(0);
    expect(read(root, `${FOLDER}/config.ts`)).toContain('= { name: "花店", logoText: "花", logoUrl: "/images/logo.png" };');
    expect(read(root, `${FOLDER}/pages/agreement/documents.ts`)).toContain('operator: "某某花店有限公司",');
    expect(read(root, `${FOLDER}/INTEGRATION.md`)).not.toContain('还要你做的');
    const before = snapshot(root);
    const update = await add(root, '--update');
    expect(update.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it('lists the five collections with their permission and the privacy declarations of the installed pages', async () => {
    const root = copyFixture(JS_QUICKSTART);
    expect((await add(root)).code).toBe(0);
    const loginOnly = read(root, `${FOLDER}/INTEGRATION.md`);
    const rc = readJson(path.resolve(__dirname, '../..'), 'cloudbaserc.json') as {
      framework: { plugins: Record<string, { inputs: { collections: Array<{ collectionName: string }> } }> };
    };
    const declared = Object.values(rc.framework.plugins).flatMap((plugin) => plugin.inputs.collections.map((c) => c.collectionName));
    for (const name of ['users', 'identities', 'link_tickets', 'account_audit', 'rate_limits']) {
      expect(declared).toContain(name);
      expect(loginOnly).toContain(`- \`${name}\`：仅管理端可读写（ADMINONLY）`);
    }
    expect(loginOnly).toContain('建这 5 个集合');
    expect(loginOnly).toContain('- 手机号：');
    expect(loginOnly).not.toContain('- 剪切板：');

    expect((await add(root, '--pages', 'profile')).code).toBe(0);
    const withProfile = read(root, `${FOLDER}/INTEGRATION.md`);
    for (const info of ['头像', '昵称', '手机号', '剪切板']) expect(withProfile).toContain(`   - ${info}：`);
  });
});

describe('npm run add in a project with "navigationStyle": "custom"', () => {
  it('gives every installed page its own navigation bar with the page title, and installs the bar', async () => {
    const root = copyFixture(JS_QUICKSTART);
    const appJson = path.join(root, 'miniprogram/app.json');
    writeFileSync(appJson, read(root, 'miniprogram/app.json').replace('"window": {', '"window": {\n    "navigationStyle": "custom",'));
    const run = await add(root, '--pages', 'profile');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"navigationStyle": "custom"');

    const pages = (readJson(root, 'miniprogram/app.json').pages as string[]).filter((page) => page.startsWith('wx-cloud-login/'));
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) {
      const json = readJson(root, `miniprogram/${page}.json`) as {
        navigationBarTitleText?: string;
        usingComponents: Record<string, string>;
      };
      expect(json.usingComponents['nav-bar']).toBe('/wx-cloud-login/components/nav-bar/index');
      expect(read(root, `miniprogram/${page}.wxml`)).toContain(
        `<nav-bar id="wx-cloud-login-nav-bar" title="${json.navigationBarTitleText ?? ''}" />`,
      );
    }
    for (const ext of ['js', 'json', 'wxml', 'wxss'])
      expect(existsSync(path.join(root, `${FOLDER}/components/nav-bar/index.${ext}`))).toBe(true);
  });

  it('leaves the pages as they are in a project with WeChat’s own bar', async () => {
    const root = copyFixture(JS_QUICKSTART);
    expect((await add(root)).code).toBe(0);
    expect(read(root, `${FOLDER}/pages/login/index.wxml`)).not.toContain('nav-bar');
    expect(existsSync(path.join(root, `${FOLDER}/components/nav-bar`))).toBe(false);
  });
});
