import { accountNoticeDialogs } from '../../../miniprogram/presenters/account-notice-view';
import { aUser } from '../support/users';

/** Words an end user would not know: none may reach these dialogs. */
const DEVELOPER_WORDS = /云开发|开放平台|openid|unionid|JSON|push|推送|RevokeInfo|接口|API/i;

describe('accountNoticeDialogs', () => {
  const at = new Date(2026, 0, 2, 8, 30).getTime();

  it('given a link by phone, says when and where to undo it', () => {
    expect(accountNoticeDialogs([{ kind: 'linked-by-phone', at }], aUser())).toEqual([
      {
        title: '账号安全提醒',
        content: '你的账号于 2026-01-02 08:30 通过手机号关联了新的微信。如果不是你本人操作，请到「账号与安全」解除关联。',
        confirmText: '去查看',
        cancelText: '知道了',
        opens: 'accountSecurity',
      },
    ]);
  });

  it('given several links, lists the times in order with the count, in one dialog', () => {
    const first = new Date(2026, 0, 2, 8, 30).getTime();
    const second = new Date(2026, 0, 3, 9, 5).getTime();
    const dialogs = accountNoticeDialogs(
      [
        { kind: 'linked-by-phone', at: second },
        { kind: 'linked-by-phone', at: first },
      ],
      aUser(),
    );
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]?.content).toContain('于 2026-01-02 08:30、2026-01-03 09:05 通过手机号关联了新的微信（共 2 次）');
  });

  it('given the nickname and avatar cleared after WeChat said so, names both and offers 编辑资料', () => {
    expect(accountNoticeDialogs([{ kind: 'profile-cleared-by-wechat', at }], aUser({ nickName: '', avatarUrl: '' }))).toEqual([
      {
        title: '昵称和头像已删除',
        content: '按微信的通知（你在微信里撤回了授权，或微信清理了不合规的内容），我们已删除你的昵称和头像。可以到「编辑资料」重新设置。',
        confirmText: '去设置',
        cancelText: '知道了',
        opens: 'profileEdit',
      },
    ]);
  });

  it('given only the avatar gone (the nickname kept), names only the avatar', () => {
    const [dialog] = accountNoticeDialogs([{ kind: 'profile-cleared-by-wechat', at }], aUser({ nickName: '小明', avatarUrl: '' }));
    expect(dialog?.title).toBe('头像已删除');
    expect(dialog?.content).toContain('我们已删除你的头像。');
  });

  it('given only the nickname gone, names only the nickname', () => {
    const [dialog] = accountNoticeDialogs(
      [{ kind: 'profile-cleared-by-wechat', at }],
      aUser({ nickName: '', avatarUrl: 'https://example.com/a.png' }),
    );
    expect(dialog?.title).toBe('昵称已删除');
  });

  it('given the phone number unbound after WeChat said so, says it is gone and offers to bind one again', () => {
    expect(accountNoticeDialogs([{ kind: 'phone-unbound-by-wechat', at }], aUser())).toEqual([
      {
        title: '手机号已解绑',
        content: '你在微信里撤回了手机号授权，我们已解除绑定并删除了这个号码。以后换了微信想找回账号，可到「账号与安全」重新绑定手机号。',
        confirmText: '去绑定',
        cancelText: '知道了',
        opens: 'accountSecurity',
      },
    ]);
  });

  it('given a deleted WeChat account removed from the sign-in methods, says the data stays and where to see the rest', () => {
    expect(accountNoticeDialogs([{ kind: 'wechat-removed', at }], aUser())).toEqual([
      {
        title: '登录方式已移除',
        content:
          '你的账号关联的一个微信已被注销，它已从登录方式中移除，不能再用来登录。你的资料都还在，可到「账号与安全」查看现在的登录方式。',
        confirmText: '去查看',
        cancelText: '知道了',
        opens: 'accountSecurity',
      },
    ]);
  });

  it('given every kind at once, one dialog each, what may need undoing first', () => {
    const dialogs = accountNoticeDialogs(
      [
        { kind: 'profile-cleared-by-wechat', at },
        { kind: 'phone-unbound-by-wechat', at },
        { kind: 'wechat-removed', at },
        { kind: 'linked-by-phone', at },
      ],
      aUser({ nickName: '', avatarUrl: 'https://example.com/a.png' }),
    );
    expect(dialogs.map((dialog) => dialog.title)).toEqual(['账号安全提醒', '登录方式已移除', '手机号已解绑', '昵称已删除']);
    for (const dialog of dialogs) {
      expect(`${dialog.title}${dialog.content}${dialog.confirmText}${dialog.cancelText}`).not.toMatch(DEVELOPER_WORDS);
      // wx.showModal cuts button texts longer than four characters.
      expect(dialog.confirmText.length).toBeLessThanOrEqual(4);
      expect(dialog.cancelText.length).toBeLessThanOrEqual(4);
    }
  });

  it('given none, shows nothing', () => {
    expect(accountNoticeDialogs([], aUser())).toEqual([]);
  });
});
