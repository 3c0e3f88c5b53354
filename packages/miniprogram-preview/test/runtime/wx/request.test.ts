import { createWxRequest, requestTarget } from '../../../runtime/wx/request';

type Call = { url: string; init: RequestInit };

function fakeFetch(answer: (call: Call) => Response | Error) {
  const calls: Call[] = [];
  const fetchImpl = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const result = answer({ url, init });
    if (result instanceof Error) throw result;
    return result;
  };
  return { calls, fetchImpl };
}

describe('wx.request in the preview', () => {
  it('given a JSON answer with any status, then it succeeds with data parsed, statusCode and header, as WeChat does', async () => {
    const { calls, fetchImpl } = fakeFetch(() => new Response('{"code":700,"msg":"暂无数据"}', { status: 404, headers: { 'x-id': '7' } }));
    const request = createWxRequest(fetchImpl, () => undefined);
    const result = await request({ url: 'https://api.example.com/goods/list', data: { page: 1, name: '茶' } });
    expect(result).toMatchObject({ errMsg: 'request:ok', statusCode: 404, data: { code: 700, msg: '暂无数据' }, header: { 'x-id': '7' } });
    expect(calls[0]?.url).toBe('https://api.example.com/goods/list?page=1&name=%E8%8C%B6');
  });

  it('given a POST with form content type, then the data goes form-encoded into the body', () => {
    expect(
      requestTarget({
        url: 'https://a.example/x',
        method: 'post',
        data: { a: 1, b: 'c d' },
        header: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    ).toEqual({ url: 'https://a.example/x', body: 'a=1&b=c%20d', contentType: 'application/x-www-form-urlencoded' });
    expect(requestTarget({ url: 'https://a.example/x', method: 'POST', data: { a: 1 } }).body).toBe('{"a":1}');
  });

  it('given no server answers, then fail and complete get request:fail and the console says why', async () => {
    const warnings: string[] = [];
    const { fetchImpl } = fakeFetch(() => new TypeError('Failed to fetch'));
    const request = createWxRequest(fetchImpl, (message) => warnings.push(message));
    const outcome = await new Promise<unknown[]>((resolve) => {
      const seen: unknown[] = [];
      const task = request({
        url: 'https://unreachable.example/api',
        fail: (failure) => seen.push(failure),
        complete: (result) => resolve([...seen, result]),
      });
      expect(typeof (task as { abort?: unknown }).abort).toBe('function');
    });
    expect(outcome).toEqual([{ errMsg: 'request:fail Failed to fetch' }, { errMsg: 'request:fail Failed to fetch' }]);
    expect(warnings).toEqual([expect.stringContaining('https://unreachable.example/api: request:fail Failed to fetch')]);
  });

  it('given a text answer, then data stays the text', async () => {
    const { fetchImpl } = fakeFetch(() => new Response('<html>ok</html>', { status: 200 }));
    const request = createWxRequest(fetchImpl, () => undefined);
    await expect(request({ url: 'http://127.0.0.1:1/page' })).resolves.toMatchObject({ data: '<html>ok</html>', statusCode: 200 });
  });
});
