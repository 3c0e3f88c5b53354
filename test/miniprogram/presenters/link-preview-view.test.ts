import { toLinkPreviewView } from '../../../miniprogram/presenters/link-preview-view';
import { aLinkOffer } from '../support/accounts';

describe('toLinkPreviewView', () => {
  it('describes the existing account and every effect of the link', () => {
    const offer = aLinkOffer();
    const view = toLinkPreviewView({
      ...offer,
      preview: {
        ...offer.preview,
        target: { ...offer.preview.target, nickName: '' },
        movingIdentities: ['wechat', 'wechat-unionid', 'wechat'],
        filledFields: ['nickName', 'avatar'],
        keptFields: [],
        releasedPhoneNumber: '137****7000',
      },
    });

    const expires = new Date(offer.expiresAt);
    const pad = (value: number) => String(value).padStart(2, '0');
    expect(view).toEqual({
      validUntil: `${pad(expires.getHours())}:${pad(expires.getMinutes())}`,
      ticket: 'lt1_test-ticket',
      phone: '139****9000',
      targetName: '未设置昵称',
      targetCreatedAt: '2023-06-01',
      effects: [
        '当前账号的微信登录将移到该账号，之后用这个微信登录的就是该账号。',
        '该账号没有的昵称、头像，用当前账号的补上。',
        '当前账号绑定的手机号 137****7000 将解除绑定（一个账号只保留一个手机号）。',
        '当前账号不会被删除，它的资料会保留并标记为已合并。',
      ],
    });
  });

  it("says which of the existing account's fields are kept", () => {
    expect(toLinkPreviewView(aLinkOffer()).effects).toContain('保留该账号的昵称、头像。');
  });
});
