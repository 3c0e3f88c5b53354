/**
 * `security.msgSecCheck`: text content security check.
 *
 * Version 2 (`{ content, version: 2, scene, openid }`) answers a verdict instead of an error:
 * `result.suggest` is 'pass' | 'review' | 'risky' and `result.label` the category (100 = normal).
 * WeChat refuses a v2 call without a valid openid (40003 invalid openid) or with a scene outside
 * 1 资料 / 2 评论 / 3 论坛 / 4 社交日志 (40129 invalid scene).
 * Without `version` the call is the deprecated version 1: errcode 0, or 87014 `risky content`.
 *
 * There is no model here: a text is risky or to review when it contains one of the configured
 * words (case-insensitive). The defaults are words no real user would type.
 */
import { wechatRequestId, wxError, type WxErrorBody } from './wechat-errors';

export const DEFAULT_RISKY_WORDS: readonly string[] = ['emulator-risky', '测试违规词'];
export const DEFAULT_REVIEW_WORDS: readonly string[] = ['emulator-review', '测试待审词'];

/** WeChat's labels: 100 normal; 10001 ad, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 21000 other. */
export const LABEL_NORMAL = 100;
/** The label a configured word yields: 21000 其他 (the emulator cannot know the category). */
export const LABEL_KEYWORD = 21000;

export type Suggest = 'pass' | 'review' | 'risky';

export interface CheckWords {
  risky: readonly string[];
  review: readonly string[];
}

export interface MsgSecCheckV2Response {
  errcode: 0;
  errmsg: 'ok';
  result: { suggest: Suggest; label: number };
  detail: Array<Record<string, unknown>>;
  trace_id: string;
}

const SCENES = new Set([1, 2, 3, 4]);

/** The first configured word the content contains, risky words first. */
export function findWord(content: string, words: CheckWords): { word: string; suggest: Suggest } | null {
  const text = content.toLowerCase();
  const risky = words.risky.find((word) => word !== '' && text.includes(word.toLowerCase()));
  if (risky !== undefined) return { word: risky, suggest: 'risky' };
  const review = words.review.find((word) => word !== '' && text.includes(word.toLowerCase()));
  if (review !== undefined) return { word: review, suggest: 'review' };
  return null;
}

export function msgSecCheck(
  params: Record<string, unknown>,
  words: CheckWords,
): MsgSecCheckV2Response | WxErrorBody | { errcode: 0; errmsg: 'ok' } {
  const content = params['content'];
  const version = params['version'];
  if (typeof content !== 'string') return wxError(47001);

  if (version === undefined || version === 1 || version === '1') {
    return findWord(content, words)?.suggest === 'risky' ? wxError(87014) : { errcode: 0, errmsg: 'ok' };
  }
  if (version !== 2 && version !== '2') return wxError(47001);

  const openid = params['openid'];
  if (typeof openid !== 'string' || openid === '') return wxError(40003);
  if (!SCENES.has(Number(params['scene']))) return wxError(40129);

  const hit = findWord(content, words);
  const suggest: Suggest = hit?.suggest ?? 'pass';
  const label = hit ? LABEL_KEYWORD : LABEL_NORMAL;
  return {
    errcode: 0,
    errmsg: 'ok',
    result: { suggest, label },
    detail: [
      hit ? { strategy: 'keyword', errcode: 0, suggest, label, level: 20, keyword: hit.word } : { strategy: 'keyword', errcode: 0 },
      { strategy: 'content_model', errcode: 0, suggest, label, prob: 90 },
    ],
    trace_id: wechatRequestId(),
  };
}
