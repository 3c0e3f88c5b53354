import { planMerge, previewOf } from '../../../../cloudfunctions/login/src/rules/merge-plan';
import type { UserDoc } from '../../../../cloudfunctions/login/src/model';

const phoneKey = 'phone:+86:13800138000';
const target: UserDoc = {
  _id: 'target',
  status: 'active',
  identityKeys: ['email:a@example.com', phoneKey],
  boundPhone: { countryCode: '86', purePhoneNumber: '13800138000', key: phoneKey, boundAt: new Date(0) },
  nickName: '',
  createdAt: new Date('2024-05-01T00:00:00Z'),
};
const source: UserDoc = {
  _id: 'source',
  status: 'active',
  identityKeys: ['wx-unionid:u1', 'wx-openid:app:o1'],
  nickName: '微信昵称',
  avatarFileID: 'cloud://env.b/avatars/source/a.png',
  avatarUrl: 'https://tmp/a.png',
  avatarUrlExpiresAt: new Date('2026-01-02T00:00:00Z'),
};

describe('planMerge', () => {
  it("moves the WeChat identities and keeps the target's other providers", () => {
    const plan = planMerge(source, target, ['wx-unionid:u1', 'wx-openid:app:o1']);

    expect(plan.movedKeys).toEqual(['wx-unionid:u1', 'wx-openid:app:o1']);
    expect(plan.targetSet.identityKeys).toEqual(['email:a@example.com', phoneKey, 'wx-unionid:u1', 'wx-openid:app:o1']);
  });

  it("fills the target's empty profile fields and keeps the ones it has", () => {
    const withName = planMerge(source, { ...target, nickName: '老账号' }, []);
    const empty = planMerge(source, target, []);

    expect(empty.filledFields).toEqual(['nickName', 'avatar']);
    expect(empty.targetSet).toMatchObject({ nickName: '微信昵称', avatarFileID: source.avatarFileID, avatarUrl: source.avatarUrl });
    expect(withName.keptFields).toEqual(['nickName']);
    expect(withName.targetSet.nickName).toBeUndefined();
  });

  it('given a legacy target with its name under userInfo, keeps that name', () => {
    const plan = planMerge(source, { ...target, userInfo: { nickName: '旧名' } }, []);
    expect(plan.keptFields).toContain('nickName');
    expect(plan.targetSet.nickName).toBeUndefined();
  });

  it("given a source with its own phone, releases it because the target's number is kept", () => {
    const ownPhone = 'phone:+86:13900139000';
    const plan = planMerge({ ...source, identityKeys: [...(source.identityKeys ?? []), ownPhone] }, target, ['wx-openid:app:o1', ownPhone]);

    expect(plan.releasedKeys).toEqual([ownPhone]);
    expect(plan.movedKeys).toEqual(['wx-openid:app:o1']);
    expect(plan.targetSet.boundPhone).toBeUndefined();
    expect(previewOf(plan, target, phoneKey).releasedPhoneNumber).toBe('139****9000');
  });
});

describe('previewOf', () => {
  it('describes the target by masked phone, nickname and creation date, and what would move', () => {
    const plan = planMerge(source, { ...target, nickName: '老账号' }, ['wx-unionid:u1', 'wx-openid:app:o1']);
    expect(previewOf(plan, { ...target, nickName: '老账号' }, phoneKey)).toEqual({
      target: { maskedPhoneNumber: '138****8000', nickName: '老账号', hasAvatar: false, createdAt: Date.parse('2024-05-01T00:00:00Z') },
      movingIdentities: ['wechat-unionid', 'wechat'],
      filledFields: ['avatar'],
      keptFields: ['nickName'],
      releasedPhoneNumber: '',
    });
  });
});
