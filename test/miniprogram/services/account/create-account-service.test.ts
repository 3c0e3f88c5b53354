import type { FileUploader } from '../../../../miniprogram/ports';
import { avatarExtension, createAccountService } from '../../../../miniprogram/services/account/create-account-service';
import { createAuthService } from '../../../../miniprogram/services/auth/create-auth-service';
import { sessionKey } from '../../../../miniprogram/services/auth/session-store';
import { ServiceError } from '../../../../miniprogram/services/service-error';
import type { ActionName, PublicUser } from '../../../../typings/contract';
import { aLinkOffer, anIdentity, failureWithDetails, wechatAndPhone } from '../../support/accounts';
import { createFakeClock } from '../../support/fake-clock';
import type { CloudCall } from '../../support/fake-cloud';
import { createFakeCloud } from '../../support/fake-cloud';
import { createMemoryStorage } from '../../support/memory-storage';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';
import { aFileExport, anInlineExport } from '../../support/personal-data';

type Answers = Partial<Record<ActionName, (call: CloudCall) => unknown>>;

/** The account service on a real auth service, a scripted login function and a recording uploader. */
function setup(answers: Answers = {}, loggedInAs: PublicUser | null = aUser()) {
  const cloud = createFakeCloud((call) => {
    const action = call.data.action as ActionName;
    const answer = answers[action];
    if (answer) return answer(call);
    if (action === 'login') return loginAnswer(loggedInAs ?? aUser());
    throw new Error(`unexpected action ${String(action)}`);
  });
  const clock = createFakeClock();
  const auth = createAuthService({ storage: createMemoryStorage(), cloud, clock, scope: { envId: 'env-1', appId: 'wx-app' } });
  const uploads: { cloudPath: string; filePath: string }[] = [];
  const uploader: FileUploader = {
    async upload(cloudPath, filePath) {
      uploads.push({ cloudPath, filePath });
      return `cloud://env-1.bucket/${cloudPath}`;
    },
  };
  const account = createAccountService({ auth, uploader });
  return { cloud, auth, account, uploads, clock };
}

