import { dialogs, getAuthService, navigator } from '../composition-root';
import { openStep, ROUTES } from '../navigation/routes';
import { accountNoticeDialogs } from '../presenters/account-notice-view';
import type { ServiceErrorCode } from '../services/service-error';
import { ServiceError } from '../services/service-error';
import { errorMessage, failureCode } from '../presenters/error-message';
import { sessionNoticeText } from '../presenters/session-notice';
import { toUserView } from '../presenters/user-view';
import { setChanged } from './changed-data';

/**
 * Tells the account holder what login answers noticed and no page has shown yet (a link into the
 * account by its phone number, what WeChat's pushes removed): each kind once, one dialog after
 * another; a dialog's confirm button opens the page to act on it, unless that is `route` (the page
 * showing it, as `this.route` has it). The pages that refresh the cached user call it again after
 * the refresh, so a launch whose login brought notices tells them on its first page.
 */
export async function showAccountNotices(route: string | undefined): Promise<void> {
  const auth = getAuthService();
  for (const { opens, ...dialog } of accountNoticeDialogs(auth.takeAccountNotices(), auth.currentUser())) {
    const target = ROUTES[opens];
    if ((await dialogs.confirm(dialog)) && route !== target.slice(1)) void navigator.navigate(openStep(target));
  }
}

/**
 * Tells, in a dialog and once, that the session ended or changed account without the person asking
 * (the auth service's SessionNotice): never a silent switch, never a silent sign-out.
 */
export function tellSessionNotice(): void {
  const notice = getAuthService().takeSessionNotice();
  if (notice) void dialogs.confirm({ ...sessionNoticeText(notice), confirmText: '知道了', showCancel: false });
}

/**
 * After the page's first frame (its onReady): this launch's one revalidation of the cached session,
 * joined when another page already started it (no second call). A cached launch renders with 0
 * cloud calls; what changed elsewhere since (a nickname WeChat cleared, 注销 on another device)
 * shows here within the launch, once the caller re-renders the user in place.
 */
export function revalidateSession(): Promise<unknown> {
  return getAuthService().revalidate();
}

/**
 * The lifecycle the account pages share, written once as a Behavior instead of copied methods:
 * show the cached user on load and on every show, show a failure as its Chinese message, and
 * treat 拒绝 in <privacy-popup> as PRIVACY_DENIED. When the session ended or changed account
 * without the person asking (the auth service's SessionNotice), the next page shown says so in a
 * dialog, once: never a silent switch to another account. On show it also tells the account holder
 * once what a login answer noticed (presenters/account-notice-view.ts). After the first frame
 * (onReady) it waits for the launch's revalidation and shows its answer in place: the user as the
 * server has it now, or the logged-out state with the reason, and the notices it brought.
 *
 * A page overrides `showUser` when it renders more of the user than the view (its own method wins
 * over the behavior's), and `afterFailure` when a failure changes more than the message.
 */
export const userPage = Behavior({
  data: {
    user: toUserView(null),
    errorMessage: '',
    notice: '',
  },
  methods: {
    onLoad() {
      this.showUser();
    },
    onShow() {
      this.showUser();
      void this.showAccountNotices();
    },
    async onReady() {
      await revalidateSession();
      this.showUser();
      void this.showAccountNotices();
    },
    showAccountNotices() {
      return showAccountNotices(this.route);
    },
    showUser() {
      setChanged(this, { user: toUserView(getAuthService().currentUser()) });
      this.tellSessionNotice();
    },
    tellSessionNotice() {
      tellSessionNotice();
    },
    /**
     * A ban or a vanished account also ended the session (the service logged out): the page turns
     * logged out in showUser, and the message stays to say why (so the notice is not told twice).
     */
    showFailure(error: unknown) {
      const code = failureCode(error);
      if (code === 'USER_NOT_FOUND' || code === 'USER_BANNED') getAuthService().takeSessionNotice();
      this.setData({ errorMessage: errorMessage(error), notice: '' });
      this.afterFailure(code);
      this.showUser();
    },
    afterFailure(_code: ServiceErrorCode) {
      // Nothing by default.
    },
    /** The error floats over the top of the page (app.wxss .alert-layer): a tap puts it away. */
    onDismissError() {
      this.setData({ errorMessage: '' });
    },
    onPrivacyDecline() {
      this.showFailure(new ServiceError('PRIVACY_DENIED', 'declined in the privacy popup'));
    },
  },
});
