/**
 * Settings a developer changes when installing this mini-program. See README「小程序端」.
 */

/**
 * 云开发环境 ID（云开发控制台 → 设置 → 环境 ID），例如 'prod-3g5x7abc12345678'。
 * 留空 '' 表示使用 wx.cloud.DYNAMIC_CURRENT_ENV：开发者工具中为当前选中的环境，正式版为默认环境。
 */
export const CLOUD_ENV_ID = '';

/**
 * 绑定手机号用哪种微信手机号验证（两种都按成功次数收费，各有 1000 次体验额度，见 docs/accounts.md）：
 * - 'quick'：手机号快速验证（open-type="getPhoneNumber"），用户确认微信绑定的号码即可，¥0.03/次；
 * - 'realtime'：手机号实时验证（open-type="getRealtimePhoneNumber"），每次都通过短信实时验证号码，¥0.04/次。
 * 两者都只向非个人主体、已认证的小程序开放。
 */
export const PHONE_CHECK: 'quick' | 'realtime' = 'quick';

/**
 * Every launch revalidates the cached user once, after the first frame; a run kept open longer than
 * this (in the background for days) revalidates it again at the next page's onReady.
 */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** The client's limit for one wx.cloud.callFunction (cold starts included). */
export const CLOUD_CALL_TIMEOUT_MS = 20_000;

/**
 * 同一开放平台下其他小程序的名称（appid → 名称），账号与安全页「用于 …」一行用它称呼这些小程序；
 * 未列出的显示为「其他小程序」，当前小程序总是显示为「本小程序」。例如 { wx0123456789abcdef: '某某商城' }。
 */
export const APP_NAMES: Readonly<Record<string, string>> = {};

/**
 * 云函数部署时用的名字与契约中名字不同时填这里（契约名 → 部署名），例如项目已有自己的 login 云函数，
 * 登录云函数以 wxCloudLogin 部署：{ login: 'wxCloudLogin' }。安装工具的 --function-name 会写好这一行。
 */
export const FUNCTION_NAMES: Readonly<Record<string, string>> = {};

/**
 * 登录页显示的产品名与标志：默认是本工具包的「微信云登录」和一个「云」字方块。换成你的小程序：name 为名称，
 * logoText 为没有图片时方块里的字，logoUrl 为标志图片（小程序内的绝对路径如 '/images/logo.png'，或 https 地址）。
 * 安装工具的 --app-name、--logo 会写好这一行。
 */
export const BRAND: Readonly<{ name: string; logoText: string; logoUrl: string }> = { name: '微信云登录', logoText: '云', logoUrl: '' };
