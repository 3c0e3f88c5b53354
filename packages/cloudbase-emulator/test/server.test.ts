/**
 * The emulator's HTTP server: the admin endpoint and its envelope, fault injection and the request
 * log as functions see them through the real wx-server-sdk, and the status page.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createEmulator, isLocalOrigin, isOwnHost, type Emulator } from '../src/server';

const FIXTURES = path.join(__dirname, 'fixtures', 'functions');

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(() => {
  emulator.faults.clear();
});

async function admin(body: unknown, { pathname = '/admin', headers = {} }: { pathname?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${emulator.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * A request with the Host header set by hand (fetch may not set it), always over 127.0.0.1: that is
 * where a rebinding browser's request lands too, only with the site's own name in Host.
 */
function requestWithHost(pathname: string, host: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? 'GET' : 'POST';
    const request = http.request(`${emulator.url}${pathname}`, { method, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function emulatorPort(): number {
  return Number(new URL(emulator.url).port);
}

async function createCollection(name: string): Promise<void> {
  await admin({ action: 'database.addCollection', collectionName: name, envName: 'local-dev' });
}

interface StepsResult {
  ok: boolean;
  errCode?: number;
  errMsg?: string;
  id?: string;
}

describe('admin endpoint', () => {
  it('given an action no module serves, answers the service error envelope with INVALID_PARAM', async () => {
    const { status, body } = await admin({ action: 'database.teleport', envName: 'local-dev' });

    expect(status).toBe(200);
    expect(body).toEqual({ requestId: expect.any(String), code: 'INVALID_PARAM', message: 'unsupported action: database.teleport' });
  });

  it('given a path ending in /admin with env and seqId, routes it like /admin', async () => {
    const { body } = await admin(
      { action: 'database.addCollection', collectionName: 'routed' },
      { pathname: '/some/prefix/admin?env=local-dev&seqId=123' },
    );

    expect(body).toEqual({ requestId: expect.any(String) });
    expect(emulator.database.listCollections()).toContain('routed');
  });

  it('given a reply with top-level fields (startTransaction), puts them beside requestId, not under data', async () => {
    const { body } = await admin({ action: 'database.startTransaction', envName: 'local-dev' });

    expect(body).toEqual({ requestId: expect.any(String), transactionId: expect.any(String) });
  });

  it.each([
    ['malformed JSON', '{ "action": '],
    ['a JSON array', '[1, 2]'],
    ['JSON without action', '{"envName": "local-dev"}'],
    ['an empty body', ''],
  ])('given %s, answers INVALID_PARAM and keeps serving', async (what, body) => {
    const answer = await admin(body);
    const next = await admin({ action: 'database.addCollection', collectionName: `after_${what.replace(/\W/g, '_')}` });

    expect(answer.body['code']).toBe('INVALID_PARAM');
    expect(next.body).toEqual({ requestId: expect.any(String) });
  });

  it('given a multipart body, hands text fields and binary parts to the module', async () => {
    const form = new FormData();
    form.append('action', 'wx.openApi');
    form.append('apiName', 'phonenumber.getPhoneNumber');
    form.append('requestData', new Blob([Buffer.from([1, 2, 3])], { type: 'application/octet-stream' }));
    const response = await fetch(`${emulator.url}/admin?env=local-dev&seqId=1`, { method: 'POST', body: form });

    // Three bytes are no CommApiData message: the openapi module saw them and said so.
    expect(await response.json()).toEqual({
      requestId: expect.any(String),
      code: 'INVALID_PARAM',
      message: expect.stringContaining('requestData is not a CommApiData message'),
    });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('given a browser page from another site, refuses admin requests', async () => {
    const { status } = await admin(
      { action: 'database.addCollection', collectionName: 'evil' },
      { headers: { origin: 'https://evil.example' } },
    );

    expect(status).toBe(403);
    expect(emulator.database.listCollections()).not.toContain('evil');
  });

  it('given an unknown path, answers 404', async () => {
    const response = await fetch(`${emulator.url}/nothing-here`);

    expect(response.status).toBe(404);
  });

  it('tells local browser origins from others', () => {
    expect(isLocalOrigin('http://localhost:3000')).toBe(true);
    expect(isLocalOrigin('http://127.0.0.1:9093')).toBe(true);
    expect(isLocalOrigin('https://localhost.evil.example')).toBe(false);
    expect(isLocalOrigin('null')).toBe(false);
  });
});

describe('Host check (DNS rebinding)', () => {
  beforeAll(async () => {
    await createCollection('secrets');
  });

  it('given a Host of another site on this port, refuses reads of collections and exports with 403', async () => {
    const host = `evil.example:${emulatorPort()}`;

    const answers = await Promise.all(
      ['/api/collections/secrets', '/api/collections/secrets/export', '/api/collections', '/'].map((pathname) =>
        requestWithHost(pathname, host),
      ),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ code: 'INVALID_REQUEST_SOURCE', message: expect.any(String) });
    }
  });

  it('given a Host of another site, refuses admin requests even without an Origin', async () => {
    const body = JSON.stringify({ action: 'database.addCollection', collectionName: 'rebound', envName: 'local-dev' });

    const { status } = await requestWithHost('/admin', `evil.example:${emulatorPort()}`, body);

    expect(status).toBe(403);
    expect(emulator.database.listCollections()).not.toContain('rebound');
  });

  it.each(['localhost', '127.0.0.1', 'LOCALHOST', '[::1]'])('given Host %s with this port, serves the request', async (name) => {
    const answer = await requestWithHost('/api/collections/secrets', `${name}:${emulatorPort()}`);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ name: 'secrets', documents: [] });
  });

  it('given an HTTP/1.0 request without Host (not what a browser sends), serves it', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(emulatorPort(), '127.0.0.1', () => socket.end('GET /api/health HTTP/1.0\r\n\r\n'));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });

    expect(reply).toMatch(/^HTTP\/1\.[01] 200 /);
  });

  it('given a loopback Host with another port, refuses it', async () => {
    const answer = await requestWithHost('/api/collections', `127.0.0.1:${emulatorPort() + 1}`);

    expect(answer.status).toBe(403);
  });

  it("tells this server's Host headers from others", () => {
    expect(isOwnHost('127.0.0.1:9093', 9093)).toBe(true);
    expect(isOwnHost('[::1]:9093', 9093)).toBe(true);
    expect(isOwnHost(undefined, 9093)).toBe(true);
    expect(isOwnHost('localhost', 80)).toBe(true);
    expect(isOwnHost('localhost', 9093)).toBe(false);
    expect(isOwnHost('evil.example:9093', 9093)).toBe(false);
    expect(isOwnHost('localhost.evil.example:9093', 9093)).toBe(false);
    expect(isOwnHost('127.0.0.1.nip.io:9093', 9093)).toBe(false);
    expect(isOwnHost('', 9093)).toBe(false);
  });
});

