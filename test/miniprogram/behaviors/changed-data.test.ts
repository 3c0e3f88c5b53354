import { changedData, setChanged } from '../../../miniprogram/behaviors/changed-data';

describe('behaviors/changed-data', () => {
  it('given view data equal to what the page shows, then nothing is set', () => {
    const shown = { user: { loggedIn: true, nickName: '小明' }, hasPhone: false };

    expect(changedData(shown, { user: { loggedIn: true, nickName: '小明' }, hasPhone: false })).toBeNull();
  });

  it('given one value changed, then only that entry is set, nested values compared by content', () => {
    const shown = { user: { loggedIn: true, nickName: '小明' }, notice: '', identities: [{ id: 'a' }] };

    expect(changedData(shown, { user: { loggedIn: true, nickName: '小红' }, notice: '', identities: [{ id: 'a' }] })).toEqual({
      user: { loggedIn: true, nickName: '小红' },
    });
  });

  it('given an entry the page does not hold yet, then it is set', () => {
    expect(changedData({}, { nextCursor: null, draft: '' })).toEqual({ nextCursor: null, draft: '' });
  });

  it('setChanged calls setData once with what changed, and not at all when nothing did', () => {
    const calls: Record<string, unknown>[] = [];
    const page = {
      data: { user: { loggedIn: false }, errorMessage: '出错了' } as Record<string, unknown>,
      setData(data: Record<string, unknown>) {
        calls.push(data);
        Object.assign(page.data, data);
      },
    };

    setChanged(page, { user: { loggedIn: false }, errorMessage: '' });
    setChanged(page, { user: { loggedIn: false }, errorMessage: '' });

    expect(calls).toEqual([{ errorMessage: '' }]);
  });
});
