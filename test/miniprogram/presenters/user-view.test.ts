import { greetingFor, LOGGED_OUT_VIEW, toUserView, welcomeAfterLogin } from '../../../miniprogram/presenters/user-view';
import { aUser } from '../support/users';

describe('toUserView', () => {
  it('logged out', () => {
    expect(toUserView(null)).toEqual(LOGGED_OUT_VIEW);
    expect(LOGGED_OUT_VIEW.displayName).toBe('未登录');
  });

  it('shows the nickname and its first character as the avatar letter', () => {
    const view = toUserView(aUser({ nickName: '  小明  ', loginCount: 3 }));

    expect(view).toMatchObject({ loggedIn: true, displayName: '小明', hasNickName: true, avatarInitial: '小', loginCount: 3 });
  });

  it('keeps an emoji initial whole', () => {
    expect(toUserView(aUser({ nickName: '🐱咪咪' })).avatarInitial).toBe('🐱');
  });

  it('without a nickname, says so instead of inventing one, and leaves the avatar to the default one (no made-up letter)', () => {
    const view = toUserView(aUser({ nickName: '' }));

    expect(view.displayName).toBe('未设置昵称');
    expect(view.hasNickName).toBe(false);
    expect(view.avatarInitial).toBe('');
  });

  it('an account is in its first login until it logs in a second time', () => {
    expect(toUserView(aUser({ loginCount: 1 })).firstLogin).toBe(true);
    expect(toUserView(aUser({ loginCount: 2 })).firstLogin).toBe(false);
    expect(LOGGED_OUT_VIEW.firstLogin).toBe(false);
  });

  it.each([
    ['a guest', null, { title: '你好，游客', text: '登录后可保存你的资料', suggestProfile: false }],
    [
      'a person in the first session of their account without a nickname (also after a relaunch: never 欢迎加入 again)',
      aUser({ nickName: '', loginCount: 1 }),
      { title: '你好', text: '还没有设置头像和昵称', suggestProfile: true },
    ],
    [
      'a returning user without a nickname',
      aUser({ nickName: '', loginCount: 4 }),
      { title: '欢迎回来', text: '还没有设置头像和昵称', suggestProfile: true },
    ],
    [
      'a person in the first session of their account with a nickname',
      aUser({ nickName: '小明', loginCount: 1 }),
      { title: '小明', text: '欢迎使用', suggestProfile: false },
    ],
    ['a returning user', aUser({ nickName: '小明', loginCount: 4 }), { title: '小明', text: '欢迎回来', suggestProfile: false }],
  ])('首页 greets %s', (_label, user, greeting) => {
    expect(greetingFor(toUserView(user))).toEqual(greeting);
  });

  it('after a login, welcomes by nickname, or says whether the account is new', () => {
    expect(welcomeAfterLogin(toUserView(aUser({ nickName: '云朵' })), false)).toBe('欢迎，云朵');
    expect(welcomeAfterLogin(toUserView(aUser({ nickName: '' })), true)).toBe('欢迎加入');
    expect(welcomeAfterLogin(toUserView(aUser({ nickName: '' })), false)).toBe('欢迎回来');
  });

  it('formats dates as local yyyy-mm-dd (hh:mm)', () => {
    const createdAt = new Date(2024, 0, 5, 9, 7).getTime();
    const view = toUserView(aUser({ createdAt, lastLoginAt: createdAt }));

    expect(view.memberSince).toBe('2024-01-05');
    expect(view.lastLoginAt).toBe('2024-01-05 09:07');
  });
});
