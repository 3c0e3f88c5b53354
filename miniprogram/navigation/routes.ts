/**
 * Where pages live and where the login page goes back to. Pure: platform/wx-navigation.ts
 * performs the steps decided here.
 */

export const ROUTES = {
  home: '/pages/index/index',
  profile: '/pages/profile/index',
  login: '/pages/login/index',
  agreement: '/pages/agreement/index',
  profileEdit: '/pages/profile-edit/index',
  accountSecurity: '/pages/account-security/index',
  accountDelete: '/pages/account-delete/index',
  personalData: '/pages/personal-data/index',
  notes: '/pages/notes/index',
} as const;

/** Must match app.json's tabBar.list (a test checks it): these pages are reached with switchTab only. */
export const TAB_ROUTES: readonly string[] = [ROUTES.home, ROUTES.profile];

export type DocumentType = 'terms' | 'privacy';

export type NavigationStep =
  | { kind: 'navigateTo'; url: string }
  | { kind: 'redirectTo'; url: string }
  | { kind: 'switchTab'; url: string }
  | { kind: 'back' };

const KNOWN_PATHS: readonly string[] = Object.values(ROUTES);

function pathOf(url: string): string {
  return url.split('?')[0] ?? '';
}

/** The login page, told where to go back to when it cannot simply navigateBack. */
export function loginStep(returnTo: string): NavigationStep {
  return { kind: 'navigateTo', url: `${ROUTES.login}?redirect=${encodeURIComponent(returnTo)}` };
}

/** A page of ours opened on top of the current one. */
export function openStep(route: string): NavigationStep {
  return { kind: 'navigateTo', url: route };
}

/**
 * To the home page after the account is gone: switchTab when home is a tab page (it takes no
 * query and must not be navigated to), else redirectTo (`npm run add` gives home the project's first page).
 */
export function homeStep(): NavigationStep {
  return TAB_ROUTES.includes(ROUTES.home) ? { kind: 'switchTab', url: ROUTES.home } : { kind: 'redirectTo', url: ROUTES.home };
}

export function documentStep(type: DocumentType): NavigationStep {
  return { kind: 'navigateTo', url: `${ROUTES.agreement}?type=${type}` };
}

/**
 * Reads the login page's `redirect` query. WeChat hands navigateTo query values to onLoad still
 * percent-encoded. Only our own pages are accepted, never the login page itself; else home.
 */
export function parseRedirect(raw: string | undefined): string {
  if (!raw) return ROUTES.home;
  let url: string;
  try {
    url = decodeURIComponent(raw);
  } catch {
    return ROUTES.home;
  }
  const path = pathOf(url);
  return KNOWN_PATHS.includes(path) && path !== ROUTES.login ? url : ROUTES.home;
}

/**
 * After a successful login: back to the sender when it is under us on the stack; otherwise
 * (the login page was opened first) to `redirect` — with switchTab for a tab page, which takes
 * no query string, and redirectTo for any other page.
 */
export function returnStep(stackDepth: number, redirect: string): NavigationStep {
  if (stackDepth > 1) return { kind: 'back' };
  const path = pathOf(redirect);
  return TAB_ROUTES.includes(path) ? { kind: 'switchTab', url: path } : { kind: 'redirectTo', url: redirect };
}
