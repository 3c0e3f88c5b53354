import type {
  ExportMyDataData,
  FindAccountByPhoneData,
  IdentitySummary,
  LinkOffer,
  PhoneCheckKind,
  PublicUser,
  UnlinkIdentityData,
} from '../../../typings/contract';
import type { FileUploader } from '../../ports';
import type { AuthService } from '../auth/create-auth-service';
import {
  isAvatarUploadData,
  isBindPhoneData,
  isDeleteAccountData,
  isExportMyDataData,
  isFindAccountByPhoneData,
  isIdentityList,
  isUnlinkIdentityData,
  isUserData,
} from '../response-guards';
import { fromErrorBody, ServiceError, toServiceError } from '../service-error';

/**
 * The account actions of issue 5 as the pages use them: profile, phone number, linking to an
 * existing account, identities, deletion. Every call goes through the auth service's lazy-login
 * wrapper (callWithLogin), and every answer that carries a user replaces the cached one, so the
 * other pages show the change on their next onShow.
 *
 * Side effects besides the cloud function (the avatar upload) come in as small interfaces, like the
 * auth service's (ports.ts). Failures are ServiceErrors; pages map `code` to Chinese with
 * presenters/error-message.ts.
 */

export interface AccountServiceOptions {
  auth: AuthService;
  uploader: FileUploader;
}

/** What bindPhone led to: the number is bound, or it belongs to another account that may be linked. */
export type BindPhoneOutcome = { kind: 'bound'; user: PublicUser; phoneNumber: string } | { kind: 'link-offer'; offer: LinkOffer };

export interface AccountService {
  /** Saves a nickname (trimmed). An unchanged one resolves with the cached user without a call. */
  updateNickname(nickName: string): Promise<PublicUser>;
  /**
   * Makes the chooseAvatar temp file the avatar: prepareAvatarUpload names the path (the function
   * lists it on the account first), the file is uploaded there, updateProfile saves it.
   */
  updateAvatar(tempFilePath: string): Promise<PublicUser>;
  /**
   * `code` from the getPhoneNumber (kind 'quick') or getRealtimePhoneNumber ('realtime') button.
   * A number of another account yields a link offer, not an error.
   */
  bindPhone(code: string, kind: PhoneCheckKind): Promise<BindPhoneOutcome>;
  /**
   * 「用手机号找回账号」: who holds the number WeChat verified for `code`, asked without logging in,
   * so nothing is created before the person decides (confirmLink with the answer's ticket does it).
   */
  findAccountByPhone(code: string, kind: PhoneCheckKind): Promise<FindAccountByPhoneData>;
  /**
   * Links this WeChat into the account of a link offer; resolves with that account (a new user id).
   * LINK_TICKET_USED means the link may already have happened (an answer lost on the way): the
   * service logs in again, so the cached user is whatever this WeChat now signs in to, then rejects.
   */
  confirmLink(ticket: string): Promise<PublicUser>;
  listIdentities(): Promise<IdentitySummary[]>;
  /**
   * When the answer says signedOut (the current WeChat was unlinked), this device is logged out
   * with the reason 'unlinked', so the next login says it created a new account.
   */
  unlinkIdentity(identityId: string): Promise<UnlinkIdentityData>;
  /** 注销账号. Logs out on success, and when the account turns out to be gone already. */
  deleteAccount(): Promise<void>;
  /**
   * 下载我的信息: everything stored about the account, or where to fetch it when it is large.
   * One export per person every few minutes: RATE_LIMITED carries the wait (retryAfterMs).
   */
  exportMyData(): Promise<ExportMyDataData>;
}

/** Extensions the avatar upload keeps; anything else is stored as .jpg (what chooseAvatar produces). */
const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp)$/i;

/** The extension of a chosen image for prepareAvatarUpload: one the function accepts, else 'jpg'. */
export function avatarExtension(tempFilePath: string): string {
  return IMAGE_EXTENSION.exec(tempFilePath.split('?')[0] ?? '')?.[1]?.toLowerCase() ?? 'jpg';
}