async function loggedIn(answers: Answers = {}, user: PublicUser = aUser()) {
  const harness = setup(answers, user);
  await harness.auth.login();
  harness.cloud.calls.length = 0;
  return harness;
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const ok = (data: unknown) => () => ({ ok: true, data });

describe('createAccountService', () => {
  describe('avatarExtension', () => {
    it.each([
      ['http://tmp/abc.PNG', 'png'],
      ['wxfile://tmp_abc.jpeg', 'jpeg'],
      ['http://tmp/abc.webp?x=1', 'webp'],
      ['http://tmp/abc', 'jpg'],
      ['http://tmp/abc.exe', 'jpg'],
    ])('%s is asked for as %s', (path, extension) => {
      expect(avatarExtension(path)).toBe(extension);
    });
  });

  describe('updateAvatar', () => {
    const prepared = (cloudPath: string) => ok({ cloudPath });

    it('asks the function for the path, uploads there, saves the fileID and caches the user the function answered', async () => {
      const { account, auth, cloud, uploads } = await loggedIn({
        prepareAvatarUpload: prepared('avatars/user-1/m1-token.png'),
        updateProfile: ok({ user: aUser({ avatarUrl: 'https://cdn/a.png' }) }),
      });

      const user = await account.updateAvatar('http://tmp/a.png');

      expect(uploads).toEqual([{ cloudPath: 'avatars/user-1/m1-token.png', filePath: 'http://tmp/a.png' }]);
      expect(cloud.calls.map((call) => call.data)).toEqual([
        { action: 'prepareAvatarUpload', extension: 'png' },
        { action: 'updateProfile', avatarFileID: 'cloud://env-1.bucket/avatars/user-1/m1-token.png' },
      ]);
      expect(user.avatarUrl).toBe('https://cdn/a.png');
      expect(auth.currentUser()?.avatarUrl).toBe('https://cdn/a.png');
    });

    it('given a device cache naming another user, the upload still goes where the function said', async () => {
      const scope = { envId: 'env-1', appId: 'wx-app' };
      const stored = JSON.stringify({ savedAt: 0, user: aUser({ id: 'victim' }) });
      const storage = createMemoryStorage({ [sessionKey(scope)]: stored });
      const cloud = createFakeCloud((call) =>
        call.data.action === 'prepareAvatarUpload'
          ? { ok: true, data: { cloudPath: 'avatars/user-1/m1-token.jpg' } }
          : { ok: true, data: { user: aUser({ id: 'user-1' }) } },
      );
      const clock = createFakeClock();
      const auth = createAuthService({ storage, cloud, clock, scope });
      const uploads: string[] = [];
      const uploader: FileUploader = {
        async upload(cloudPath) {
          uploads.push(cloudPath);
          return `cloud://env-1.bucket/${cloudPath}`;
        },
      };

      await createAccountService({ auth, uploader }).updateAvatar('http://tmp/a.png');

      expect(uploads).toEqual(['avatars/user-1/m1-token.jpg']);
      expect(cloud.actions()).toEqual(['prepareAvatarUpload', 'updateProfile']);
    });

    it('given an answer that is not an avatar path, uploads nothing and saves nothing', async () => {
      const { account, cloud, uploads } = await loggedIn({ prepareAvatarUpload: prepared('avatars/user-1/../../other/x.png') });

      expect((await rejection(account.updateAvatar('http://tmp/a.png'))).code).toBe('INVALID_RESPONSE');
      expect(uploads).toEqual([]);
      expect(cloud.actions()).toEqual(['prepareAvatarUpload']);
    });

    it('a failed upload saves nothing and keeps the cached user', async () => {
      const harness = await loggedIn({ prepareAvatarUpload: prepared('avatars/user-1/m1-token.png') });
      const account = createAccountService({
        auth: harness.auth,
        uploader: { upload: () => Promise.reject(new ServiceError('UPLOAD_FAILED', 'denied')) },
      });

      expect((await rejection(account.updateAvatar('http://tmp/a.png'))).code).toBe('UPLOAD_FAILED');
      expect(harness.cloud.actions()).toEqual(['prepareAvatarUpload']);
      expect(harness.auth.currentUser()).toEqual(aUser());
    });

    it("passes the function's refusal of the file through, the cached user unchanged", async () => {
      const { account, auth } = await loggedIn({
        prepareAvatarUpload: prepared('avatars/user-1/m1-token.png'),
        updateProfile: () => failureAnswer('AVATAR_INVALID'),
      });

      expect((await rejection(account.updateAvatar('http://tmp/a.png'))).code).toBe('AVATAR_INVALID');
      expect(auth.currentUser()).toEqual(aUser());
    });
  });

  describe('updateNickname', () => {
    it('sends the trimmed nickname and caches the answer', async () => {
      const { account, auth, cloud } = await loggedIn({ updateProfile: ok({ user: aUser({ nickName: '云朵' }) }) });

      await account.updateNickname('  云朵 ');

      expect(cloud.calls.map((call) => call.data)).toEqual([{ action: 'updateProfile', nickName: '云朵' }]);
      expect(auth.currentUser()?.nickName).toBe('云朵');
    });

    it('an unchanged nickname costs no call; an empty one is refused on the device', async () => {
      const { account, cloud } = await loggedIn({}, aUser({ nickName: '小明' }));

      expect((await account.updateNickname('小明 ')).nickName).toBe('小明');
      expect((await rejection(account.updateNickname('  '))).code).toBe('NICKNAME_INVALID');
      expect(cloud.calls).toEqual([]);
    });

    it("passes the server's refusal through, the cached user unchanged", async () => {
      const { account, auth } = await loggedIn({ updateProfile: () => failureAnswer('CONTENT_RISKY') }, aUser({ nickName: '小明' }));

      expect((await rejection(account.updateNickname('坏名字'))).code).toBe('CONTENT_RISKY');
      expect(auth.currentUser()?.nickName).toBe('小明');
    });
  });

  describe('findAccountByPhone', () => {
    it('signed out, asks without logging in: no login call, nothing cached', async () => {
      const { account, auth, cloud } = setup({ findAccountByPhone: ok({ found: 'account', offer: aLinkOffer() }) }, null);

      expect(await account.findAccountByPhone('code-1', 'realtime')).toEqual({ found: 'account', offer: aLinkOffer() });
      expect(cloud.calls.map((call) => call.data)).toEqual([{ action: 'findAccountByPhone', code: 'code-1', kind: 'realtime' }]);
      expect(auth.currentUser()).toBeNull();
    });

    it('a number nobody holds comes with its ticket; an answer off the contract is refused', async () => {
      const none = { found: 'none', maskedPhoneNumber: '138****8000', hasAccount: false, ticket: 'lt1_none', expiresAt: 1_900_000_000_000 };
      expect(await setup({ findAccountByPhone: ok(none) }, null).account.findAccountByPhone('c', 'quick')).toEqual(none);
      const bad = setup({ findAccountByPhone: ok({ found: 'none', ticket: '' }) }, null);
      expect((await rejection(bad.account.findAccountByPhone('c', 'quick'))).code).toBe('INVALID_RESPONSE');
    });

    it("WeChat's refusal is the error, and a signed-in session is left as it was", async () => {
      const { account, auth } = await loggedIn({ findAccountByPhone: () => failureAnswer('PHONE_QUOTA_EXCEEDED') });

      expect((await rejection(account.findAccountByPhone('c', 'quick'))).code).toBe('PHONE_QUOTA_EXCEEDED');
      expect(auth.currentUser()).not.toBeNull();
    });
  });

  describe('bindPhone', () => {
    it('bound: caches the user (masked number) and hands the full number to the caller only', async () => {
      const user = aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' });
      const { account, auth } = await loggedIn({ bindPhone: ok({ user, phoneNumber: '13800138000' }) });

      expect(await account.bindPhone('code-1', 'quick')).toEqual({ kind: 'bound', user, phoneNumber: '13800138000' });
      expect(auth.currentUser()?.maskedPhoneNumber).toBe('138****8000');
    });

    it('a number of another account with a valid offer is an offer, not an error', async () => {
      const offer = aLinkOffer();
      const { account } = await loggedIn({ bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', offer) });

      expect(await account.bindPhone('code-1', 'quick')).toEqual({ kind: 'link-offer', offer });
    });

    it.each([
      ['no details', undefined],
      ['a user id instead of a ticket', { preview: aLinkOffer().preview, userId: 'user-2' }],
      ['an unknown provider', { ...aLinkOffer(), preview: { ...aLinkOffer().preview, movingIdentities: ['email'] } }],
      ['an empty ticket', { ...aLinkOffer(), ticket: '' }],
    ])('an offer with %s is not trusted: the error comes through as it is', async (_label, details) => {
      const { account } = await loggedIn({ bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', details) });

      expect((await rejection(account.bindPhone('code-1', 'quick'))).code).toBe('PHONE_BELONGS_TO_ANOTHER_ACCOUNT');
    });
  });

  describe('confirmLink', () => {
    it('caches the linked account, whose id differs from the old one', async () => {
      const target = aUser({ id: 'existing', nickName: '老账号' });
      const { account, auth, cloud } = await loggedIn({ confirmLink: ok({ user: target }) });

      expect(await account.confirmLink('lt1_x')).toEqual(target);
      expect(cloud.calls.map((call) => call.data)).toEqual([{ action: 'confirmLink', ticket: 'lt1_x' }]);
      expect(auth.currentUser()?.id).toBe('existing');
    });

    it('LINK_TICKET_USED: logs in again (the link may have happened), then rejects with USED', async () => {
      const { account, auth, cloud } = await loggedIn({
        confirmLink: () => failureAnswer('LINK_TICKET_USED'),
        login: () => loginAnswer(aUser({ id: 'existing' })),
      });

      expect((await rejection(account.confirmLink('lt1_x'))).code).toBe('LINK_TICKET_USED');
      expect(cloud.calls.map((call) => call.data.action)).toEqual(['confirmLink', 'login']);
      expect(auth.currentUser()?.id).toBe('existing');
    });

    it('other ticket failures change nothing', async () => {
      const { account, auth, cloud } = await loggedIn({ confirmLink: () => failureAnswer('LINK_TICKET_EXPIRED') });

      expect((await rejection(account.confirmLink('lt1_x'))).code).toBe('LINK_TICKET_EXPIRED');
      expect(cloud.calls).toHaveLength(1);
      expect(auth.currentUser()?.id).toBe('user-1');
    });
  });

  describe('identities', () => {
    it('lists them, refusing an answer with a malformed entry', async () => {
      const { account } = await loggedIn({ listIdentities: ok({ identities: wechatAndPhone() }) });
      expect(await account.listIdentities()).toEqual(wechatAndPhone());

      const broken = await loggedIn({ listIdentities: ok({ identities: [{ ...anIdentity(), kind: 'email' }] }) });
      expect((await rejection(broken.account.listIdentities())).code).toBe('INVALID_RESPONSE');
    });

    it("unlinking the phone also clears the cached user's number", async () => {
      const { account, auth } = await loggedIn(
        { unlinkIdentity: ok({ identities: wechatAndPhone().slice(0, 1), signedOut: false }) },
        aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }),
      );

      await account.unlinkIdentity('identity-phone');

      expect(auth.currentUser()).toMatchObject({ hasPhone: false, maskedPhoneNumber: '' });
    });

    it('signedOut: this device is logged out, and the next login says it created a new account', async () => {
      const { account, auth, cloud } = await loggedIn({ unlinkIdentity: ok({ identities: [], signedOut: true }) });

      expect((await account.unlinkIdentity('identity-wechat')).signedOut).toBe(true);
      expect(auth.currentUser()).toBeNull();
      expect(auth.takeSessionNotice()).toEqual({ kind: 'signed-out', reason: 'unlinked' });

      cloud.answer(() => loginAnswer(aUser({ id: 'user-new' }), true));
      await auth.login();
      expect(auth.takeSessionNotice()).toEqual({ kind: 'account-changed', isNewUser: true });
    });

    it('USER_NOT_FOUND (this WeChat was already unlinked): logs out instead of logging in to a new account', async () => {
      const { account, auth, cloud } = await loggedIn({ unlinkIdentity: () => failureAnswer('USER_NOT_FOUND') });

      expect((await rejection(account.unlinkIdentity('identity-wechat'))).code).toBe('USER_NOT_FOUND');
      expect(cloud.calls.map((call) => call.data.action)).toEqual(['unlinkIdentity']);
      expect(auth.currentUser()).toBeNull();
    });
  });

  describe('deleteAccount', () => {
    it('sends the explicit confirmation and logs out', async () => {
      const { account, auth, cloud } = await loggedIn({ deleteAccount: ok({ deleted: true }) });

      await account.deleteAccount();

      expect(cloud.calls.map((call) => call.data)).toEqual([{ action: 'deleteAccount', confirm: true }]);
      expect(auth.currentUser()).toBeNull();
    });

    it('an account already gone counts as deleted, and no new account is created for it', async () => {
      const { account, auth, cloud } = await loggedIn({ deleteAccount: () => failureAnswer('USER_NOT_FOUND') });

      await account.deleteAccount();

      expect(cloud.calls.map((call) => call.data.action)).toEqual(['deleteAccount']);
      expect(auth.currentUser()).toBeNull();
      // The person asked for the deletion: nothing to tell them about a session that "ended".
      expect(auth.takeSessionNotice()).toBeNull();
    });

    it('logged out, it calls nothing at all (never logs in just to delete)', async () => {
      const { account, cloud } = setup({}, null);

      expect((await rejection(account.deleteAccount())).code).toBe('USER_NOT_FOUND');
      expect(cloud.calls).toEqual([]);
    });

    it('other failures keep the session', async () => {
      const { account, auth } = await loggedIn({ deleteAccount: () => failureAnswer('INTERNAL') });

      expect((await rejection(account.deleteAccount())).code).toBe('INTERNAL');
      expect(auth.currentUser()).not.toBeNull();
    });
  });

  describe('exportMyData', () => {
    it('sends the action and hands over the answer, inline or as a file', async () => {
      const { account, cloud } = await loggedIn({ exportMyData: ok(anInlineExport()) });
      expect(await account.exportMyData()).toEqual(anInlineExport());
      expect(cloud.calls.map((call) => call.data)).toEqual([{ action: 'exportMyData' }]);

      const large = await loggedIn({ exportMyData: ok(aFileExport()) });
      expect(await large.account.exportMyData()).toEqual(aFileExport());
    });

    it('given no session yet, logs in first (the protected path), then exports', async () => {
      const { account, cloud } = setup({ exportMyData: ok(anInlineExport()) });
      await account.exportMyData();
      expect(cloud.calls.map((call) => call.data.action)).toEqual(['login', 'exportMyData']);
    });

    it('RATE_LIMITED keeps the wait; a malformed answer is INVALID_RESPONSE', async () => {
      const { account } = await loggedIn({
        exportMyData: () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'limited', details: { retryAfterMs: 240000 } } }),
      });
      const limited = await rejection(account.exportMyData());
      expect({ code: limited.code, retryAfterMs: limited.retryAfterMs }).toEqual({ code: 'RATE_LIMITED', retryAfterMs: 240000 });

      const broken = await loggedIn({ exportMyData: ok({ ...anInlineExport(), delivery: 'email' }) });
      expect((await rejection(broken.account.exportMyData())).code).toBe('INVALID_RESPONSE');
    });
  });
});
