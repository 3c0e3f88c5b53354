import type { ActionName, ErrorCode, IdentitySummary, LinkOffer } from '../../../typings/contract';
import type { CloudFunctionRequest, FakeWx } from './fake-wx';
import { aUser, loginAnswer } from './users';

/** Fixtures and a scripted login function for the account pages' tests. */

export function anIdentity(overrides: Partial<IdentitySummary> = {}): IdentitySummary {
  return {
    id: 'identity-wechat',
    provider: 'wechat',
    display: 'o-te****1234',
    appid: 'wx-test-app',
    current: true,
    canUnlink: false,
    linkedAt: Date.UTC(2024, 0, 15, 2, 0, 0),
    ...overrides,
  };
}

/** An identity of a provider other than 'wechat', which has no appid. */
function otherIdentity(overrides: Partial<IdentitySummary>): IdentitySummary {
  // The rest pattern drops appid; TypeScript does not count the named property as unused.
  const { appid, ...withoutAppid } = anIdentity(overrides);
  return withoutAppid;
}

/** The current WeChat (openid + unionid) and a phone number: what a user with a bound phone lists. */
export function wechatAndPhone(): IdentitySummary[] {
  return [
    anIdentity({ canUnlink: true }),
    otherIdentity({ id: 'identity-unionid', provider: 'wechat-unionid', display: 'u-te****5678', canUnlink: true }),
    otherIdentity({ id: 'identity-phone', provider: 'phone', display: '138****8000', current: false, canUnlink: true }),
  ];
}

export function aLinkOffer(overrides: Partial<LinkOffer> = {}): LinkOffer {
  return {
    preview: {
      target: { maskedPhoneNumber: '139****9000', nickName: '老账号', hasAvatar: true, createdAt: Date.UTC(2023, 5, 1, 2, 0, 0) },
      movingIdentities: ['wechat', 'wechat-unionid'],
      filledFields: [],
      keptFields: ['nickName', 'avatar'],
      releasedPhoneNumber: '',
    },
    ticket: 'lt1_test-ticket',
    expiresAt: Date.UTC(2024, 4, 1, 8, 10, 0),
    ...overrides,
  };
}

/** A failure whose body carries `details` (PHONE_BELONGS_TO_ANOTHER_ACCOUNT's offer). */
export function failureWithDetails(code: ErrorCode, details: unknown) {
  return { ok: false, error: { code, message: `${code} (test)`, details } };
}

export type ActionAnswers = Partial<Record<ActionName, (request: CloudFunctionRequest) => unknown>>;

/** The login function as a test scripts it, by action; `login` answers the default user unless given. */
export function answerActions(fake: FakeWx, answers: ActionAnswers): void {
  fake.answerCloud((request) => {
    const action = request.data.action as ActionName;
    const answer = answers[action];
    if (answer) return answer(request);
    if (action === 'login') return loginAnswer(aUser());
    throw new Error(`unexpected action ${String(action)}`);
  });
}

/** The actions the page called, in order. */
export function actionsCalled(fake: FakeWx): unknown[] {
  return fake.cloudCalls.map((call) => call.data.action);
}
