/**
 * A small multipart/form-data parser for what @cloudbase/node-sdk sends (it uses the `form-data`
 * package): `wx.openApi` posts text fields (`action`, `apiName`, `envName`, tokens) and one binary
 * part, `requestData`, with `Content-Type: application/octet-stream` and no filename.
 *
 * Parts with a filename or a non-text content type are kept as bytes; the rest are UTF-8 text.
 * Returns null when the body is not well-formed multipart, so the server answers INVALID_PARAM
 * instead of throwing.
 */

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

/** The boundary of a `multipart/form-data; boundary=...` content type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartForm | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const form: MultipartForm = { fields: {}, files: {} };
  let position = body.indexOf(delimiter);
  if (position < 0) return null;

  for (;;) {
    position += delimiter.length;
    // `--` right after a delimiter closes the form.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return form;
    if (body[position] === 0x0d && body[position + 1] === 0x0a) position += 2;
    else return null;

    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) return null;
    const headers = parsePartHeaders(body.subarray(position, headerEnd).toString('utf8'));
    const contentStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), contentStart);
    if (next < 0) return null;
    const content = body.subarray(contentStart, next);

    const disposition = headers['content-disposition'] ?? '';
    const name = dispositionParameter(disposition, 'name');
    if (name !== null) {
      const filename = dispositionParameter(disposition, 'filename');
      const type = headers['content-type'];
      if (filename !== null || (type !== undefined && !/^text\//i.test(type))) {
        form.files[name] = Buffer.from(content);
      } else {
        form.fields[name] = content.toString('utf8');
      }
    }
    position = next + 2;
  }
}

function parsePartHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function dispositionParameter(disposition: string, parameter: string): string | null {
  const match = new RegExp(`;\\s*${parameter}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition);
  if (match?.[1] !== undefined) return match[1].replace(/\\(.)/g, '$1');
  const bare = new RegExp(`;\\s*${parameter}=([^;\\s]+)`, 'i').exec(disposition);
  return bare?.[1] ?? null;
}
