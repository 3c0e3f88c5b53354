import { getAuthService, setAuthService } from '../../../miniprogram/composition-root';
import type { PublicUser } from '../../../typings/contract';
import type { FakeWx } from './fake-wx';
import { loginAnswer } from './users';

const SESSION_PREFIX = 'wx-cloud-login:session:';

/**
 * State as a previous launch left it: `user` logged in and cached in (fake) wx storage.
 * Then a relaunch: a new auth service, and no cloud call recorded yet.
 */
export async function launchWithCachedUser(fake: FakeWx, user: PublicUser): Promise<void> {
  fake.answerCloud(() => loginAnswer(user));
  await getAuthService().login();
  relaunch(fake);
}

/** What reopening the mini-program does to the client: memory gone, storage kept. */
export function relaunch(fake: FakeWx): void {
  setAuthService(null);
  fake.cloudCalls.length = 0;
}

/** Makes the cached session `ms` older, as if that much time had passed since it was saved. */
export function ageCachedSession(fake: FakeWx, ms: number): void {
  for (const [key, value] of fake.storage) {
    if (key.startsWith(SESSION_PREFIX) && typeof value === 'string') {
      const session = JSON.parse(value) as { savedAt: number };
      fake.storage.set(key, JSON.stringify({ ...session, savedAt: session.savedAt - ms }));
    }
  }
}

export function hasCachedSession(fake: FakeWx): boolean {
  return [...fake.storage.keys()].some((key) => key.startsWith(SESSION_PREFIX));
}
