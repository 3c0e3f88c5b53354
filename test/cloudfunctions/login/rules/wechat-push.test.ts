import { effectOf, pushAuditId, readPushMessage, type WechatPushMessage } from '../../../../cloudfunctions/login/src/rules/wechat-push';

function message(fields: Partial<WechatPushMessage> = {}): WechatPushMessage {
  return {
    event: 'user_authorization_revoke',
    openid: 'o-alice',
    appid: 'wxapp1',
    revokeInfo: ['6'],
    createTime: 1_700_000_000,
    ...fields,
  };
}

describe('readPushMessage', () => {
  it('reads WeChat’s fields, including the keys its own example writes with a leading space', () => {
    expect(
      readPushMessage({
        MsgType: 'event',
        Event: 'user_authorization_revoke',
        ' OpenID': 'o-1',
        ' AppID': 'wx1',
        ' RevokeInfo': '8',
        CreateTime: 1_700_000_000,
      }),
    ).toEqual({
      ok: true,
      message: { event: 'user_authorization_revoke', openid: 'o-1', appid: 'wx1', revokeInfo: ['8'], createTime: 1_700_000_000 },
    });
  });

  it('refuses other events, a revoke without RevokeInfo and a message without OpenID', () => {
    expect(readPushMessage({ Event: 'subscribe_msg_popup_event', OpenID: 'o-1' }).ok).toBe(false);
    expect(readPushMessage({ Event: 'user_authorization_revoke', OpenID: 'o-1' }).ok).toBe(false);
    expect(readPushMessage({ Event: 'user_authorization_cancellation' }).ok).toBe(false);
    expect(readPushMessage(['user_authorization_cancellation']).ok).toBe(false);
  });
});

describe('effectOf', () => {
  it.each([
    [['6'], { kind: 'clear-profile', parts: ['nickName', 'avatar'], unbindPhone: false }],
    [['19'], { kind: 'clear-profile', parts: ['nickName'], unbindPhone: false }],
    [['20'], { kind: 'clear-profile', parts: ['avatar'], unbindPhone: false }],
    [['8'], { kind: 'clear-profile', parts: [], unbindPhone: true }],
    [['6', '8'], { kind: 'clear-profile', parts: ['nickName', 'avatar'], unbindPhone: true }],
    [['13'], { kind: 'none' }],
  ])('given a revoke of %j, answers %j', (revokeInfo, effect) => {
    expect(effectOf(message({ revokeInfo }))).toEqual(effect);
  });

  it('leaves a plugin’s revocation (PluginID) to the plugin', () => {
    const read = readPushMessage({
      Event: 'user_authorization_revoke',
      OpenID: 'o-1',
      RevokeInfo: '8',
      PluginID: 'wxplugin',
      OpenPID: 'p-1',
    });
    expect(read.ok && effectOf(read.message)).toEqual({ kind: 'none' });
  });

  it('clears both nickname and avatar when WeChat cleaned a risky profile, and removes the WeChat on a cancellation', () => {
    expect(effectOf(message({ event: 'user_info_modified', revokeInfo: [] }))).toEqual({
      kind: 'clear-profile',
      parts: ['nickName', 'avatar'],
      unbindPhone: false,
    });
    expect(effectOf(message({ event: 'user_authorization_cancellation', revokeInfo: [] }))).toEqual({ kind: 'remove-wechat' });
  });
});

describe('pushAuditId', () => {
  it('names one message the same way every time, never with its openid, and two messages differently', () => {
    const id = pushAuditId(message());
    expect(pushAuditId(message())).toBe(id);
    expect(id).not.toContain('o-alice');
    expect(pushAuditId(message({ createTime: 1_700_000_001 }))).not.toBe(id);
    expect(pushAuditId(message({ openid: 'o-bob' }))).not.toBe(id);
  });
});
