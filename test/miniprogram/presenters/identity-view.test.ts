import { toIdentityListView, unlinkConfirmation } from '../../../miniprogram/presenters/identity-view';
import { anIdentity, twoWechatsAndPhone, wechatAndPhone } from '../support/accounts';

describe('identity views', () => {
  it('shows one row per WeChat account with the apps it was used in, the phone on its own, and no identifier', () => {
    const list = toIdentityListView(
      [...twoWechatsAndPhone(), anIdentity({ id: 'x', kind: 'other', display: 'email', apps: [], current: false, linkedAt: 0 })],
      { 'wx-shop-app': '云商城' },
    );

    expect(list.wechat.map(({ name, tag, detail, origin }) => ({ name, tag, detail, origin }))).toEqual([
      { name: '「小红」的微信', tag: '当前微信', detail: '用于本小程序', origin: '2024-05-02 关联' },
      { name: '注册本账号的微信', tag: '', detail: '用于本小程序、云商城', origin: '2024-01-15 起使用' },
    ]);
    expect(list.phone).toMatchObject({ name: '手机号', detail: '138****8000', origin: '2024-01-15 绑定' });
    expect(list.others.map((row) => [row.name, row.detail])).toEqual([['其他登录方式', 'email']]);
    expect(JSON.stringify(list)).not.toMatch(/开放平台|（.*（/);
  });

  it("pictures a linked WeChat with the avatar its account had, and the account's own with the account's avatar", () => {
    const [linked, own] = toIdentityListView(
      [
        anIdentity({ id: 'hong', linked: true, linkedFromNickName: '小红', linkedFromAvatarUrl: 'https://tmp/hong.png', linkedAt: 2 }),
        anIdentity({ id: 'ming', current: false, linkedAt: 1 }),
      ],
      {},
      { avatarUrl: '', avatarInitial: '明' },
    ).wechat;
    expect(linked).toMatchObject({ avatarUrl: 'https://tmp/hong.png', avatarInitial: '小' });
    expect(own).toMatchObject({ avatarUrl: '', avatarInitial: '明' });
  });

  it('given the only WeChat, calls it 微信 and says where a linked one came from', () => {
    const [only] = toIdentityListView([anIdentity({ linked: true, linkedFromNickName: '小红', linkedAt: Date.UTC(2024, 4, 2, 2) })]).wechat;
    expect(only).toMatchObject({ name: '微信', origin: '2024-05-02 关联 · 原账号「小红」' });
  });

  it('given two WeChat accounts joined in the same minute without nicknames, still never shows two identical rows', () => {
    const at = Date.UTC(2024, 4, 2, 2, 0, 0);
    const rows = toIdentityListView([
      anIdentity({ id: 'a', linked: true, linkedAt: at }),
      anIdentity({ id: 'b', current: false, linked: true, linkedAt: at }),
    ]).wechat;
    const lines = rows.map((row) => `${row.name}|${row.tag}|${row.detail}|${row.origin}`);
    expect(new Set(lines).size).toBe(2);
    expect(rows.map((row) => row.name)).toEqual(['关联进来的微信', '关联进来的微信（2）']);
  });

  it('given two WeChat accounts that would read the same, tells them apart by the time they joined', () => {
    const sameDay = [
      anIdentity({ id: 'a', linked: true, linkedAt: Date.UTC(2024, 4, 2, 2, 0, 0) }),
      anIdentity({ id: 'b', current: false, linked: true, linkedAt: Date.UTC(2024, 4, 2, 3, 30, 0) }),
    ];
    const [first, second] = toIdentityListView(sameDay).wechat;
    expect(first?.origin).not.toBe(second?.origin);
    expect(second?.origin).toMatch(/^2024-05-02 \d{2}:30 关联$/);
  });

  it('asking to unlink the current WeChat says exactly what goes, that this device signs out, and what the next login is', () => {
    const list = toIdentityListView(twoWechatsAndPhone());
    const current = list.wechat[0];
    if (!current) throw new Error('no row');

    expect(unlinkConfirmation(current, list)).toEqual({
      title: '解除当前微信？',
      content:
        '这个微信（用于本小程序）将不能再登录这个账号，你会立即退出登录。之后用这个微信登录会进入一个新的空账号；' +
        '这个账号仍可用另一个已关联的微信和手机号 138****8000 登录，也可在登录页用手机号找回。',
      confirmText: '解除',
    });
  });

  it('asking to unlink the other WeChat names it, every app it goes from, and leaves the current one alone', () => {
    const list = toIdentityListView(twoWechatsAndPhone());
    const other = list.wechat[1];
    if (!other) throw new Error('no row');

    expect(unlinkConfirmation(other, list)).toEqual({
      title: '解除这个微信？',
      content:
        '解除后，注册本账号的微信（2024-01-15 起使用）将不能再登录这个账号，包括它在本小程序、其他小程序的登录；' +
        '它下次登录会进入一个新账号。你当前的微信不受影响。',
      confirmText: '解除',
    });
  });

  it('asking to unlink the phone says it no longer recovers the account', () => {
    const list = toIdentityListView(wechatAndPhone());
    expect(list.phone && unlinkConfirmation(list.phone, list)).toEqual({
      title: '解除手机号？',
      content: '解除后，手机号 138****8000 将从这个账号移除：换了微信时不能再用它找回账号。',
      confirmText: '解除',
    });
    expect(toIdentityListView([anIdentity()]).phone).toBeNull();
  });
});
