import {
  identityIdFor,
  mergedProfiles,
  leavesWayBack,
  ownedIdentities,
  type OwnedIdentity,
  pairsAfterLogin,
  readWechatPairs,
  summarizeIdentities,
  unitsOf,
} from '../../../../cloudfunctions/login/src/rules/identity-summary';
import { identityKeysFor } from '../../../../cloudfunctions/login/src/rules/identity';

const caller = identityKeysFor({ appid: 'wxapp1', openid: 'oCALLER123456', unionid: 'uCALLER987654' });

function owned(key: string, at: number, movedFrom: string | null = null): OwnedIdentity {
  return { key, createdAt: new Date(at), movedFrom, movedAt: movedFrom ? new Date(at + 500) : null };
}

const mine = [
  owned('wx-unionid:uCALLER987654', 1000),
  owned('wx-openid:wxapp1:oCALLER123456', 1000),
  owned('wx-openid:wxapp2:oCALLERAPP2xx', 2000),
];
const theirs = [owned('wx-unionid:uOTHER0000001', 100, 'old-account'), owned('wx-openid:wxapp1:oOTHER000001', 100, 'old-account')];
const phone = owned('phone:+86:13800138000', 3000);

function keysOf(units: { keys: string[] }[]): string[][] {
  return units.map((unit) => unit.keys);
}

describe('unitsOf: WeChat keys as WeChat accounts', () => {
  it('given recorded pairs, groups each unionid with the openids seen with it', () => {
    const pairs = [
      { openidKey: 'wx-openid:wxapp1:oCALLER123456', unionidKey: 'wx-unionid:uCALLER987654' },
      { openidKey: 'wx-openid:wxapp2:oCALLERAPP2xx', unionidKey: 'wx-unionid:uCALLER987654' },
      { openidKey: 'wx-openid:wxapp1:oOTHER000001', unionidKey: 'wx-unionid:uOTHER0000001' },
    ];
    const units = unitsOf([...mine, ...theirs, phone], pairs);
    expect(keysOf(units)).toEqual([
      ['wx-openid:wxapp1:oCALLER123456', 'wx-openid:wxapp2:oCALLERAPP2xx', 'wx-unionid:uCALLER987654'],
      ['wx-openid:wxapp1:oOTHER000001', 'wx-unionid:uOTHER0000001'],
      ['phone:+86:13800138000'],
    ]);
    expect(units.map((unit) => unit.anchor)).toEqual(['wx-unionid:uCALLER987654', 'wx-unionid:uOTHER0000001', 'phone:+86:13800138000']);
  });

  it("given no pairs (data from before them), groups by how the keys came: own keys together, a link's keys together", () => {
    expect(keysOf(unitsOf([...mine, ...theirs], []))).toEqual([
      ['wx-openid:wxapp1:oCALLER123456', 'wx-openid:wxapp2:oCALLERAPP2xx', 'wx-unionid:uCALLER987654'],
      ['wx-openid:wxapp1:oOTHER000001', 'wx-unionid:uOTHER0000001'],
    ]);
  });

  it('given openid-only WeChat accounts, makes each its own unit', () => {
    const openidOnly = [owned('wx-openid:wxapp1:oA', 1), owned('wx-openid:wxapp1:oB', 2, 'old')];
    expect(keysOf(unitsOf(openidOnly, []))).toEqual([['wx-openid:wxapp1:oA'], ['wx-openid:wxapp1:oB']]);
  });

  it('given a pair naming a key the account does not hold, ignores it; malformed pairs are not read', () => {
    const pairs = readWechatPairs([
      { openidKey: 'wx-openid:wxapp1:oOTHER000001', unionidKey: 'wx-unionid:gone' },
      { openidKey: 'phone:+86:1', unionidKey: 'wx-unionid:uCALLER987654' },
      'junk',
    ]);
    expect(pairs).toHaveLength(1);
    expect(keysOf(unitsOf([owned('wx-openid:wxapp1:oOTHER000001', 1)], pairs))).toEqual([['wx-openid:wxapp1:oOTHER000001']]);
  });
});

describe('leavesWayBack: what still signs in to this mini-program', () => {
  it("counts this app's openid, a unionid (this app has unionids) and the phone; not another app's openid or e-mail", () => {
    expect(leavesWayBack(['wx-openid:wxapp1:oX'], caller)).toBe(true);
    expect(leavesWayBack(['wx-unionid:uX'], caller)).toBe(true);
    expect(leavesWayBack(['phone:+86:13800138000'], caller)).toBe(true);
    expect(leavesWayBack(['wx-openid:wxapp2:oX', 'email:a@example.com'], caller)).toBe(false);
    expect(leavesWayBack([], caller)).toBe(false);
  });

  it('given a caller whose app has no unionid, a unionid does not bring anyone back here', () => {
    expect(leavesWayBack(['wx-unionid:uX'], identityKeysFor({ appid: 'wxapp1', openid: 'oY' }))).toBe(false);
  });
});

