import { loginStep, openStep, ROUTES } from '../../navigation/routes';
import { navigate } from '../../platform/wx-navigation';
import { toUserView } from '../../presenters/user-view';
import { getAuthService } from '../../services';

/**
 * 我的: the cached user's avatar and nickname (with fallbacks until the person sets them),
 * 微信登录 when logged out; when logged in, 编辑资料, 账号与安全 and 退出登录. Never waits for
 * the network to render.
 */
Component({
  data: {
    user: toUserView(null),
  },
  methods: {
    onLoad() {
      this.showUser();
    },
    onShow() {
      this.showUser();
    },
    async onReady() {
      await getAuthService().refreshIfStale();
      this.showUser();
    },
    showUser() {
      this.setData({ user: toUserView(getAuthService().currentUser()) });
    },
    onLoginTap() {
      void navigate(loginStep(ROUTES.profile));
    },
    onEditProfileTap() {
      void navigate(openStep(ROUTES.profileEdit));
    },
    onAccountSecurityTap() {
      void navigate(openStep(ROUTES.accountSecurity));
    },
    onLogoutTap() {
      getAuthService().logout();
      this.showUser();
    },
  },
});
