import { userPage } from '../../behaviors/user-page';
import { setChanged } from '../../behaviors/changed-data';
import type { PhoneButtonDetail } from '../../composition-root';
import { appNames, dialogs, getAccountService, getAuthService, navigator, openTypeEvents, phoneCheck } from '../../composition-root';
import { loginStep, openStep, ROUTES } from '../../navigation/routes';
import type { ServiceErrorCode } from '../../services/service-error';
import { DONE_MESSAGES, failureCode } from '../../presenters/error-message';
import type { IdentityListView, IdentityView } from '../../presenters/identity-view';
import { toIdentityListView, unlinkConfirmation } from '../../presenters/identity-view';
import { sessionNoticeText } from '../../presenters/session-notice';
import type { IdentitySummary } from '../../../typings/contract';
import type { LinkPreviewView } from '../../presenters/link-preview-view';
import { toLinkPreviewView } from '../../presenters/link-preview-view';
import { toUserView } from '../../presenters/user-view';

/**
 * 账号与安全: the phone number (bind, or link this WeChat to the account that already has it;
 * it is also what recovers the account from a new WeChat), the WeChat accounts that sign in to
 * this account — one row each, 解除关联 per row — and the ways to 下载我的信息 and to 注销账号.
 *
 * The phone number comes from <button open-type="getPhoneNumber"> (手机号快速验证) or
 * "getRealtimePhoneNumber" (手机号实时验证), as config.ts PHONE_CHECK chose: paid WeChat components
 * open to certified, non-individual mini-programs only (docs/accounts.md). When it is not available
 * the person reads PHONE_NOT_PERMITTED's message; when its quota is used up, PHONE_QUOTA_EXCEEDED's
 * (WeChat's own no-quota notice is turned off on the button, so they read one message, ours). A
 * number of another account opens the link preview built from the server's offer; nothing is
 * linked until 关联到该账号 is tapped.
 *
 * Feedback, as on every page: a success is a toast; a failure is the error line over the top of the
 * page, which pushes nothing down (app.wxss .alert-layer).
 */

type PhoneStatus = 'idle' | 'binding' | 'linking';
type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

const EMPTY_LIST: IdentityListView = { wechat: [], phone: null, others: [] };

/** The rows, the account's own WeChat pictured with the account's avatar. */
function listView(identities: IdentitySummary[]): IdentityListView {
  const { avatarUrl, avatarInitial } = toUserView(getAuthService().currentUser());
  return toIdentityListView(identities, appNames, { avatarUrl, avatarInitial });
}