describe('sdkEnv', () => {
  it('points the SDK at this emulator with the variables SCF sets', () => {
    const env = emulator.sdkEnv();

    expect(JSON.parse(env['TCB_CONTEXT_CNFG'] as string)).toEqual({ URL: `${emulator.url}/admin` });
    expect(env).toMatchObject({ TCB_ENV: 'local-dev', SCF_NAMESPACE: 'local-dev', TENCENTCLOUD_RUNENV: 'SCF' });
    expect(env['TENCENTCLOUD_SECRETID']).not.toBe('');
  });

  it('given a function on wx-server-sdk 2.x, which finds the admin URL only through TCB_CONTEXT_KEYS, it reaches this emulator', async () => {
    const invocation = await emulator.callFunction('sdk2-admin-url', {});

    expect(invocation.result).toBe(`${emulator.url}/admin`);
  });
});

describe('request log through the real SDK', () => {
  beforeAll(async () => {
    await createCollection('items');
  });

  it('given database calls awaited one after another, records each request and one round trip per call', async () => {
    const invocation = await emulator.callFunction('db-steps', {}, { openid: 'o-log' });

    expect((invocation.result as StepsResult).ok).toBe(true);
    expect(invocation.requests.map(({ action, collection }) => [action, collection])).toEqual([
      ['database.insertDocument', 'items'],
      ['database.getDocument', 'items'],
      ['database.calculateDocument', 'items'],
    ]);
    expect(invocation.roundTrips).toBe(3);
    for (const request of invocation.requests) expect(request.endedAt).toBeGreaterThanOrEqual(request.startedAt);
  });

  it('given database calls issued together, counts one round trip', async () => {
    emulator.faults.add({ action: 'database.insertDocument', latencyMs: 30, times: 'always' });
    const invocation = await emulator.callFunction('db-steps', { mode: 'parallel' }, { openid: 'o-log' });

    expect((invocation.result as StepsResult).ok).toBe(true);
    expect(invocation.requests).toHaveLength(3);
    expect(invocation.roundTrips).toBe(1);
  });

  it('given simultaneous invocations, attributes each request to the invocation that made it', async () => {
    const [a, b] = await Promise.all([
      emulator.callFunction('db-steps', {}, { openid: 'o-a' }),
      emulator.callFunction('db-steps', { mode: 'parallel' }, { openid: 'o-b' }),
    ]);

    expect(a?.requests.map((request) => request.action)).toEqual([
      'database.insertDocument',
      'database.getDocument',
      'database.calculateDocument',
    ]);
    expect(b?.requests.map((request) => request.action)).toEqual(Array(3).fill('database.insertDocument'));
  });
});