describe('summarizeIdentities', () => {
  it('lists one row per WeChat account with its apps, the phone masked, and never a raw identifier', () => {
    const rows = summarizeIdentities(
      'u1',
      [...mine, ...theirs, phone],
      [],
      caller,
      new Map([['old-account', { nickName: '小明', avatarUrl: 'https://tmp.example/ming.png' }]]),
    );
    expect(rows.map(({ id: _id, ...row }) => row)).toEqual([
      {
        kind: 'wechat',
        display: '',
        apps: [
          { appid: 'wxapp1', thisApp: true },
          { appid: 'wxapp2', thisApp: false },
        ],
        openPlatform: true,
        linked: false,
        linkedFromNickName: '',
        linkedFromAvatarUrl: '',
        current: true,
        canUnlink: true,
        linkedAt: 1000,
      },
      {
        kind: 'wechat',
        display: '',
        apps: [{ appid: 'wxapp1', thisApp: true }],
        openPlatform: true,
        linked: true,
        linkedFromNickName: '小明',
        linkedFromAvatarUrl: 'https://tmp.example/ming.png',
        current: false,
        canUnlink: true,
        linkedAt: 600,
      },
      {
        kind: 'phone',
        display: '138****8000',
        apps: [],
        openPlatform: false,
        linked: false,
        linkedFromNickName: '',
        linkedFromAvatarUrl: '',
        current: false,
        canUnlink: true,
        linkedAt: 3000,
      },
    ]);
    for (const secret of ['oCALLER123456', 'uCALLER987654', 'uOTHER', '13800138000']) expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('given only the current WeChat, nothing can be unlinked; with the phone beside it, both can', () => {
    expect(summarizeIdentities('u1', mine, [], caller).map((row) => row.canUnlink)).toEqual([false]);
    expect(summarizeIdentities('u1', [...mine, phone], [], caller).map((row) => row.canUnlink)).toEqual([true, true]);
  });

  it("given the other WeChat account of another app only, the current one is this app's last way in", () => {
    const rows = summarizeIdentities('u1', [...mine, owned('wx-openid:wxapp9:oFOREIGN0001', 5, 'old')], [], caller);
    expect(rows.map((row) => [row.current, row.canUnlink])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('given ids, makes them opaque and different per user', () => {
    const id = identityIdFor('u1', 'phone:+86:13800138000');
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(identityIdFor('u2', 'phone:+86:13800138000')).not.toBe(id);
  });
});

describe('pairsAfterLogin', () => {
  const pair = { openidKey: caller.openid, unionidKey: caller.unionid ?? '' };

  it('given a login holding both keys and no pair yet, adds it; given it recorded, changes nothing', () => {
    expect(pairsAfterLogin(undefined, caller, caller.all)).toEqual([pair]);
    expect(pairsAfterLogin([pair], caller, caller.all)).toBeNull();
  });

  it('given the openid recorded with another unionid, replaces that pair', () => {
    expect(pairsAfterLogin([{ openidKey: caller.openid, unionidKey: 'wx-unionid:old' }], caller, caller.all)).toEqual([pair]);
  });

  it('given no unionid, or a key the user does not hold, records nothing', () => {
    expect(pairsAfterLogin(undefined, identityKeysFor({ appid: 'wxapp1', openid: 'o' }), ['wx-openid:wxapp1:o'])).toBeNull();
    expect(pairsAfterLogin(undefined, caller, [caller.openid])).toBeNull();
  });
});

describe('ownedIdentities', () => {
  it('counts a move as a link only from an account merged into this one; a takeover from a deleted account is the own key', () => {
    const at = new Date(1000);
    const docs = [
      { _id: 'wx-unionid:uA', userId: 'u1', createdAt: at, movedFrom: 'merged-account', movedAt: new Date(2000) },
      { _id: 'wx-openid:wxapp1:oB', userId: 'u1', createdAt: at, movedFrom: 'deleted-account', movedAt: new Date(3000) },
    ];
    expect(ownedIdentities(docs, new Set(['merged-account']))).toEqual([
      { key: 'wx-unionid:uA', createdAt: at, movedFrom: 'merged-account', movedAt: new Date(2000) },
      { key: 'wx-openid:wxapp1:oB', createdAt: at, movedFrom: null, movedAt: null },
    ]);
  });
});

describe('mergedProfiles: who a linked WeChat was when it joined', () => {
  it('takes the nickname and avatar the absorbed account kept: a stored file by its fresh URL, a legacy avatar as stored', () => {
    const profiles = mergedProfiles(
      [
        { _id: 'a', status: 'merged', nickName: '小红', avatarFileID: 'cloud://env.b/avatars/a/1.jpg', avatarUrl: 'https://expired' },
        { _id: 'b', status: 'merged', userInfo: { nickName: '老王', avatarUrl: 'https://legacy/w.png' } },
        { _id: 'c', status: 'merged', avatarFileID: 'cloud://env.b/avatars/c/gone.jpg' },
      ],
      new Map([['cloud://env.b/avatars/a/1.jpg', 'https://tmp/a.jpg']]),
    );
    expect(Object.fromEntries(profiles)).toEqual({
      a: { nickName: '小红', avatarUrl: 'https://tmp/a.jpg' },
      b: { nickName: '老王', avatarUrl: 'https://legacy/w.png' },
      c: { nickName: '', avatarUrl: '' },
    });
  });
});
