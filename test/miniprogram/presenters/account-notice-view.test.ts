import { accountNoticeDialog } from '../../../miniprogram/presenters/account-notice-view';

describe('accountNoticeDialog', () => {
  it('given a link by phone, says when and where to undo it', () => {
    const at = new Date(2026, 0, 2, 8, 30).getTime();
    expect(accountNoticeDialog([{ kind: 'linked-by-phone', at }])).toEqual({
      title: '账号安全提醒',
      content: '你的账号于 2026-01-02 08:30 通过手机号关联了新的微信。如果不是你本人操作，请到「账号与安全」解除关联。',
      confirmText: '去查看',
      cancelText: '知道了',
    });
  });

  it('given several, lists the times in order with the count', () => {
    const first = new Date(2026, 0, 2, 8, 30).getTime();
    const second = new Date(2026, 0, 3, 9, 5).getTime();
    const dialog = accountNoticeDialog([
      { kind: 'linked-by-phone', at: second },
      { kind: 'linked-by-phone', at: first },
    ]);
    expect(dialog?.content).toContain('于 2026-01-02 08:30、2026-01-03 09:05 通过手机号关联了新的微信（共 2 次）');
  });

  it('given none, shows nothing', () => {
    expect(accountNoticeDialog([])).toBeNull();
  });
});
