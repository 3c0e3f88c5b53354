import { loginStep, openStep, ROUTES } from '../../navigation/routes';
import { userPage } from '../../behaviors/user-page';
import { getAuthService, navigator } from '../../composition-root';

/**
 * 我的: the cached user's avatar and nickname (with fallbacks until the person sets them),
 * 微信登录 when logged out; when logged in, 编辑资料, 账号与安全 and 退出登录. Never waits for
 * the network to render.
 */
Component({
  behaviors: [userPage],
  methods: {
    async onReady() {
      await getAuthService().refreshIfStale();
      this.showUser();
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.profile));
    },
    onEditProfileTap() {
      void navigator.navigate(openStep(ROUTES.profileEdit));
    },
    onAccountSecurityTap() {
      void navigator.navigate(openStep(ROUTES.accountSecurity));
    },
    onLogoutTap() {
      getAuthService().logout();
      this.showUser();
    },
  },
});
