import { multipartBoundary, parseMultipart } from '../src/multipart';

/** Encodes a form the way a standard client does (Node's own FormData), to parse it back. */
async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const response = new Response(form);
  return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' };
}

describe('multipartBoundary', () => {
  it('given a multipart content type, returns its boundary, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc123')).toBe('----abc123');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="x y"')).toBe('x y');
  });

  it('given another content type or none, returns null', () => {
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary(undefined)).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
  });
});

describe('parseMultipart', () => {
  it('given text fields and a binary part without filename (wx.openApi requestData), keeps text as strings and bytes as a Buffer', async () => {
    const bytes = Buffer.from([0x08, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x00]);
    const form = new FormData();
    form.append('action', 'wx.openApi');
    form.append('apiName', '手机号.getPhoneNumber');
    form.append('requestData', new Blob([bytes], { type: 'application/octet-stream' }));
    const { body, contentType } = await encode(form);

    const parsed = parseMultipart(body, multipartBoundary(contentType) as string);

    expect(parsed?.fields).toEqual({ action: 'wx.openApi', apiName: '手机号.getPhoneNumber' });
    expect(parsed?.files['requestData']?.equals(bytes)).toBe(true);
  });

  it('given a file part with a filename, keeps it as bytes even when typed as text', async () => {
    const form = new FormData();
    form.append('upload', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    const { body, contentType } = await encode(form);

    expect(parseMultipart(body, multipartBoundary(contentType) as string)?.files['upload']?.toString()).toBe('hello');
  });

  it('given an empty value, keeps the empty string', async () => {
    const form = new FormData();
    form.append('tcb_sessionToken', '');
    const { body, contentType } = await encode(form);

    expect(parseMultipart(body, multipartBoundary(contentType) as string)?.fields).toEqual({ tcb_sessionToken: '' });
  });

  it('given a truncated or foreign body, returns null instead of throwing', () => {
    expect(parseMultipart(Buffer.from('not multipart at all'), 'b')).toBeNull();
    expect(parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), 'b')).toBeNull();
    expect(parseMultipart(Buffer.from('--b\r\nno header end'), 'b')).toBeNull();
  });
});
