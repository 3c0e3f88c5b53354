import { userPage } from '../../behaviors/user-page';
import { dialogs, getAccountService, navigator } from '../../composition-root';
import { homeStep, loginStep, ROUTES } from '../../navigation/routes';

/**
 * 注销账号 (required by China's personal information rules): what goes and what stays, in words;
 * then two explicit steps — tick 我已了解 (unticked by default), and confirm a modal with a red
 * 注销 button — before deleteAccount { confirm: true }. Afterwards this device is logged out and
 * the person lands on 首页; a later 微信登录 starts a brand-new account.
 */

type Status = 'idle' | 'deleting';

const DELETE_CONFIRMATION = {
  title: '确定注销账号？',
  content: '注销后，账号资料、头像、手机号和全部登录方式将被删除，且无法恢复。',
  confirmText: '注销',
  cancelText: '再想想',
  destructive: true,
};

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
        dialogs.toast('账号已注销');
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
