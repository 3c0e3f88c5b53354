/**
 * Settings a developer changes when installing this mini-program. See README「小程序端」.
 */

/**
 * 云开发环境 ID（云开发控制台 → 设置 → 环境 ID），例如 'prod-3g5x7abc12345678'。
 * 留空 '' 表示使用 wx.cloud.DYNAMIC_CURRENT_ENV：开发者工具中为当前选中的环境，正式版为默认环境。
 */
export const CLOUD_ENV_ID = '';

/** How long a cached user is shown before it is refreshed in the background. */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** The client's limit for one wx.cloud.callFunction (cold starts included). */
export const CLOUD_CALL_TIMEOUT_MS = 20_000;
