import { privacy } from '../../composition-root';
import type { PrivacyDecision, PrivacyResolve } from '../../ports';

/**
 * The privacy authorization popup. Put <privacy-popup /> on every page that uses a privacy API
 * (chooseAvatar, <input type="nickname">, getPhoneNumber...): it stays hidden until WeChat holds
 * such a call, then asks. 同意 lets the held call go on; 拒绝 makes it fail with errno 104, which
 * the caller reports as PRIVACY_DENIED (see presenters/error-message.ts), and the user may agree next time.
 *
 * Events for the page: `agree` and `decline`.
 */

/** Must be the id of the open-type="agreePrivacyAuthorization" button: WeChat checks it was tapped. */
const AGREE_BUTTON_ID = 'privacy-popup-agree';

/**
 * Calls WeChat is holding (several privacy APIs may be waiting at once). Module-wide, like the
 * listener: WeChat keeps one listener for the whole app, whichever page registered it last.
 */
let held: PrivacyResolve[] = [];

function settle(decision: PrivacyDecision): void {
  const waiting = held;
  held = [];
  for (const resolve of waiting) resolve(decision);
}

Component({
  data: {
    visible: false,
    contractName: '《隐私保护指引》',
  },
  lifetimes: {
    attached() {
      this.listen();
    },
    detached() {
      // A page closing over an open popup must not leave WeChat's call hanging forever.
      if (this.data.visible) settle({ event: 'disagree' });
    },
  },
  pageLifetimes: {
    // Tab pages are shown again without being attached again: take the (single) listener back.
    show() {
      this.listen();
    },
  },
  methods: {
    listen() {
      privacy.onNeedAuthorization((resolve) => {
        held.push(resolve);
        this.setData({ visible: true });
        void privacy.contractName().then((name) => {
          if (name) this.setData({ contractName: name });
        });
      });
    },
    onAgree() {
      settle({ event: 'agree', buttonId: AGREE_BUTTON_ID });
      this.setData({ visible: false });
      this.triggerEvent('agree');
    },
    onDecline() {
      settle({ event: 'disagree' });
      this.setData({ visible: false });
      this.triggerEvent('decline');
    },
    onOpenContract() {
      privacy.openContract().catch((error: unknown) => console.warn('[privacy] openPrivacyContract failed', error));
    },
  },
});
