/**
 * The local stand-in for WeChat's 消息推送配置 (URL, Token, EncodingAESKey) that `npm start` and
 * `npm run emulator` give the emulator: pushes go to the `wechat-push` function, encrypted with the
 * same Token and EncodingAESKey the function reads. Those come from WECHAT_PUSH_TOKEN,
 * WECHAT_PUSH_AES_KEY and WECHAT_APPID (the environment, else the git-ignored .env — the values the
 * tcb CLI fills into cloudbaserc.json's `{{env.…}}` templates at deploy); without them, fixed
 * development values that mean nothing outside this machine. The AppID defaults to the emulator's
 * (DEFAULT_APPID), so pushes name the same openid keys the preview's logins create.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_APPID, type EmulatorOptions } from '@wx-cloud-login/cloudbase-emulator';
import { PUSH_SECRET_VARIABLES } from '../../cloudfunctions/login/src/rules/push-signature';
import { parseDotenv } from './env-file';

export const PUSH_FUNCTION = 'wechat-push';
/** Development values: shape-valid, public, used only when nothing else is configured. */
export const DEV_PUSH_TOKEN = 'localPushToken';
export const DEV_PUSH_AES_KEY = 'LocalEmulatorPushKey00000000000000000000000';

/** EmulatorOptions for a project whose functions folder holds `wechat-push`; {} for one that does not. */
export function localPushOptions(
  functionsRoot: string,
  environment: Record<string, string | undefined> = process.env,
  projectRoot: string = path.dirname(path.resolve(functionsRoot)),
): Pick<EmulatorOptions, 'push' | 'templateVariables'> {
  if (!existsSync(path.join(functionsRoot, PUSH_FUNCTION))) return {};
  const dotenvFile = path.join(projectRoot, '.env');
  const dotenv = existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile, 'utf8')) : {};
  const value = (name: string, fallback: string) => environment[name] || dotenv[name] || fallback;
  const token = value(PUSH_SECRET_VARIABLES.token, DEV_PUSH_TOKEN);
  const encodingAESKey = value(PUSH_SECRET_VARIABLES.encodingAESKey, DEV_PUSH_AES_KEY);
  const appid = value(PUSH_SECRET_VARIABLES.appid, DEFAULT_APPID);
  return {
    push: { functionName: PUSH_FUNCTION, token, encodingAESKey, appid },
    templateVariables: {
      [PUSH_SECRET_VARIABLES.token]: token,
      [PUSH_SECRET_VARIABLES.encodingAESKey]: encodingAESKey,
      [PUSH_SECRET_VARIABLES.appid]: appid,
    },
  };
}
