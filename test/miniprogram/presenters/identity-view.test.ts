import { toIdentityViews, unlinkConfirmation } from '../../../miniprogram/presenters/identity-view';
import { anIdentity, wechatAndPhone } from '../support/accounts';

describe('identity views', () => {
  it("name providers in Chinese, keep the server's masking, and mark the current WeChat", () => {
    const views = toIdentityViews([
      ...wechatAndPhone(),
      anIdentity({ id: 'x', provider: 'other', display: 'email', current: false, linkedAt: 0 }),
    ]);

    expect(views.map(({ name, display, note, linkedAt }) => ({ name, display, note, linkedAt }))).toEqual([
      { name: '微信', display: 'o-te****1234 · 小程序 wx-test-app', note: '当前微信', linkedAt: '2024-01-15' },
      { name: '微信（开放平台）', display: 'u-te****5678', note: '当前微信', linkedAt: '2024-01-15' },
      { name: '手机号', display: '138****8000', note: '', linkedAt: '2024-01-15' },
      { name: '其他登录方式', display: 'email', note: '', linkedAt: '' },
    ]);
  });

  it('asking to unlink the current WeChat says this device will be signed out; another way names itself', () => {
    const [wechat, , phone] = toIdentityViews(wechatAndPhone());

    expect(wechat && unlinkConfirmation(wechat).content).toContain('立即退出登录');
    expect(phone && unlinkConfirmation(phone)).toEqual({
      title: '解除手机号？',
      content: '解除后将不能再用手机号（138****8000）登录这个账号。',
      confirmText: '解除',
    });
  });
});
