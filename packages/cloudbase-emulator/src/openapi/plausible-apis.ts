/**
 * Open APIs a login kit or the DevTools quickstart reaches besides the phone number, text check and
 * wxacode: answered with the shape WeChat answers with, after the parameter checks WeChat makes,
 * so code that calls them runs end to end locally. Nothing is sent anywhere: a subscribe message
 * goes to no phone, a URL scheme opens nothing.
 *
 * Every other API answers 48001 `api unauthorized` (what WeChat says to a mini-program that may not
 * call an API), its errmsg naming the API the emulator does not implement, instead of the
 * platform's -604100 "API not found", which production never answers for a real API.
 */
import { randomBytes } from 'node:crypto';
import { wechatRequestId, wxError, type WxErrorBody } from './wechat-errors';

type Params = Record<string, unknown>;
type Answer = Record<string, unknown> | WxErrorBody;

const ok = (fields: Record<string, unknown> = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...fields });
const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value !== '';
const token = (length: number): string => randomBytes(length).toString('base64url').slice(0, length);

export const PLAUSIBLE_APIS: Readonly<Record<string, (params: Params) => Answer>> = {
  /** Sends nothing; checks what WeChat checks first. */
  'subscribeMessage.send': (params) => {
    if (!nonEmpty(params['touser'])) return wxError(40003);
    if (!nonEmpty(params['template_id'])) return wxError(47003);
    if (typeof params['data'] !== 'object' || params['data'] === null) return wxError(47003);
    return ok({ msgid: Number.parseInt(randomBytes(6).toString('hex'), 16) });
  },
  'uniformMessage.send': (params) => (nonEmpty(params['touser']) ? ok() : wxError(40003)),
  'customerServiceMessage.send': (params) => (nonEmpty(params['touser']) ? ok() : wxError(40003)),
  /** Every image passes: there is no model here (msgSecCheck has configurable words). */
  'security.imgSecCheck': (params) => (params['media'] !== undefined ? ok() : wxError(47001)),
  'security.mediaCheckAsync': (params) => (nonEmpty(params['media_url']) ? ok({ trace_id: wechatRequestId() }) : wxError(47001)),
  'urlscheme.generate': () => ok({ openlink: `weixin://dl/business/?t=${token(11)}` }),
  'urllink.generate': () => ok({ url_link: `https://wxaurl.cn/${token(12)}` }),
  'shortlink.generate': (params) => (nonEmpty(params['page_url']) ? ok({ link: `#小程序://local/${token(12)}` }) : wxError(47003)),
  /** Risk rank 0: the lowest, what a genuine user gets (`unoin_id` is WeChat's own spelling). */
  'wxa.getUserRiskRank': (params) => (nonEmpty(params['openid']) ? ok({ risk_rank: 0, unoin_id: 0 }) : wxError(40003)),
};

export function notImplemented(apiName: string): WxErrorBody {
  const { errcode, errmsg } = wxError(48001);
  return { errcode, errmsg: `${errmsg} hint: [the local CloudBase emulator does not implement ${apiName}]` };
}
