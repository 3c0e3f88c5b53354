import type { PhoneButtonDetail } from '../../composition-root';
import { getAccountService, getAuthService, openTypeEvents } from '../../composition-root';
import { errorMessage } from '../../presenters/error-message';
import type { LinkPreviewView } from '../../presenters/link-preview-view';
import { toLinkPreviewView } from '../../presenters/link-preview-view';

/**
 * 「换了微信？用手机号找回账号」 on the login page: the bind-phone → link offer flow of 账号与安全,
 * made findable for the person whose old WeChat no longer signs in (unlinked, or a new WeChat).
 * WeChat verifies the number (getPhoneNumber), this WeChat signs in (a new account when it has
 * none, which the link then merges), and when the number belongs to an account the sheet shows
 * which one and what linking does; 关联到该账号 links this WeChat into it. It is why the phone
 * number counts as a way back in when the function decides what may be unlinked.
 *
 * Needs the agreement ticked like 微信登录 (it signs in): unticked, a tap emits `needagreement`.
 * Emits `done` with `{ recovered, message }` once this WeChat is signed in: recovered into the
 * account of the number, or not (no account has it: it is now bound to this WeChat's own account;
 * or the person cancelled the link).
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
        const result = await getAccountService().bindPhone(outcome.code);
        if (result.kind === 'link-offer') {
          this.setData({ preview: toLinkPreviewView(result.offer) });
        } else {
          this.finish(false, `没有账号绑定过手机号 ${result.user.maskedPhoneNumber}，已把它绑定到这个微信的账号`);
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
        this.finish(true, `已找回账号「${user.nickName || preview.targetName}」`);
      } catch (error) {
        // A spent offer cannot be confirmed again: close it; another tap asks WeChat for the number again.
        this.setData({ preview: null, errorMessage: errorMessage(error) });
      } finally {
        this.setData({ status: 'idle' });
      }
    },
    onCancel() {
      if (this.data.status === 'linking') return;
      this.setData({ preview: null });
      this.finish(false, '已取消找回，当前登录的是这个微信自己的账号');
    },
    finish(recovered: boolean, message: string) {
      // What the person reads here replaces the service's notice of the login it took (a new account).
      getAuthService().takeSessionNotice();
      this.triggerEvent('done', { recovered, message });
    },
  },
});
