/**
 * The emulator clock over HTTP (`/api/clock`), and `npm run emulator -- clock`, which finds the
 * project's running emulator in the registry as `invoke` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runClock, type Output } from '../src/cli';
import { createRunningRegistry } from '../src/running-registry';
import { createEmulator, type Emulator } from '../src/server';

const FIXTURES = path.join(__dirname, 'fixtures', 'functions');
const HOUR_MS = 3_600_000;

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(() => emulator.clock.reset());

async function post(verb: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.url}/api/clock/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function statusPage(): Promise<string> {
  return (await fetch(`${emulator.url}/`)).text();
}

describe('/api/clock', () => {
  it('sets, advances, shows and resets the clock the functions and the database use', async () => {
    expect((await post('set', { to: '2027-01-01T08:00:00+08:00' })).body).toMatchObject({
      now: expect.stringMatching(/^2027-01-01T00:00:0/),
    });
    const advanced = await post('advance', { by: '90m' });
    expect(advanced.body.now).toMatch(/^2027-01-01T01:30:0/);
    expect(emulator.clock.now() - Date.UTC(2027, 0, 1, 1, 30)).toBeLessThan(5000);

    const shown = (await (await fetch(`${emulator.url}/api/clock`)).json()) as Record<string, unknown>;
    expect(shown.offsetMs).toBe(emulator.clock.offset());
    expect(await statusPage()).toContain('模拟器时钟');

    expect((await post('advance', { by: -HOUR_MS })).body.now).toMatch(/^2027-01-01T00:30:0/);
    expect((await post('reset', {})).body).toMatchObject({ offsetMs: 0 });
    expect(await statusPage()).not.toContain('模拟器时钟');
  });

  it('refuses what is not a time or a duration, and pages from other sites', async () => {
    expect(await post('set', { to: 'tomorrow' })).toMatchObject({ status: 400, body: { code: 'INVALID_PARAM' } });
    expect(await post('advance', { by: 'a while' })).toMatchObject({ status: 400, body: { code: 'INVALID_PARAM' } });
    expect((await post('advance', '{')).status).toBe(400);
    expect((await post('stop', {})).status).toBe(404);
    expect((await post('advance', { by: '1h' }, { origin: 'https://example.com' })).status).toBe(403);
    expect(emulator.clock.offset()).toBe(0);
  });
});

describe('npm run emulator -- clock', () => {
  const registryRoot = mkdtempSync(path.join(tmpdir(), 'clock-registry-'));
  const registry = createRunningRegistry(registryRoot);

  afterAll(() => rmSync(registryRoot, { recursive: true, force: true }));

  function capture(): Output & { out: string; err: string } {
    const sink = { out: '', err: '', stdout: (text: string) => void (sink.out += text), stderr: (text: string) => void (sink.err += text) };
    return sink;
  }

  it('finds the running emulator of the project and moves its clock', async () => {
    const unregister = registry.register({
      url: emulator.url,
      pid: process.pid,
      env: emulator.env,
      dataDir: null,
      functionsRoot: FIXTURES,
      startedAt: new Date().toISOString(),
    });
    try {
      const advance = capture();
      expect(await runClock(['advance', '1h30m', '--functions', FIXTURES], advance, { registry })).toBe(0);
      expect(advance.out).toContain('+1h 30m');
      expect(emulator.clock.offset()).toBeGreaterThanOrEqual(90 * 60_000 - 1000);

      const set = capture();
      expect(await runClock(['set', '2030-01-01T00:00:00Z', '--functions', FIXTURES], set, { registry })).toBe(0);
      expect(set.out).toContain('2030-01-01T00:00:0');

      const reset = capture();
      expect(await runClock(['reset', '--functions', FIXTURES], reset, { registry })).toBe(0);
      expect(reset.out).toContain('real time');
      expect(emulator.clock.offset()).toBe(0);
    } finally {
      unregister();
    }
  });

  it('given no running emulator, exits 1; given bad arguments, prints the usage and exits 2', async () => {
    const none = capture();
    expect(await runClock(['show', '--functions', path.join(FIXTURES, 'nowhere')], none, { registry })).toBe(1);
    expect(none.err).toContain('npm start');

    const bad = capture();
    expect(await runClock(['advance', 'soon'], bad, { registry })).toBe(2);
    expect(bad.err).toContain('advance');
    expect(await runClock(['rewind'], capture(), { registry })).toBe(2);
  });
});
