import { setChanged } from '../../behaviors/changed-data';
import { revalidateSession, showAccountNotices, tellSessionNotice } from '../../behaviors/user-page';
import { getAuthService, navigator } from '../../composition-root';
import { loginStep, openStep, ROUTES } from '../../navigation/routes';
import { greetingFor, toUserView } from '../../presenters/user-view';

/**
 * 首页: everything here works logged out. A cached user renders on the first frame (read
 * synchronously in onLoad, no network); after that frame (onReady) the launch's revalidation
 * answers who the user is now, shown in place — or the logged-out state and why, in a dialog.
 * 我的账号 is the protected action: logged out, it goes through pages/login (consent) and,
 * back here, opens by itself. 我的笔记 likewise: logged out, the login page first, then the notes.
 */

const PUBLIC_ITEMS = [
  { title: '随时浏览', text: '首页内容不需要登录，打开即可查看。' },
  { title: '一键登录', text: '用微信一键登录，无需密码，也不会索取你的微信资料。' },
  { title: '退出即清除', text: '退出登录会清除本机保存的账号信息。' },
];

Component({
  data: {
    user: toUserView(null),
    greeting: greetingFor(toUserView(null)),
    items: PUBLIC_ITEMS,
    accountOpen: false,
    /** Set when 我的账号 sent the person to log in: open the account card on return. */
    accountAfterLogin: false,
    /** Set when 我的笔记 sent the person to log in: open the notes on return. */
    notesAfterLogin: false,
  },
  methods: {
    onLoad() {
      this.showUser(false);
    },
    onShow() {
      // Back from pages/login (or from 我的, logged out there): storage may have changed.
      // The account card opens by itself only on the return from a login it asked for.
      const openAccount = this.data.accountAfterLogin;
      const openNotes = this.data.notesAfterLogin;
      setChanged(this, { accountAfterLogin: false, notesAfterLogin: false });
      this.showUser(openAccount);
      void showAccountNotices(ROUTES.home.slice(1));
      if (openNotes && this.data.user.loggedIn) void navigator.navigate(openStep(ROUTES.notes));
    },
    async onReady() {
      await revalidateSession();
      this.showUser(false);
      tellSessionNotice();
      // What that login brought (WeChat removed a nickname, a number...): told on this first page.
      void showAccountNotices(ROUTES.home.slice(1));
    },
    showUser(openAccount: boolean) {
      const user = getAuthService().currentUser();
      const view = toUserView(user);
      setChanged(this, {
        user: view,
        greeting: greetingFor(view),
        accountOpen: user !== null && (this.data.accountOpen || openAccount),
      });
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.home));
    },
    onEditProfileTap() {
      void navigator.navigate(openStep(ROUTES.profileEdit));
    },
    onNotesTap() {
      // Notes are an account's: logged out, through pages/login (consent) first, then on by itself.
      if (this.data.user.loggedIn) {
        void navigator.navigate(openStep(ROUTES.notes));
        return;
      }
      this.setData({ notesAfterLogin: true });
      void navigator.navigate(loginStep(ROUTES.home));
    },
    onAccountTap() {
      if (this.data.user.loggedIn) {
        this.setData({ accountOpen: !this.data.accountOpen });
        return;
      }
      this.setData({ accountAfterLogin: true });
      void navigator.navigate(loginStep(ROUTES.home));
    },
  },
});
