import type { ContentSecurityApi, PhoneNumberApi } from './services/wechat-open-api';
import type { FileStorage } from './services/file-storage';
import type { AccountStore } from './store/account-store';
import type { UserStore } from './store/user-store';

/** What the account actions (everything but login) are given; index.ts wires the real ones. */
export interface AccountDeps {
  /** Identity claims (insert-wins), shared with login. */
  store: UserStore;
  accounts: AccountStore;
  phone: PhoneNumberApi;
  security: ContentSecurityApi;
  files: FileStorage;
  now: () => Date;
  /** 32 random bytes, base64url (link tickets). */
  randomToken: () => string;
  /** Server-side log only; never reaches the caller. */
  warn: (message: string, detail?: unknown) => void;
}

/** Per invocation, from cloud.getWXContext(). */
export interface Invocation {
  /** The CloudBase environment id (ENV); '' when unknown, which makes every fileID foreign. */
  env: string;
}
