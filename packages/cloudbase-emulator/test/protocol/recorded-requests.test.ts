/**
 * Guards the wire protocol the emulator implements: runs the real wx-server-sdk (inside a function
 * instance, as in production) through a fixed sequence of calls, records every admin request it
 * sends, and compares them with the committed fixture. An SDK upgrade that changes what goes over
 * the wire fails here first, before the emulator silently drifts from the real service.
 *
 * To re-record after reviewing the difference:
 *   UPDATE_PROTOCOL_FIXTURES=1 npx jest packages/cloudbase-emulator/test/protocol
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AdminRequest } from '../../src/core/module';
import { createEmulator, type Emulator } from '../../src/server';

const FIXTURE = path.join(__dirname, 'fixtures', 'wx-server-sdk-requests.json');
const FUNCTIONS = path.join(__dirname, '..', 'fixtures', 'functions');
const RERECORD = 'UPDATE_PROTOCOL_FIXTURES=1 npx jest packages/cloudbase-emulator/test/protocol';

interface RecordedRequest {
  method: string;
  path: string;
  query: string[];
  contentType: string;
  body: Record<string, unknown>;
  /** Binary multipart parts, hex. */
  files: Record<string, string>;
}

interface Fixture {
  sdk: string;
  requests: RecordedRequest[];
}

/** Replaces what differs from run to run (tokens, ids) and what other modules choose (bucket names). */
function normalise(request: AdminRequest, http: { method: string; path: string; query: string[]; contentType: string }): RecordedRequest {
  const body = JSON.parse(JSON.stringify(request.body), (key, value: unknown) => {
    if (key === 'wxCloudApiToken' && typeof value === 'string' && value !== '') return '<invocation token>';
    if (key === 'transactionId' && typeof value === 'string') return '<transaction id>';
    if (typeof value === 'string' && value.startsWith('cloud://')) return value.replace(/^cloud:\/\/[^/]+\//, 'cloud://<env>.<bucket>/');
    return value;
  }) as Record<string, unknown>;
  const files = Object.fromEntries(Object.entries(request.files).map(([name, bytes]) => [name, bytes.toString('hex')]));
  return { method: http.method, path: http.path, query: [...http.query].sort(), contentType: http.contentType, body, files };
}

/** JSON with object keys sorted: the SDK may reorder fields without changing the protocol. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

function sdkVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('wx-server-sdk/package.json'), 'utf8')) as { version: string };
  return `wx-server-sdk ${manifest.version}`;
}

describe('the admin requests wx-server-sdk sends', () => {
  let emulator: Emulator;
  const recorded: RecordedRequest[] = [];

  beforeAll(async () => {
    emulator = await createEmulator({
      memory: true,
      functionsRoot: FUNCTIONS,
      functionTimeoutMs: 20_000,
      onAdminRequest: (request, http) => recorded.push(normalise(request, http)),
    });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('given the probe sequence, every call succeeds and the requests match the committed recording', async () => {
    const invocation = await emulator.callFunction('protocol-probe', {}, { openid: 'o-probe', appid: 'wx-probe' });
    expect(invocation.error).toBeUndefined();

    const failedSteps = (invocation.result as { name: string; ok: boolean }[]).filter((step) => !step.ok);
    expect(failedSteps).toEqual([]);

    const current: Fixture = { sdk: sdkVersion(), requests: recorded };
    if (process.env['UPDATE_PROTOCOL_FIXTURES']) {
      writeFileSync(FIXTURE, `${JSON.stringify(current, null, 2)}\n`);
      return;
    }
    const committed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
    const firstDifference = Array.from({ length: Math.max(current.requests.length, committed.requests.length) }, (_, index) => index).find(
      (index) => canonical(current.requests[index]) !== canonical(committed.requests[index]),
    );
    if (firstDifference !== undefined) {
      throw new Error(
        `${current.sdk} sends different admin requests than the recording made with ${committed.sdk} ` +
          `(${current.requests.length} requests now, ${committed.requests.length} recorded; first difference at #${firstDifference + 1}).\n` +
          'Check the difference against the emulator (packages/cloudbase-emulator/src: database, functions, storage, openapi) and update it ' +
          `if the protocol changed; then re-record with:\n  ${RERECORD}\n\n` +
          `recorded: ${JSON.stringify(committed.requests[firstDifference] ?? null, null, 1)}\n\n` +
          `now:      ${JSON.stringify(current.requests[firstDifference] ?? null, null, 1)}`,
      );
    }
    expect(current.requests.map((request) => request.body['action'])).toEqual(committed.requests.map((request) => request.body['action']));
  });
});
