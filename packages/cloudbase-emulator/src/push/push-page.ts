/**
 * The status page's 消息推送 page (GET /push, linked from the status page): sends the common WeChat
 * pushes (授权用户信息变更) for an OpenID through POST /api/push and shows what the function answered.
 * Static HTML; the script writes answers with textContent only.
 */
import { escapeHtml } from '../status-page';

/** The pushes the page offers: label, message (OpenID added from the input). */
export const COMMON_PUSHES: { label: string; message: Record<string, string> }[] = [
  { label: '撤回昵称和头像（RevokeInfo 6）', message: { Event: 'user_authorization_revoke', RevokeInfo: '6' } },
  { label: '撤回昵称（19）', message: { Event: 'user_authorization_revoke', RevokeInfo: '19' } },
  { label: '撤回头像（20）', message: { Event: 'user_authorization_revoke', RevokeInfo: '20' } },
  { label: '撤回手机号（8）', message: { Event: 'user_authorization_revoke', RevokeInfo: '8' } },
  { label: '资料被微信清理（user_info_modified）', message: { Event: 'user_info_modified' } },
  { label: '注销微信（user_authorization_cancellation）', message: { Event: 'user_authorization_cancellation' } },
];

const SCRIPT = `
(function () {
  var out = document.getElementById('push-result');
  function send(url, body) {
    out.textContent = '…';
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body })
      .then(function (response) { return response.json(); })
      .then(function (answer) { out.textContent = JSON.stringify(answer, null, 2); }, function (error) { out.textContent = String(error); });
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-push]');
    if (!button) return;
    if (button.dataset.push === 'verify') return send('/api/push/verify', '');
    var openid = document.getElementById('push-openid').value.trim();
    if (!openid) { out.textContent = '先填 OpenID / Enter an OpenID first'; return; }
    var message = JSON.parse(button.dataset.push);
    message.OpenID = openid;
    send('/api/push', JSON.stringify(message));
  });
})();
`;

export function renderPushPage(target: { functionName: string; appid: string } | null): string {
  const configured = target
    ? `<p>推送送达云函数 <span class="en">Delivered to</span> <code>${escapeHtml(target.functionName)}</code>（AppID <code>${escapeHtml(target.appid)}</code>，安全模式加密并签名 <span class="en">encrypted and signed</span>）</p>`
    : '<p class="message">没有配置消息推送 <span class="en">No push target configured</span>（EmulatorOptions.push）</p>';
  const buttons = COMMON_PUSHES.map(
    ({ label, message }) => `<button data-push="${escapeHtml(JSON.stringify(message))}">${escapeHtml(label)}</button>`,
  ).join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>消息推送 · 本地云开发模拟器</title>
<style>body { font: 14px/1.5 -apple-system, "PingFang SC", sans-serif; margin: 1.5em auto; max-width: 64em; padding: 0 1em; }
.en { color: #888; } .actions { display: flex; gap: .5em; flex-wrap: wrap; margin: .6em 0; } .message { color: #c0392b; }
button { font: inherit; padding: .2em .8em; border: 1px solid #ccc; border-radius: 4px; background: #fff; cursor: pointer; }
input { font: inherit; padding: .2em .4em; min-width: 22em; } pre { background: #f6f8fa; padding: .8em; white-space: pre-wrap; }</style>
</head><body>
<p><a href="/">← 模拟器 <span class="en">Emulator</span></a></p>
<h1>微信消息推送 <span class="en">WeChat message pushes</span></h1>
${configured}
<div class="actions"><input type="text" id="push-openid" placeholder="OpenID（调用日志或 users 集合里可见）" aria-label="OpenID"></div>
<div class="actions">${buttons}
<button data-push="verify">校验推送 URL <span class="en">URL check</span></button></div>
<pre id="push-result" aria-live="polite"></pre>
<script>${SCRIPT}</script>
</body></html>`;
}
