import { confirmDialog, showDoneToast, showToast } from '../../../miniprogram/platform/wx-dialog';
import { installFakeWx } from '../support/fake-wx';

const fake = installFakeWx();

beforeEach(() => fake.reset());

describe('wx-dialog', () => {
  it("confirmDialog resolves with the person's answer; destructive questions get a red confirm button", async () => {
    fake.answerModal((modal) => modal.title === '删除？');

    await expect(confirmDialog({ title: '删除？', content: '不可恢复', confirmText: '删除', destructive: true })).resolves.toBe(true);
    await expect(confirmDialog({ title: '继续？', content: '' })).resolves.toBe(false);

    expect(fake.modals).toEqual([
      { title: '删除？', content: '不可恢复', confirmText: '删除', cancelText: '取消', confirmColor: '#e5484d' },
      { title: '继续？', content: '', confirmText: '确定', cancelText: '取消' },
    ]);
  });

  it('showToast shows a text-only toast', () => {
    showToast('账号已注销');

    expect(fake.toasts).toEqual(['账号已注销']);
    expect(fake.toastIcons).toEqual(['none']);
  });

  it('showDoneToast confirms a completed action with the success tick', () => {
    showDoneToast('登录成功');

    expect(fake.toasts).toEqual(['登录成功']);
    expect(fake.toastIcons).toEqual(['success']);
  });
});
