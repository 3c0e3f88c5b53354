import type { PhoneButtonDetail } from '../../composition-root';
import { dialogs, getAccountService, getAuthService, openTypeEvents, phoneCheck } from '../../composition-root';
import { errorMessage } from '../../presenters/error-message';
import type { LinkPreviewView } from '../../presenters/link-preview-view';
import { toLinkPreviewView } from '../../presenters/link-preview-view';
import { noAccountQuestion, type RecoveryDone } from '../../presenters/recovery-view';

/**
 * 「换了微信？用手机号找回账号」 on the login page: made findable for the person whose old WeChat no
 * longer signs in (unlinked, or a new WeChat). WeChat verifies the number (the check config.ts
 * chose), and findAccountByPhone says who holds it — asked WITHOUT signing in, so nothing exists
 * before the person decides:
 * - an account: the sheet shows which one and what linking does; 关联到该账号 signs this WeChat in
 *   (creating its account first when it has none) and links it into that account;
 * - this WeChat's own: signing in is all it takes;
 * - nobody: a question — register (or use this WeChat's account) with this number, or not. 取消
 *   leaves nothing behind: no account, no number bound, still signed out.
 * It is why the phone number counts as a way back in when the function decides what may be unlinked.
 *
 * Needs the agreement ticked like 微信登录 (it may sign in): unticked, a tap emits `needagreement`.
 * Emits `done` (RecoveryDone) once this WeChat is signed in, with the toast the page shows.
 */

type Status = 'idle' | 'working' | 'linking';

Component({
  properties: {
    agreed: { type: Boolean, value: false },
  },
  data: {
    status: 'idle' as Status,
    preview: null as LinkPreviewView | null,
    errorMessage: '',
    /** The open-type of the button: the check config.ts chose. */
    phoneOpenType: phoneCheck.openType,
  },
  methods: {
    onNeedAgreement() {
      this.triggerEvent('needagreement');
    },
    async onGetPhoneNumber(event: WechatMiniprogram.CustomEvent<PhoneButtonDetail>) {
      if (this.data.status !== 'idle') return;
      const outcome = openTypeEvents.readPhoneButtonDetail(event.detail);
      if (!outcome.ok) {
        this.setData({ errorMessage: errorMessage(outcome.error) });
        return;
      }
      this.setData({ status: 'working', errorMessage: '' });
      try {
        const found = await getAccountService().findAccountByPhone(outcome.code, phoneCheck.kind);
        if (found.found === 'account') {
          this.setData({ preview: toLinkPreviewView(found.offer) });
        } else if (found.found === 'yours') {
          await getAuthService().login();
          this.finish({ recovered: true, message: '已登录你的账号' });
        } else {
          const question = noAccountQuestion(found.maskedPhoneNumber, found.hasAccount);
          if (await dialogs.confirm(question)) {
            await getAccountService().confirmLink(found.ticket);
            this.finish({ recovered: false, message: question.doneMessage });
          }
        }
      } catch (error) {
        this.setData({ errorMessage: errorMessage(error) });
      } finally {
        this.setData({ status: 'idle' });
      }
    },
    async onConfirm() {
      const preview = this.data.preview;
      if (!preview || this.data.status !== 'idle') return;
      this.setData({ status: 'linking', errorMessage: '' });
      try {
        const user = await getAccountService().confirmLink(preview.ticket);
        this.setData({ preview: null });
        this.finish({ recovered: true, message: `已找回账号「${user.nickName || preview.targetName}」` });
      } catch (error) {
        // A spent offer cannot be confirmed again: close it; another tap asks WeChat for the number again.
        this.setData({ preview: null, errorMessage: errorMessage(error) });
      } finally {
        this.setData({ status: 'idle' });
      }
    },
    onCancel() {
      // Nothing was created or linked: the person stays on the login page, signed out as before.
      if (this.data.status === 'linking') return;
      this.setData({ preview: null });
    },
    finish(done: RecoveryDone) {
      // What the person reads here replaces the service's notice of the login it took (a new account).
      getAuthService().takeSessionNotice();
      this.triggerEvent('done', done);
    },
  },
});
