import { LOGGED_OUT_VIEW, toUserView } from '../../../miniprogram/presenters/user-view';
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

  it('without a nickname, says so instead of inventing one', () => {
    const view = toUserView(aUser({ nickName: '' }));

    expect(view.displayName).toBe('未设置昵称');
    expect(view.hasNickName).toBe(false);
    expect(view.avatarInitial).toBe('我');
  });

  it('formats dates as local yyyy-mm-dd (hh:mm)', () => {
    const createdAt = new Date(2024, 0, 5, 9, 7).getTime();
    const view = toUserView(aUser({ createdAt, lastLoginAt: createdAt }));

    expect(view.memberSince).toBe('2024-01-05');
    expect(view.lastLoginAt).toBe('2024-01-05 09:07');
  });
});
