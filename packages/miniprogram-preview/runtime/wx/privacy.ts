/**
 * WeChat's privacy authorization, as the base library runs it when app.json says
 * `__usePrivacyCheck__: true`: a privacy API (chooseAvatar, the nickname input, getPhoneNumber)
 * used before the user agreed is held, and the listener registered with
 * wx.onNeedPrivacyAuthorization (only the last one counts) gets a `resolve`. The mini-program
 * shows its own popup and calls resolve({ event: 'agree', buttonId }) or ({ event: 'disagree' });
 * without a listener WeChat shows its own popup (`askWithoutListener` here).
 *
 * Consent is remembered per user and mini-program, like WeChat does (and a preview user can reset
 * it from the bar by clearing local data).
 */
import { answer, WxApiError, type WxCallbacks } from './callbacks';

export type PrivacyDecision = { event: 'agree'; buttonId?: string } | { event: 'disagree' };
export type PrivacyListener = (resolve: (decision: PrivacyDecision) => void, eventInfo: { referrer: string }) => void;

export interface ConsentStore {
  get(): boolean;
  set(agreed: boolean): void;
}

export interface PrivacyOptions {
  /** app.json __usePrivacyCheck__. */
  enabled: boolean;
  store: ConsentStore;
  /** The guide's name as the MP console would show it, e.g. 《微信云登录小程序隐私保护指引》. */
  contractName: string;
  /** WeChat's own popup, when the mini-program registered no listener. */
  askWithoutListener(referrer: string): Promise<boolean>;
  /** wx.openPrivacyContract: shows the guide. */
  showContract(): Promise<void>;
}

export interface Privacy {
  /** Held privacy APIs call this; resolves true when they may go on. */
  request(referrer: string): Promise<boolean>;
  /** <button open-type="agreePrivacyAuthorization"> was tapped. */
  agreeByButton(buttonId: string): void;
  agreed(): boolean;
  apis: {
    onNeedPrivacyAuthorization(listener: PrivacyListener): void;
    getPrivacySetting(options?: WxCallbacks<{ needAuthorization: boolean; privacyContractName: string }>): Promise<unknown> | undefined;
    requirePrivacyAuthorize(options?: WxCallbacks<object>): Promise<unknown> | undefined;
    openPrivacyContract(options?: WxCallbacks<object>): Promise<unknown> | undefined;
  };
}

export function createPrivacy(options: PrivacyOptions): Privacy {
  let listener: PrivacyListener | null = null;
  const tappedAgreeButtons = new Set<string>();

  function request(referrer: string): Promise<boolean> {
    if (!options.enabled || options.store.get()) return Promise.resolve(true);
    if (!listener) {
      return options.askWithoutListener(referrer).then((agreed) => {
        if (agreed) options.store.set(true);
        return agreed;
      });
    }
    const current = listener;
    return new Promise<boolean>((resolve) => {
      let settled = false;
      current(
        (decision) => {
          if (settled) return;
          settled = true;
          // WeChat only accepts 'agree' after the named agree button was really tapped.
          const agreed =
            decision.event === 'agree' &&
            (decision.buttonId === undefined || tappedAgreeButtons.has(decision.buttonId) || options.store.get());
          if (agreed) options.store.set(true);
          resolve(agreed);
        },
        { referrer },
      );
    });
  }

  return {
    request,
    agreeByButton(buttonId) {
      tappedAgreeButtons.add(buttonId);
      options.store.set(true);
    },
    agreed: () => !options.enabled || options.store.get(),
    apis: {
      onNeedPrivacyAuthorization(next) {
        listener = next;
      },
      getPrivacySetting: (callbacks) =>
        answer('getPrivacySetting', callbacks, async () => ({
          needAuthorization: options.enabled && !options.store.get(),
          privacyContractName: options.contractName,
        })),
      requirePrivacyAuthorize: (callbacks) =>
        answer('requirePrivacyAuthorize', callbacks, async () => {
          if (!(await request('requirePrivacyAuthorize'))) throw new WxApiError('privacy permission is not authorized', { errno: 104 });
          return {};
        }),
      openPrivacyContract: (callbacks) =>
        answer('openPrivacyContract', callbacks, async () => {
          await options.showContract();
          return {};
        }),
    },
  };
}
