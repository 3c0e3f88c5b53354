/**
 * The WeChat open APIs the account actions call, as small interfaces: cloud-services.ts implements
 * them with wx-server-sdk's `cloud.openapi`, tests with fakes.
 *
 * WeChat answers failures as an errcode; through wx-server-sdk a non-zero errcode is thrown as
 * `{ errCode, errMsg }`. Implementations turn that into `{ ok: false, errcode }` so the actions can
 * decide what each errcode means to the person; anything that is not a WeChat answer (network,
 * CloudBase) is still thrown.
 */

export type OpenApiResult<T> = { ok: true; value: T } | { ok: false; errcode: number; message: string };

/** A phone number as WeChat verified it. */
export interface VerifiedPhone {
  /** '86' for mainland China. */
  countryCode: string;
  /** The number without country code. */
  purePhoneNumber: string;
}

export interface PhoneNumberApi {
  /** phonenumber.getPhoneNumber: trades the code of `<button open-type="getPhoneNumber">` (single use, 5 min). */
  getPhoneNumber(code: string): Promise<OpenApiResult<VerifiedPhone>>;
}

/** msgSecCheck v2's verdict. WeChat advises: 'pass' publish, 'review' hold for a person, 'risky' refuse. */
export type ContentVerdict = 'pass' | 'review' | 'risky';

/** msgSecCheck v2 scenes: 1 资料 (profile), 2 评论, 3 论坛, 4 社交日志. */
export const SCENE_PROFILE = 1;

export interface ContentSecurityApi {
  /** security.msgSecCheck version 2, on behalf of `openid` (who must have used the mini-program within 2 hours). */
  checkText(input: { content: string; openid: string; scene: number }): Promise<OpenApiResult<ContentVerdict>>;
}
