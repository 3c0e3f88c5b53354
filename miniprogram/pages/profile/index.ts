import { loginStep, openStep, ROUTES } from '../../navigation/routes';
import { userPage } from '../../behaviors/user-page';
import { dialogs, getAuthService, navigator } from '../../composition-root';
import { DONE_MESSAGES, LOGOUT_CONFIRMATION } from '../../presenters/error-message';

/**
 * 我的: the cached user's avatar and nickname (with fallbacks until the person sets them),
 * 微信登录 when logged out; when logged in, 编辑资料, 账号与安全 and 退出登录 (asked first, then
 * confirmed with a toast). Never waits for the network to render; after the first frame the
 * userPage behaviour shows the launch's revalidation in place.
 */
Component({
  behaviors: [userPage],
  methods: {
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.profile));
    },
    /** The head row is a shortcut, as in WeChat's 我: to 编辑资料 logged in, to 微信登录 logged out. */
    onHeadTap() {
      if (this.data.user.loggedIn) this.onEditProfileTap();
      else this.onLoginTap();
    },
    onEditProfileTap() {
      void navigator.navigate(openStep(ROUTES.profileEdit));
    },
    onAccountSecurityTap() {
      void navigator.navigate(openStep(ROUTES.accountSecurity));
    },
    async onLogoutTap() {
      if (!(await dialogs.confirm(LOGOUT_CONFIRMATION))) return;
      getAuthService().logout();
      this.showUser();
      dialogs.done(DONE_MESSAGES.logout);
    },
  },
});
