import type { ActionName, ErrorCode, IdentitySummary, LinkOffer } from '../../../typings/contract';
import type { CloudFunctionRequest, FakeWx } from './fake-wx';
import { aUser, loginAnswer } from './users';

/** Fixtures and a scripted login function for the account pages' tests. */

export function anIdentity(overrides: Partial<IdentitySummary> = {}): IdentitySummary {
  return {
    id: 'identity-wechat',
    kind: 'wechat',
    display: '',
    apps: [{ appid: 'wx-test-app', thisApp: true }],
    openPlatform: true,
    linked: false,
    linkedFromNickName: '',
    linkedFromAvatarUrl: '',
    current: true,
    canUnlink: false,
    linkedAt: Date.UTC(2024, 0, 15, 2, 0, 0),
    ...overrides,
  };
}

/** The phone row of listIdentities. */
export function aPhoneIdentity(overrides: Partial<IdentitySummary> = {}): IdentitySummary {
  return anIdentity({
    id: 'identity-phone',
    kind: 'phone',
    display: '138****8000',
    apps: [],
    openPlatform: false,
    current: false,
    ...overrides,
  });
}

/** The current WeChat account and a phone number: what a user with a bound phone lists. */
export function wechatAndPhone(): IdentitySummary[] {
  return [anIdentity({ canUnlink: true }), aPhoneIdentity({ canUnlink: true })];
}

/** After 小红 linked into 小明's account: her WeChat (current, linked), his, and his phone. */
export function twoWechatsAndPhone(): IdentitySummary[] {
  return [
    anIdentity({ id: 'identity-hong', canUnlink: true, linked: true, linkedFromNickName: '小红', linkedAt: Date.UTC(2024, 4, 2, 2, 0, 0) }),
    anIdentity({
      id: 'identity-ming',
      current: false,
      canUnlink: true,
      apps: [
        { appid: 'wx-test-app', thisApp: true },
        { appid: 'wx-shop-app', thisApp: false },
      ],
    }),
    aPhoneIdentity({ canUnlink: true }),
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
    // The path the function hands out (prepare-avatar-upload.ts), in the default user's folder.
    if (action === 'prepareAvatarUpload')
      return { ok: true, data: { cloudPath: `avatars/${aUser().id}/m1-token.${String(request.data.extension)}` } };
    throw new Error(`unexpected action ${String(action)}`);
  });
}

/** The actions the page called, in order. */
export function actionsCalled(fake: FakeWx): unknown[] {
  return fake.cloudCalls.map((call) => call.data.action);
}
