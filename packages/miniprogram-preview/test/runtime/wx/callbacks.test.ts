import { answer, toFailure, WxApiError } from '../../../runtime/wx/callbacks';

describe('answer: how a wx API replies', () => {
  it('returns a promise of the result with errMsg "<api>:ok" when no callback is given', async () => {
    await expect(answer('showModal', {}, async () => ({ confirm: true }))).resolves.toEqual({ errMsg: 'showModal:ok', confirm: true });
  });

  it('calls success then complete, and returns nothing, when a callback is given', async () => {
    const calls: string[] = [];
    const returned = answer(
      'showModal',
      { success: () => calls.push('success'), complete: () => calls.push('complete') },
      async () => ({}),
    );
    expect(returned).toBeUndefined();
    expect(calls).toEqual([]); // never in the caller's own tick
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual(['success', 'complete']);
  });

  it('fails with { errMsg: "<api>:fail <reason>" } and keeps errno / errCode', async () => {
    await expect(
      answer('requirePrivacyAuthorize', undefined, async () => {
        throw new WxApiError('privacy permission is not authorized', { errno: 104 });
      }),
    ).rejects.toEqual({ errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized', errno: 104 });
    const failure = await new Promise((resolve) => answer('x', { fail: resolve }, async () => Promise.reject(new Error('boom'))));
    expect(failure).toEqual({ errMsg: 'x:fail boom' });
  });

  it('passes failures that already are wx failures through unchanged', () => {
    const wxFailure = { errMsg: 'cloud.callFunction:fail Error: errCode: -501000', errCode: -501000 };
    expect(toFailure('cloud.callFunction', wxFailure)).toBe(wxFailure);
  });
});
