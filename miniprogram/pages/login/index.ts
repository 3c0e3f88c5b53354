import { brand, dialogs, getAuthService, navigator } from '../../composition-root';
import { documentStep, parseRedirect, returnStep } from '../../navigation/routes';
import type { DocumentType } from '../../navigation/routes';
import { DONE_MESSAGES, errorMessage } from '../../presenters/error-message';
import type { RecoveryDone } from '../../presenters/recovery-view';
import { toUserView, welcomeAfterLogin } from '../../presenters/user-view';

/**
 * 微信登录. Opened with navigateTo (query `redirect`: where to go when it was the first page),
 * returns to the sender after a login. The agreement must be ticked first: the box starts
 * unticked (WeChat review rejects a pre-ticked consent), and while unticked the button looks
 * disabled and a tap only points at the box. A failure shows its message above the button,
 * which then reads 重新登录 (one action, not a second retry button beside it).
 */

type LoginStatus = 'idle' | 'loading' | 'success' | 'error';

Component({
  data: {
    agreed: false,
    showAgreementHint: false,
    status: 'idle' as LoginStatus,
    errorMessage: '',
    user: toUserView(null),
    /** Shown in place of the app's name between the login and the return to the sender. */
    welcome: '',
    /** Where to go after login when there is no page to go back to. */
    redirect: parseRedirect(undefined),
    /** The product's name and logo (config.ts BRAND). */
    brand,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ redirect: parseRedirect(query.redirect) });
    },
    /** The error floats over the top of the page (app.wxss .alert-layer): a tap puts it away. */
    onDismissError() {
      this.setData({ status: 'idle', errorMessage: '' });
    },
    onToggleAgreement() {
      this.setData({ agreed: !this.data.agreed, showAgreementHint: false });
    },
    onOpenDocument(event: WechatMiniprogram.BaseEvent<Record<string, never>, { type: DocumentType }>) {
      void navigator.navigate(documentStep(event.currentTarget.dataset.type));
    },
    async onLogin() {
      if (this.data.status === 'loading') return;
      if (!this.data.agreed) {
        this.setData({ showAgreementHint: true });
        return;
      }
      this.setData({ status: 'loading', errorMessage: '' });
      try {
        const { user, isNewUser } = await getAuthService().login();
        const view = toUserView(user);
        this.setData({ status: 'success', user: view, welcome: welcomeAfterLogin(view, isNewUser) });
        // The toast outlives the page: WeChat keeps it up across the navigation back.
        dialogs.done(DONE_MESSAGES.login);
        void navigator.navigate(returnStep(navigator.stackDepth(), this.data.redirect));
      } catch (error) {
        this.setData({ status: 'error', errorMessage: errorMessage(error) });
      }
    },
    // 「换了微信？用手机号找回账号」 (components/phone-recovery): signs in too, so the same agreement and return.
    onRecoveryNeedsAgreement() {
      this.setData({ showAgreementHint: true });
    },
    onRecoveryDone(event: WechatMiniprogram.CustomEvent<RecoveryDone>) {
      this.setData({ status: 'success', errorMessage: '', user: toUserView(getAuthService().currentUser()) });
      // Signed in, into the old account or (the person chose it) a new one with the number: a success, a toast.
      dialogs.toast(event.detail.message);
      void navigator.navigate(returnStep(navigator.stackDepth(), this.data.redirect));
    },
  },
});
