import { userPage } from '../../behaviors/user-page';
import { dialogs, getAccountService, navigator } from '../../composition-root';
import { homeStep, loginStep, ROUTES } from '../../navigation/routes';
import { DELETE_CONFIRMATION, DONE_MESSAGES } from '../../presenters/error-message';

/**
 * 注销账号 (required by China's personal information rules): what goes and what stays, in words;
 * then two explicit steps — tick 我已了解 (unticked by default), and confirm a modal with a red
 * 注销 button — before deleteAccount { confirm: true }. Afterwards this device is logged out and
 * the person lands on 首页; a later 微信登录 starts a brand-new account.
 */

type Status = 'idle' | 'deleting';

Component({
  behaviors: [userPage],
  data: {
    acknowledged: false,
    showAcknowledgeHint: false,
    status: 'idle' as Status,
  },
  methods: {
    onToggleAcknowledge() {
      this.setData({ acknowledged: !this.data.acknowledged, showAcknowledgeHint: false });
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.accountDelete));
    },
    async onDeleteTap() {
      if (this.data.status === 'deleting') return;
      if (!this.data.acknowledged) {
        this.setData({ showAcknowledgeHint: true });
        return;
      }
      if (!(await dialogs.confirm(DELETE_CONFIRMATION))) return;
      this.setData({ status: 'deleting', errorMessage: '' });
      try {
        await getAccountService().deleteAccount();
        dialogs.done(DONE_MESSAGES.accountDeleted);
        this.showUser();
        // switchTab closes every non-tab page, this one included.
        void navigator.navigate(homeStep());
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ status: 'idle' });
      }
    },
  },
});