describe('fault injection through the real SDK', () => {
  it('given an injected error, the function sees the errCode the SDK maps it to, once', async () => {
    emulator.faults.add({
      action: 'database.insertDocument',
      collection: 'items',
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected' },
    });

    const failed = await emulator.callFunction('db-steps', {}, { openid: 'o-fault' });
    const next = await emulator.callFunction('db-steps', {}, { openid: 'o-fault' });

    expect(failed.result).toEqual({ ok: false, errCode: -502001, errMsg: expect.stringContaining('injected') });
    expect(failed.requests).toEqual([expect.objectContaining({ action: 'database.insertDocument', errorCode: 'DATABASE_REQUEST_FAILED' })]);
    expect((next.result as StepsResult).ok).toBe(true);
  });

  it('given nth 2, lets the first request through and fails the second', async () => {
    emulator.faults.add({ action: /^database\./, nth: 2, error: { code: 'DATABASE_PERMISSION_DENIED', message: 'no' } });

    const invocation = await emulator.callFunction('db-steps', {}, { openid: 'o-fault' });

    expect(invocation.result).toEqual(expect.objectContaining({ ok: false, errCode: -502003 }));
    expect(invocation.requests.map((request) => request.errorCode)).toEqual([undefined, 'DATABASE_PERMISSION_DENIED']);
  });

  it('given an error after handling, the write lands but the caller sees the failure', async () => {
    await createCollection('after_items');
    emulator.faults.add({ action: 'database.insertDocument', when: 'after', error: { code: 'SYS_ERR', message: 'reply lost' } });

    const invocation = await emulator.callFunction('db-steps', { collection: 'after_items' }, { openid: 'o-after' });

    expect(invocation.result).toEqual(expect.objectContaining({ ok: false, errCode: -501001 }));
    expect(emulator.database.documents('after_items')).toEqual([expect.objectContaining({ n: 1, by: 'o-after' })]);
  });

  it('given a latency rule, delays the matching requests', async () => {
    emulator.faults.add({ action: 'database.getDocument', latencyMs: 120 });

    const invocation = await emulator.callFunction('db-steps', {}, { openid: 'o-slow' });
    const get = invocation.requests.find((request) => request.action === 'database.getDocument');

    expect((invocation.result as StepsResult).ok).toBe(true);
    expect((get?.endedAt ?? 0) - (get?.startedAt ?? 0)).toBeGreaterThanOrEqual(115);
  });
});

