import { userPage } from '../../behaviors/user-page';
import type { ChooseAvatarDetail } from '../../composition-root';
import { getAccountService, getAuthService, navigator, openTypeEvents } from '../../composition-root';
import { loginStep, ROUTES } from '../../navigation/routes';
import { messageFor } from '../../presenters/error-message';
import { toUserView } from '../../presenters/user-view';

/**
 * 编辑资料: avatar from <button open-type="chooseAvatar">, nickname from <input type="nickname">.
 * Both are privacy APIs: the first use asks through <privacy-popup>. The withdrawn profile APIs
 * (rejected in review) are used nowhere; test/miniprogram/architecture.test.ts checks it.
 *
 * Nickname quirk: when the person picks the WeChat nickname from the keyboard's suggestion, WeChat
 * fills the input asynchronously; on some devices `blur` fires before the value lands (and
 * `input` not at all). So the nickname is saved on blur AND on the form's submit, whose value is
 * read when 保存 is tapped; an unchanged value is never sent twice.
 */

type Status = 'idle' | 'saving';

interface FormSubmitDetail {
  value: { nickName?: unknown };
}

Component({
  behaviors: [userPage],
  data: {
    /** The raw nickname for the input ('' when none; the view's displayName has a fallback text). */
    nickName: '',
    avatarStatus: 'idle' as Status,
    /** The chosen image, shown while it uploads. */
    avatarPreview: '',
    nicknameStatus: 'idle' as Status,
  },
  methods: {
    showUser() {
      const user = getAuthService().currentUser();
      this.setData({ user: toUserView(user), nickName: user?.nickName ?? '' });
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.profileEdit));
    },
    async onChooseAvatar(event: WechatMiniprogram.CustomEvent<ChooseAvatarDetail>) {
      if (this.data.avatarStatus === 'saving') return;
      const chosen = openTypeEvents.readChooseAvatarDetail(event.detail);
      if (chosen === null) return;
      if (!chosen.ok) {
        this.showFailure(chosen.error);
        return;
      }
      this.setData({ avatarStatus: 'saving', avatarPreview: chosen.tempFilePath, errorMessage: '', notice: '' });
      try {
        await getAccountService().updateAvatar(chosen.tempFilePath);
        this.setData({ notice: '头像已更新' });
        this.showUser();
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ avatarStatus: 'idle', avatarPreview: '' });
      }
    },
    onNicknameBlur(event: WechatMiniprogram.CustomEvent<{ value?: unknown }>) {
      void this.saveNickname(event.detail.value);
    },
    onSubmit(event: WechatMiniprogram.CustomEvent<FormSubmitDetail>) {
      void this.saveNickname(event.detail.value.nickName);
    },
    /**
     * bindnicknamereview (newer base libraries; older ones never fire it): WeChat's own check of a
     * typed nickname. When it fails WeChat clears the input; say why instead of leaving it empty.
     */
    onNicknameReview(event: WechatMiniprogram.CustomEvent<{ pass?: unknown; timeout?: unknown }>) {
      if (event.detail.pass === false && event.detail.timeout !== true) {
        this.setData({ errorMessage: messageFor('CONTENT_RISKY'), notice: '' });
      }
    },
    async saveNickname(value: unknown) {
      if (typeof value !== 'string' || this.data.nicknameStatus === 'saving') return;
      // Blur without a change (or the submit right after a blur that saved it): nothing to do.
      if (value.trim() === this.data.nickName) return;
      this.setData({ nicknameStatus: 'saving', errorMessage: '', notice: '' });
      try {
        await getAccountService().updateNickname(value);
        this.setData({ notice: '昵称已保存' });
        this.showUser();
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ nicknameStatus: 'idle' });
      }
    },
  },
});