Component({
  behaviors: [userPage],
  data: {
    hasPhone: false,
    maskedPhoneNumber: '',
    phoneStatus: 'idle' as PhoneStatus,
    /** The open-type of the phone button: the check config.ts chose. */
    phoneOpenType: phoneCheck.openType,
    /** False once WeChat or the function said this mini-program may not use phone numbers: hide the button. */
    phoneAvailable: true,
    linkPreview: null as LinkPreviewView | null,
    identities: EMPTY_LIST,
    identitiesStatus: 'idle' as ListStatus,
    /** The identity being unlinked: its button shows the loading state. */
    unlinkingId: '',
  },
  methods: {
    onShow() {
      this.showUser();
      // First show, and the return from pages/login after a logged-out visit.
      if (this.data.user.loggedIn && this.data.identitiesStatus === 'idle') void this.loadIdentities();
    },
    showUser() {
      const user = getAuthService().currentUser();
      // The session ended or changed without the person asking (another device unlinked this WeChat):
      // say so here, where the list of ways to sign in is.
      const notice = getAuthService().takeSessionNotice();
      // One setData of what changed: the page shows the user on load, on every show and after each answer.
      setChanged(this, {
        // Back from pages/login signed in: what the page said about being signed out is over.
        ...(user && !this.data.user.loggedIn && { errorMessage: '', notice: '' }),
        user: toUserView(user),
        hasPhone: user?.hasPhone ?? false,
        maskedPhoneNumber: user?.maskedPhoneNumber ?? '',
        ...(!user && { identities: EMPTY_LIST, identitiesStatus: 'idle', linkPreview: null }),
        ...(notice && { notice: sessionNoticeText(notice).content }),
      });
    },
    afterFailure(code: ServiceErrorCode) {
      // Uncertified or individual mini-programs never get a number: stop offering the button.
      if (code === 'PHONE_NOT_PERMITTED') this.setData({ phoneAvailable: false });
    },
    async loadIdentities() {
      this.setData({ identitiesStatus: 'loading' });
      try {
        const identities = await getAccountService().listIdentities();
        this.setData({ identities: listView(identities), identitiesStatus: 'ready' });
      } catch (error) {
        this.setData({ identitiesStatus: 'error' });
        this.showFailure(error);
      }
    },
    onRetryIdentities() {
      this.setData({ errorMessage: '' });
      void this.loadIdentities();
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.accountSecurity));
    },

    async onGetPhoneNumber(event: WechatMiniprogram.CustomEvent<PhoneButtonDetail>) {
      if (this.data.phoneStatus !== 'idle') return;
      const outcome = openTypeEvents.readPhoneButtonDetail(event.detail);
      if (!outcome.ok) {
        // Declined, quota, privacy: decided on the device; the cloud function is not called.
        this.showFailure(outcome.error);
        return;
      }
      this.setData({ phoneStatus: 'binding', errorMessage: '', notice: '', linkPreview: null });
      try {
        const result = await getAccountService().bindPhone(outcome.code, phoneCheck.kind);
        if (result.kind === 'link-offer') {
          this.setData({ linkPreview: toLinkPreviewView(result.offer) });
        } else {
          dialogs.done(DONE_MESSAGES.phoneBound);
          this.showUser();
          void this.loadIdentities();
        }
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ phoneStatus: 'idle' });
      }
    },
    async onConfirmLink() {
      const preview = this.data.linkPreview;
      if (!preview || this.data.phoneStatus !== 'idle') return;
      this.setData({ phoneStatus: 'linking', errorMessage: '', notice: '' });
      try {
        const user = await getAccountService().confirmLink(preview.ticket);
        this.setData({ linkPreview: null });
        dialogs.toast(`已关联到账号「${toUserView(user).displayName}」`);
        this.showUser();
        void this.loadIdentities();
      } catch (error) {
        // Every ticket failure means this offer is spent: close it; binding again makes a new one.
        this.setData({ linkPreview: null });
        this.showFailure(error);
        // USED: the service logged in again; show the account this WeChat belongs to now.
        if (failureCode(error) === 'LINK_TICKET_USED' && this.data.user.loggedIn) void this.loadIdentities();
      } finally {
        this.setData({ phoneStatus: 'idle' });
      }
    },
    onCancelLink() {
      if (this.data.phoneStatus === 'linking') return;
      this.setData({ linkPreview: null });
    },

    async onUnlinkTap(event: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      if (this.data.unlinkingId) return;
      const list = this.data.identities;
      const identity = [...list.wechat, ...(list.phone ? [list.phone] : []), ...list.others].find(
        (candidate: IdentityView) => candidate.id === event.currentTarget.dataset.id,
      );
      if (!identity) return;
      const question = unlinkConfirmation(identity, list);
      if (!(await dialogs.confirm({ ...question, destructive: true }))) return;
      this.setData({ unlinkingId: identity.id, errorMessage: '', notice: '' });
      try {
        const result = await getAccountService().unlinkIdentity(identity.id);
        if (result.signedOut) {
          // The service logged out with the reason 'unlinked': this page says it, not a dialog too.
          getAuthService().takeSessionNotice();
          this.setData({ notice: '已解除当前微信，并已退出登录。下次用这个微信登录会进入一个新的空账号。' });
        } else {
          this.setData({ identities: listView(result.identities) });
          dialogs.done(identity.kind === 'phone' ? DONE_MESSAGES.phoneUnlinked : DONE_MESSAGES.unlinked);
        }
        this.showUser();
      } catch (error) {
        this.showFailure(error);
        const code = failureCode(error);
        // The list was out of date (another device): show the account as it is now.
        if ((code === 'LAST_IDENTITY' || code === 'IDENTITY_NOT_FOUND') && this.data.user.loggedIn) void this.loadIdentities();
      } finally {
        this.setData({ unlinkingId: '' });
      }
    },
    onPersonalDataTap() {
      void navigator.navigate(openStep(ROUTES.personalData));
    },
    onDeleteAccountTap() {
      void navigator.navigate(openStep(ROUTES.accountDelete));
    },
  },
});