describe('status page', () => {
  beforeAll(async () => {
    await createCollection('notes');
    await admin({
      action: 'database.insertDocument',
      collectionName: 'notes',
      data: [JSON.stringify({ _id: 'n1', text: '<script>alert("x")</script> 你好' })],
    });
  });

  it('given collections, lists them with counts and links in Chinese first', async () => {
    const response = await fetch(`${emulator.url}/`);
    const html = await response.text();

    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('本地云开发模拟器');
    expect(html).toContain('集合');
    expect(html).toContain('<a href="/collections/notes">notes</a></td><td>1</td>');
    expect(html).toContain('<code>echo</code>');
  });

  it('given a collection page, shows its documents escaped', async () => {
    const html = await (await fetch(`${emulator.url}/collections/notes`)).text();

    expect(html).toContain('&#60;script&#62;alert(\\&#34;x\\&#34;)&#60;/script&#62; 你好');
    // The page's own script is the only one.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain('<script>alert');
  });

  it('given the JSON API, answers collections with counts and a collection with its documents', async () => {
    const list = (await (await fetch(`${emulator.url}/api/collections`)).json()) as { collections: { name: string; count: number }[] };
    const notes = (await (await fetch(`${emulator.url}/api/collections/notes`)).json()) as { documents: unknown[] };
    const missing = await fetch(`${emulator.url}/api/collections/nope`);

    expect(list.collections).toContainEqual({ name: 'notes', count: 1 });
    expect(notes.documents).toEqual([{ _id: 'n1', text: '<script>alert("x")</script> 你好' }]);
    expect(missing.status).toBe(404);
  });

  it('given a collection that does not exist, answers a 404 page', async () => {
    const response = await fetch(`${emulator.url}/collections/%3Cnope%3E`);

    expect(response.status).toBe(404);
    expect(await response.text()).toContain('&#60;nope&#62;');
  });

  it('given export then import into another collection, round-trips the documents as JSON lines', async () => {
    const exported = await fetch(`${emulator.url}/api/collections/notes/export`);
    const lines = await exported.text();

    const imported = await fetch(`${emulator.url}/api/collections/notes_copy/import`, { method: 'POST', body: lines });

    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    expect(lines.trim().split('\n')).toHaveLength(1);
    expect(await imported.json()).toEqual({ collection: 'notes_copy', imported: 1 });
    expect(emulator.database.documents('notes_copy')).toEqual(emulator.database.documents('notes'));
  });

  it.each(['..%2F..%2Fx', 'a%2Fb', '__proto__', 'constructor', 'x'.repeat(121)])(
    'given the collection name %s, export and import answer INVALID_PARAM and create nothing',
    async (encoded) => {
      const before = emulator.database.listCollections();
      const exported = await fetch(`${emulator.url}/api/collections/${encoded}/export`);
      const imported = await fetch(`${emulator.url}/api/collections/${encoded}/import`, { method: 'POST', body: '{"_id":"a"}\n' });

      expect(exported.status).toBe(400);
      expect(await exported.json()).toMatchObject({ code: 'INVALID_PARAM', message: expect.stringMatching(/invalid collection name/) });
      expect(imported.status).toBe(400);
      expect(await imported.json()).toMatchObject({ code: 'INVALID_PARAM' });
      expect(emulator.database.listCollections()).toEqual(before);
    },
  );

  it('given an import that is not JSON lines, refuses it with the line and reason, no stack or path, and writes nothing', async () => {
    const response = await fetch(`${emulator.url}/api/collections/broken/import`, { method: 'POST', body: '{"_id":"a"}\nnot json' });
    const answer = (await response.json()) as { code: string; message: string };

    expect(response.status).toBe(400);
    expect(answer.code).toBe('INVALID_PARAM');
    expect(answer.message).toMatch(/^line 2 is not an Extended JSON document: /);
    expect(answer.message).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);
    expect(answer.message).not.toContain(path.resolve(__dirname, '..'));
    expect(emulator.database.listCollections()).not.toContain('broken');
  });
});

describe('deeply nested input', () => {
  const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it.each([4_000, 20_000])('given a callFunction event nested %i levels, answers the invalid-argument error, not a 500', async (depth) => {
    const response = await fetch(`${emulator.url}/callFunction/echo`, { method: 'POST', body: nested(depth) });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errCode: -501007,
      errMsg: 'cloud.callFunction:fail the event is nested deeper than 1000 levels',
    });
  });

  it('given an event nested 1,000 levels, runs the function', async () => {
    const response = await fetch(`${emulator.url}/callFunction/echo`, { method: 'POST', body: nested(1_000) });

    expect(response.status).toBe(200);
  });

  it('given emulator.callFunction with a deeply nested value, refuses it as INVALID_PARAM', async () => {
    let value: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 4_000; i++) value = { a: value };

    await expect(emulator.callFunction('echo', value)).rejects.toMatchObject({ code: 'INVALID_PARAM', message: /nested deeper/ });
  });

  it('given admin EJSON fields or a body nested 4,000 levels, answers INVALID_PARAM naming the limit', async () => {
    await createCollection('deep');
    const insert = await admin({ action: 'database.insertDocument', collectionName: 'deep', data: [nested(4_000)], envName: 'local-dev' });
    const query = await admin({ action: 'database.getDocument', collectionName: 'deep', queryType: 'WHERE', query: nested(4_000) });
    const body = await admin(`{"action":"database.getDocument","x":${nested(4_000)}}`);
    const imported = await fetch(`${emulator.url}/api/collections/deep/import`, { method: 'POST', body: `${nested(4_000)}\n` });

    expect(insert.body).toMatchObject({ code: 'INVALID_PARAM', message: 'data[0] is nested deeper than 1000 levels' });
    expect(query.body).toMatchObject({ code: 'INVALID_PARAM', message: 'query is nested deeper than 1000 levels' });
    expect(body.body).toMatchObject({ code: 'INVALID_PARAM', message: 'the request body is nested deeper than 1000 levels' });
    expect(await imported.json()).toEqual({ code: 'INVALID_PARAM', message: 'line 1: the document is nested deeper than 1000 levels' });
  });
});
