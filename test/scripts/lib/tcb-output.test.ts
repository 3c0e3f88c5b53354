import { cliFailureLines } from '../../../scripts/lib/tcb-output';

describe('cliFailureLines', () => {
  it('finds the error lines tcb prints while still exiting 0', () => {
    // Captured from `tcb fn deploy login --force -e <env>` (CLI 2.12.10) without network access.
    const output = [
      'CloudBase CLI 2.12.10',
      '- Cloud function deploying...',
      '\u001b[31m✖\u001b[39m [login] 函数部署失败',
      '✖   错误信息: No valid identity information, please use cloudbase login to login',
    ].join('\n');
    expect(cliFailureLines(output)).toEqual([
      '✖ [login] 函数部署失败',
      '✖   错误信息: No valid identity information, please use cloudbase login to login',
    ]);
  });

  it('finds nothing in a successful deploy', () => {
    expect(cliFailureLines('- 云函数部署中...\n✔ [login] 云函数部署成功！\n')).toEqual([]);
  });
});