export function createAccountService({ auth, uploader }: AccountServiceOptions): AccountService {
  function keep(user: PublicUser): PublicUser {
    return auth.saveUser(user);
  }

  /**
   * unlinkIdentity answers the identities, not the user; but unlinking the phone identity also
   * clears the profile's number (docs/accounts.md). Mirror that in the cached user rather than
   * spend a login call on it.
   */
  function forgetUnlinkedPhone(identities: IdentitySummary[]): void {
    const user = auth.currentUser();
    if (user?.hasPhone && !identities.some((identity) => identity.kind === 'phone')) {
      auth.saveUser({ ...user, hasPhone: false, maskedPhoneNumber: '' });
    }
  }

  return {
    async updateNickname(nickName) {
      const trimmed = nickName.trim();
      if (trimmed === '') throw new ServiceError('NICKNAME_INVALID', 'empty nickname (checked on the client)');
      const current = auth.currentUser();
      if (current && current.nickName === trimmed) return current;
      const { user } = await auth.callWithLogin('updateProfile', { nickName: trimmed }, isUserData);
      return keep(user);
    },

    async updateAvatar(tempFilePath) {
      // The function names the path — in the folder of the account it resolves, never one taken
      // from the device's cache — and lists it on the account before the upload, so an image
      // uploaded and never saved (the page closed in between) still goes with 注销.
      const { cloudPath } = await auth.callWithLogin(
        'prepareAvatarUpload',
        { extension: avatarExtension(tempFilePath) },
        isAvatarUploadData,
      );
      const fileID = await uploader.upload(cloudPath, tempFilePath);
      return keep((await auth.callWithLogin('updateProfile', { avatarFileID: fileID }, isUserData)).user);
    },

    async bindPhone(code, kind) {
      // The link offer is an answer, not a failure: read it from the result, nothing is thrown.
      const result = await auth.callForResult('bindPhone', { code, kind }, isBindPhoneData);
      if (result.ok) return { kind: 'bound', user: keep(result.data.user), phoneNumber: result.data.phoneNumber };
      const { error } = result;
      // The guard kept the offer only when it checked out; without one the page can only say the
      // number is taken, so the refusal is thrown as it came.
      if (error.code === 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT' && error.details) return { kind: 'link-offer', offer: error.details };
      throw fromErrorBody(error);
    },

    async findAccountByPhone(code, kind) {
      const result = await auth.callAsGuest('findAccountByPhone', { code, kind }, isFindAccountByPhoneData);
      if (!result.ok) throw fromErrorBody(result.error);
      return result.data;
    },

    async confirmLink(ticket) {
      try {
        const { user } = await auth.callWithLogin('confirmLink', { ticket }, isUserData);
        // The cached user id changes here: from now on this WeChat signs in to the linked account.
        return keep(user);
      } catch (error) {
        const failure = toServiceError(error);
        if (failure.code === 'LINK_TICKET_USED') {
          // docs/accounts.md: a committed link whose answer was lost answers USED on retry; a
          // fresh login shows which account this WeChat belongs to now.
          await auth.login().catch(() => undefined);
        }
        throw failure;
      }
    },

    async listIdentities() {
      return (await auth.callWithLogin('listIdentities', {}, isIdentityList)).identities;
    },

    async unlinkIdentity(identityId) {
      // No login of its own: after the current WeChat was unlinked (an answer lost, a second
      // device), "no user" is the truth (USER_NOT_FOUND ends the session in the auth service), and a
      // login would create a fresh account.
      const data = await auth.callWithLogin('unlinkIdentity', { identityId }, isUnlinkIdentityData, { relogin: false });
      if (data.signedOut) {
        auth.logout('unlinked');
      } else {
        forgetUnlinkedPhone(data.identities);
      }
      return data;
    },

    async deleteAccount() {
      // Never log in just to delete: a logged-out device has nothing to delete.
      if (!auth.currentUser()) throw new ServiceError('USER_NOT_FOUND', 'not logged in');
      try {
        await auth.callWithLogin('deleteAccount', { confirm: true }, isDeleteAccountData, { relogin: false });
      } catch (error) {
        const failure = toServiceError(error);
        // Already gone (a retry after a lost answer): the outcome the person asked for.
        if (failure.code !== 'USER_NOT_FOUND') throw failure;
      }
      // Before anything else: the next protected call would otherwise log in and create a new account.
      auth.logout();
    },

    async exportMyData() {
      return auth.callWithLogin('exportMyData', {}, isExportMyDataData);
    },
  };
}
