/**
 * The page around the phone: the bar that picks the simulated WeChat user (two people, two
 * mini-programs of one open platform, or any openid / unionid / appid), and the log of cloud
 * calls, so one can see that a cached launch makes none.
 */
import { matchPreset, presetIdentity, PRESET_APPS, PRESET_PEOPLE, isValidId, type PreviewIdentity } from './identity';
import type { CloudCallRecord } from './wx/cloud';

export interface UserBarActions {
  /** Relaunches the mini-program as this user (the page reloads with the new query). */
  switchTo(identity: PreviewIdentity): void;
  /** Deletes this user's local storage and privacy consent in this app, then relaunches. */
  clearLocalData(): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const CUSTOM = 'custom';

function select(
  id: string,
  label: string,
  options: { value: string; text: string }[],
  selected: string,
): { field: HTMLElement; input: HTMLSelectElement } {
  const field = element('label', 'pv-field');
  field.appendChild(element('span', 'pv-field__label', label));
  const input = element('select', 'pv-field__select');
  input.id = id;
  for (const option of options) {
    const node = element('option', '', option.text);
    node.value = option.value;
    node.selected = option.value === selected;
    input.appendChild(node);
  }
  field.appendChild(input);
  return { field, input };
}

function textField(id: string, label: string, value: string): { field: HTMLElement; input: HTMLInputElement } {
  const field = element('label', 'pv-field');
  field.appendChild(element('span', 'pv-field__label', label));
  const input = element('input', 'pv-field__input');
  input.id = id;
  input.value = value;
  input.spellcheck = false;
  field.appendChild(input);
  return { field, input };
}

export function renderUserBar(container: HTMLElement, identity: PreviewIdentity, actions: UserBarActions): void {
  const preset = matchPreset(identity);
  const bar = element('header', 'pv-bar');
  const heading = element('div', 'pv-bar__heading');
  heading.appendChild(element('strong', 'pv-bar__title', '小程序浏览器预览'));
  heading.appendChild(element('span', 'pv-bar__subtitle', 'Browser preview · 本地云开发模拟器'));
  bar.appendChild(heading);

  const presets = element('div', 'pv-bar__row');
  const person = select(
    'pv-person',
    '微信用户 User',
    [...PRESET_PEOPLE.map((item) => ({ value: item.key, text: `${item.name}（${item.key}）` })), { value: CUSTOM, text: '自定义 Custom' }],
    preset.person?.key ?? CUSTOM,
  );
  const app = select(
    'pv-app',
    '小程序 Mini-program',
    [...PRESET_APPS.map((item) => ({ value: item.key, text: `${item.name}（${item.appid}）` })), { value: CUSTOM, text: '自定义 Custom' }],
    preset.app?.key ?? CUSTOM,
  );
  presets.append(person.field, app.field);
  const applyPreset = () => {
    const chosenPerson = PRESET_PEOPLE.find((item) => item.key === person.input.value);
    const chosenApp = PRESET_APPS.find((item) => item.key === app.input.value);
    if (chosenPerson && chosenApp) actions.switchTo(presetIdentity(chosenPerson, chosenApp));
  };
  person.input.addEventListener('change', applyPreset);
  app.input.addEventListener('change', applyPreset);

  const ids = element('form', 'pv-bar__row pv-bar__ids');
  const openid = textField('pv-openid', 'OPENID', identity.openid);
  const unionid = textField('pv-unionid', 'UNIONID（可空）', identity.unionid);
  const appid = textField('pv-appid', 'APPID', identity.appid);
  const apply = element('button', 'pv-button pv-button--primary', '切换身份 Switch');
  apply.type = 'submit';
  ids.append(openid.field, unionid.field, appid.field, apply);
  ids.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { openid: openid.input.value.trim(), unionid: unionid.input.value.trim(), appid: appid.input.value.trim() };
    if (!isValidId(next.openid) || !isValidId(next.appid) || (next.unionid !== '' && !isValidId(next.unionid))) {
      window.alert('OPENID 和 APPID 必填，且只能包含可见 ASCII 字符 / OPENID and APPID are required, printable ASCII only');
      return;
    }
    actions.switchTo(next);
  });

  const tools = element('div', 'pv-bar__row');
  const clear = element('button', 'pv-button', '清除本机数据 Clear local data');
  clear.id = 'pv-clear';
  clear.type = 'button';
  clear.title =
    '删除该用户在该小程序中的本地缓存和隐私授权（相当于重新安装） / Deletes this user’s storage and privacy consent in this app';
  clear.addEventListener('click', () => actions.clearLocalData());
  const status = element('a', 'pv-link', '模拟器数据 Emulator data ↗');
  status.href = '/';
  status.target = '_blank';
  tools.append(clear, status);

  bar.append(presets, ids, tools);
  container.appendChild(bar);
}

export interface CallLog {
  add(record: CloudCallRecord): void;
}

export function renderCallLog(container: HTMLElement): CallLog {
  const panel = element('aside', 'pv-notes');
  panel.appendChild(element('h2', 'pv-notes__title', '云调用 Cloud calls'));
  const summary = element('p', 'pv-notes__summary', '本次启动 0 次 / 0 this launch');
  summary.id = 'pv-call-count';
  const list = element('ol', 'pv-calls');
  list.id = 'pv-calls';
  const help = element('p', 'pv-notes__help');
  help.textContent =
    '每次 wx.cloud 调用都带着上面选择的身份发往本地模拟器（x-wx-openid / x-wx-appid / x-wx-unionid）。刷新页面相当于重新打开小程序：已登录的用户从本机缓存显示，不发请求。' +
    ' Every wx.cloud call goes to the local emulator with the identity above. Reloading relaunches the mini-program.';
  panel.append(summary, list, help);
  container.appendChild(panel);
  let count = 0;
  return {
    add(record) {
      count += 1;
      summary.textContent = `本次启动 ${count} 次 / ${count} this launch`;
      const item = element('li', `pv-calls__item${record.ok ? '' : ' pv-calls__item--failed'}`);
      item.appendChild(element('span', 'pv-calls__label', record.label));
      item.appendChild(element('span', 'pv-calls__time', `${record.durationMs} ms`));
      if (record.error) item.appendChild(element('span', 'pv-calls__error', record.error));
      list.prepend(item);
    },
  };
}
