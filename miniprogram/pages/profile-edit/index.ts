import { userPage } from '../../behaviors/user-page';
import { setChanged } from '../../behaviors/changed-data';
import type { ChooseAvatarDetail } from '../../composition-root';
import { dialogs, getAccountService, getAuthService, navigator, openTypeEvents } from '../../composition-root';
import { loginStep, ROUTES } from '../../navigation/routes';
import { DONE_MESSAGES, messageFor } from '../../presenters/error-message';
import { nicknameStep } from '../../presenters/nickname-edit';
import { toUserView } from '../../presenters/user-view';

/**
 * 编辑资料: avatar from <button open-type="chooseAvatar">, nickname from <input type="nickname">.
 * Both are privacy APIs: the first use asks through <privacy-popup>. The withdrawn profile APIs
 * (rejected in review) are used nowhere; test/miniprogram/architecture.test.ts checks it.
 *
 * Nickname quirk: when the person picks the WeChat nickname from the keyboard's suggestion, WeChat
 * fills the input asynchronously; on some devices `blur` fires before the value lands (and
 * `input` not at all). So the nickname is saved on blur AND on the form's submit, whose value is
 * read when 保存 is tapped; presenters/nickname-edit.ts decides which of the two sends it.
 *
 * A nickname the function refused stays in the field with the reason above it, so the person
 * edits it instead of typing it again; what was saved is confirmed with a toast.
 */

type Status = 'idle' | 'saving';

interface FormSubmitDetail {
  value: { nickName?: unknown };
}

Component({
  behaviors: [userPage],
  data: {
    /** The saved nickname ('' when none; the view's displayName has a fallback text). */
    nickName: '',
    /** What the field shows: the saved nickname, or the one just refused. */
    nicknameDraft: '',
    /** The value the function refused last. */
    rejectedNickName: '',
    /** The message shown is about the nickname field (so editing it back makes it go). */
    nicknameFailed: false,
    avatarStatus: 'idle' as Status,
    /** The chosen image, shown while it uploads. */
    avatarPreview: '',
    nicknameStatus: 'idle' as Status,
  },
  methods: {
    showUser() {
      const user = getAuthService().currentUser();
      const nickName = user?.nickName ?? '';
      setChanged(this, { user: toUserView(user), nickName, nicknameDraft: nickName });
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
        this.setData({ nicknameFailed: false });
        return;
      }
      this.setData({ avatarStatus: 'saving', avatarPreview: chosen.tempFilePath, errorMessage: '', notice: '', nicknameFailed: false });
      try {
        await getAccountService().updateAvatar(chosen.tempFilePath);
        this.showUser();
        dialogs.done(DONE_MESSAGES.avatarUpdated);
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ avatarStatus: 'idle', avatarPreview: '' });
      }
    },
    onNicknameBlur(event: WechatMiniprogram.CustomEvent<{ value?: unknown }>) {
      void this.saveNickname(event.detail.value, 'blur');
    },
    onSubmit(event: WechatMiniprogram.CustomEvent<FormSubmitDetail>) {
      void this.saveNickname(event.detail.value.nickName, 'submit');
    },
    /**
     * bindnicknamereview (newer base libraries; older ones never fire it): WeChat's own check of a
     * typed nickname. When it fails WeChat clears the input; say why instead of leaving it empty.
     */
    onNicknameReview(event: WechatMiniprogram.CustomEvent<{ pass?: unknown; timeout?: unknown }>) {
      if (event.detail.pass === false && event.detail.timeout !== true) {
        this.setData({ errorMessage: messageFor('CONTENT_RISKY'), notice: '', nicknameFailed: true });
      }
    },
    async saveNickname(value: unknown, trigger: 'blur' | 'submit') {
      if (this.data.nicknameStatus === 'saving') return;
      const step = nicknameStep(value, { saved: this.data.nickName, rejected: this.data.rejectedNickName }, trigger);
      if (step.kind === 'ignore' || typeof value !== 'string') return;
      if (step.kind === 'unchanged') {
        // Back to the saved nickname: a message about another value would now be wrong.
        if (this.data.nicknameFailed) this.setData({ errorMessage: '', nicknameFailed: false });
        this.setData({ rejectedNickName: '', nicknameDraft: this.data.nickName });
        return;
      }
      if (step.kind === 'empty') {
        this.setData({ errorMessage: messageFor('NICKNAME_EMPTY'), notice: '', nicknameDraft: '', nicknameFailed: true });
        return;
      }
      this.setData({ nicknameStatus: 'saving', errorMessage: '', notice: '', nicknameDraft: value, nicknameFailed: false });
      try {
        await getAccountService().updateNickname(value);
        this.setData({ rejectedNickName: '' });
        this.showUser();
        dialogs.done(DONE_MESSAGES.nicknameSaved);
      } catch (error) {
        this.showFailure(error);
        // showFailure showed the saved user again; the field keeps what the person typed.
        this.setData({ nicknameDraft: value, rejectedNickName: value.trim(), nicknameFailed: true });
      } finally {
        this.setData({ nicknameStatus: 'idle' });
      }
    },
  },
});
