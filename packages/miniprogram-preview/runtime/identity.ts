/**
 * Who the simulated WeChat user is. In WeChat, every wx.cloud.callFunction carries the caller's
 * OPENID (one per person per mini-program), APPID and, when the mini-program is bound to an open
 * platform account, UNIONID (one per person across its apps). The preview sends them to the
 * emulator as x-wx-openid / x-wx-appid / x-wx-unionid, and keeps local storage per (appid, openid)
 * as WeChat keeps it per WeChat user and mini-program.
 *
 * The presets are two people and two mini-programs of one open platform, so "another person"
 * and "the same person in another app" are one click away. The identity lives in the page's query
 * (`?openid=&unionid=&appid=`): a reload keeps it, a link shares it.
 */
import { callerHeaders } from '../shared/emulator-transport';

export interface PreviewIdentity {
  openid: string;
  /** '' when the mini-program is not bound to an open platform account. */
  unionid: string;
  appid: string;
}

export interface PresetApp {
  key: string;
  name: string;
  appid: string;
}

export interface PresetPerson {
  key: string;
  /** What the preview shows, and the nickname WeChat offers in <input type="nickname">. */
  name: string;
  unionid: string;
  /** Offered by the simulated getPhoneNumber sheet. */
  phoneNumber: string;
}

export const PRESET_APPS: readonly PresetApp[] = [
  { key: 'a', name: '小程序 A', appid: 'wx_preview_app_a' },
  { key: 'b', name: '小程序 B', appid: 'wx_preview_app_b' },
];

export const PRESET_PEOPLE: readonly PresetPerson[] = [
  { key: 'xiaoming', name: '小明', unionid: 'unionid-xiaoming', phoneNumber: '13800138000' },
  { key: 'xiaohong', name: '小红', unionid: 'unionid-xiaohong', phoneNumber: '13900139000' },
];

/** A person's openid in an app: distinct per app, as WeChat's are. */
export function presetOpenid(person: PresetPerson, app: PresetApp): string {
  return `openid-${person.key}-${app.key}`;
}

export function presetIdentity(person: PresetPerson, app: PresetApp): PreviewIdentity {
  return { openid: presetOpenid(person, app), unionid: person.unionid, appid: app.appid };
}

function first<T>(items: readonly T[]): T {
  const item = items[0];
  if (item === undefined) throw new Error('preview: a preset list is empty');
  return item;
}

export const DEFAULT_IDENTITY: PreviewIdentity = presetIdentity(first(PRESET_PEOPLE), first(PRESET_APPS));

/** Ids travel in HTTP headers: keep them to printable ASCII without spaces. */
export function isValidId(value: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(value);
}

/** Reads `?openid=&unionid=&appid=`; missing or invalid fields fall back to the default person in app A. */
export function identityFromQuery(search: string): PreviewIdentity {
  const params = new URLSearchParams(search);
  const openid = params.get('openid') ?? '';
  const appid = params.get('appid') ?? '';
  const unionid = params.get('unionid');
  if (!isValidId(openid) || !isValidId(appid)) return DEFAULT_IDENTITY;
  return { openid, appid, unionid: unionid !== null && isValidId(unionid) ? unionid : '' };
}

export function queryForIdentity(identity: PreviewIdentity): string {
  const params = new URLSearchParams({ openid: identity.openid, unionid: identity.unionid, appid: identity.appid });
  return `?${params.toString()}`;
}

/** The preset person and app an identity corresponds to, when it is one. */
export function matchPreset(identity: PreviewIdentity): { person: PresetPerson | null; app: PresetApp | null } {
  const app = PRESET_APPS.find((candidate) => candidate.appid === identity.appid) ?? null;
  const person =
    PRESET_PEOPLE.find(
      (candidate) => candidate.unionid === identity.unionid && (app === null || presetOpenid(candidate, app) === identity.openid),
    ) ?? null;
  return { person, app };
}

/** The headers the emulator reads the caller from (shared/emulator-transport.ts). */
export function identityHeaders(identity: PreviewIdentity): Record<string, string> {
  return callerHeaders(identity);
}
