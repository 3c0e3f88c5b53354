/**
 * INTEGRATION.md, written into the install folder: what was added and the few lines a team writes
 * itself, in the project's language and with the project's own paths. Every list in it (pages,
 * collections and their permission, privacy declarations, functions, steps left to do) comes from
 * the same data the install itself uses, so the guide cannot say something the install did not do.
 */
import path from 'node:path';
import type { PrivacyUse } from './client-files';
import type { InstallContext, KitCollection } from './installables';
import { AUTH_MODULE_FOLDER } from './manifest';

export interface GuideFacts {
  /** The installed pages (folder names), asked for and what they open. */
  pages: string[];
  collections: KitCollection[];
  privacy: PrivacyUse[];
  /** Configuration the team has not given yet (brandSteps). */
  todos: string[];
}

/** The console's words for a collection permission (aclTag). */
const ACL_WORDS: Readonly<Record<string, string>> = {
  ADMINONLY: '仅管理端可读写',
  ADMINWRITE: '所有用户可读，仅管理端可写',
  PRIVATE: '仅创建者可读写',
  READONLY: '所有用户可读，仅创建者可写',
  CUSTOM: '自定义安全规则',
};

export function integrationGuide(context: InstallContext, facts: GuideFacts): string {
  const { project, folder, functionName } = context;
  const js = project.language === 'javascript';
  const ext = js ? 'js' : 'ts';
  const home = `/${project.homePage}`;
  const pageDir = path.posix.dirname(project.homePage);
  const fromPage = path.posix.relative(pageDir, `${folder}/composition-root`);
  const appImport = js
    ? `const { startPlatform } = require('./${folder}/composition-root');`
    : `import { startPlatform } from './${folder}/composition-root';`;
  const pageImport = js ? `const { getAuthService } = require('${fromPage}');` : `import { getAuthService } from '${fromPage}';`;
  const functions = context.functionsFolder;
  const installFolder = `${project.miniprogramRoot ? `${project.miniprogramRoot}/` : ''}${folder}`;
  const collectionLines = facts.collections
    .map(
      (collection) =>
        `   - \`${collection.name}\`：${ACL_WORDS[collection.aclTag] ?? collection.aclTag}（${collection.aclTag}）${collection.indexes > 0 ? `，${collection.indexes} 个索引` : ''}`,
    )
    .join('\n');
  const privacyLines = facts.privacy.map((use) => `   - ${use.info}：${use.use}`).join('\n') || '   - 无';
  const renamed = functionName !== 'login';
  const authSection =
    context.authFunctions.length > 0
      ? `当前用户模块装在：${context.authFunctions.map((name) => `\`${functions}/${name}/${AUTH_MODULE_FOLDER}/index.js\``).join('、')}。`
      : `当前用户模块还没有装进任何云函数：运行 \`npm run add -- <项目路径> --update --auth-functions 函数1,函数2\` 装进你点名的云函数（只装你需要的，每份约 24 KB）。`;
  const todoSection = facts.todos.length > 0 ? `\n## 还要你做的\n\n${facts.todos.map((todo) => `- [ ] ${todo}`).join('\n')}\n` : '';
  return `# wx-cloud-login 接入说明

本目录由 wx-cloud-login 的 \`npm run add\` 安装（${js ? 'JavaScript（由 TypeScript 编译为 ES2020，附 .d.ts）' : 'TypeScript'}）。
安装清单与每个文件的哈希记在项目根目录的 \`wx-cloud-login.install.json\`：再次运行 \`npm run add -- <项目路径>\` 不会改动任何文件，
\`--update\` 只升级它安装且你没有改过的文件，\`--remove\` 只移除它安装且你没有改过的文件。
${todoSection}
## 安装了什么

- \`${functions}/${functionName}/\`：登录云函数${renamed ? `（以 \`${functionName}\` 安装，因为 \`login\` 已被项目占用；\`${folder}/config.${ext}\` 的 \`FUNCTION_NAMES\` 已指向它）` : ''}
  （\`index.js\` 已打包 wx-server-sdk，\`index.js.map\` 让错误日志指向源码行，\`lazy/\` 里是第一次用到时才加载的部分：大文件导出的上传依赖、openapi 的消息定义，须和 \`index.js\` 一起上传）。
- \`${installFolder}/\`：登录服务（\`services/\`）、唯一接触 \`wx\` 的平台层（\`platform/\`）、前后端契约（\`contract/\`、\`typings/contract.d.ts\`）、
  装配点 \`composition-root.${ext}\`、配置 \`config.${ext}\`、页面（\`pages/\`：${facts.pages.join('、')}）与隐私弹窗组件（\`components/privacy-popup\`）。
- \`app.json\`：在 \`pages\` 末尾登记了安装的页面；项目自己的页面与顺序没有改动。

## 三行接入

\`app.${ext}\`（启动时初始化云开发；若已自行调用 \`wx.cloud.init\`，可以不调用，并把 \`${folder}/config.${ext}\` 的 \`CLOUD_ENV_ID\` 设为同一环境）：

\`\`\`${ext}
${appImport}
App({ onLaunch() { startPlatform(); } });
\`\`\`

任意页面（例如 \`${project.homePage}.${ext}\`）：

\`\`\`${ext}
${pageImport}
const user = getAuthService().currentUser(); // 同步读缓存，不发请求；未登录为 null
wx.navigateTo({ url: '/${folder}/pages/login/index?redirect=' + encodeURIComponent('${home}') }); // 去登录，成功后返回
\`\`\`

需要登录的云调用用 \`getAuthService().callWithLogin(action, payload, guard)\`（登录云函数的动作）或 \`getAuthService().call(函数名, event, guard)\`
（你自己的云函数）：未登录时先登录。

## 在你自己的云函数中获取当前用户

${authSection}它与登录云函数用同一条用户解析规则：本小程序的 openid 优先，其次 UnionID，
关联过的账号跟到目标账号；封禁、注销、解绑都会被拒绝；身份只来自 \`getWXContext()\`，事件里的 openid、userId 一律不读。
例如在 \`${functions}/<你的函数>/index.js\`：

\`\`\`js
const cloud = require('wx-server-sdk');
const { protectedFunction, requiredString } = require('./${AUTH_MODULE_FOLDER}');

exports.main = protectedFunction(cloud, {
  name: 'favorites',
  setup: ({ db }) => ({ db }), // 每个实例第一次调用时执行一次
  actions: {
    // id 是账号的用户 id（不是 openid）：同一开放平台下的各个小程序看到同一份数据
    async add({ id, event, deps, now }) {
      const itemId = requiredString(event, 'itemId', 64); // 类型或长度不对 → INVALID_ARGUMENT
      await deps.db.collection('favorites').add({ data: { owner: id, itemId, createdAt: now } });
      return { added: true };
    },
  },
});
\`\`\`

回答与登录云函数相同：\`{ ok: true, data }\` 或 \`{ ok: false, error: { code, message } }\`（\`USER_NOT_FOUND\`、\`USER_BANNED\`、\`UNAUTHENTICATED\`…），
从不抛出。写（没有列进 \`reads\` 的动作）每次都重新读账号：封禁、解绑、注销一提交，所有实例立即拒绝写；列进 \`reads: ['list']\` 的只读动作在同一实例里 60 秒内复用解析结果。新建的云函数再运行一次 \`npm run add -- <项目> --update\` 即可装入。

## 部署

1. 云开发控制台建这 ${facts.collections.length} 个集合，权限如下（能写 \`identities\` 的人就能冒充任何人）：
${collectionLines}
   项目有 \`cloudbaserc.json\` 时，这些集合与索引已写入其中，\`tcb framework deploy\` 即可创建。
2. 开发者工具中右键 \`${functions}/${functionName}\` →「上传并部署：所有文件」（依赖已打包，无需云端安装），
   或 \`tcb fn deploy ${functionName} -e <环境 ID>\`。
3. 公众平台「用户隐私保护指引」声明安装的页面用到的个人信息：
${privacyLines}

本地试用：在 wx-cloud-login 仓库中运行 \`npm start -- --project <项目路径>\`，浏览器预览项目的全部页面，模拟器运行项目的全部云函数。
`;
}
