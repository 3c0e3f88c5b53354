/**
 * Request bodies are bounded across requests: a shared in-flight byte budget (503 beyond it, freed
 * when each answer is sent) and a read timeout that cuts off a trickled body. Small values are set
 * through the options so the test stays fast; the defaults are 256 MB and 30 s.
 */
import http from 'node:http';
import { createEmulator, type Emulator } from '../src/server';

const open: Emulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

async function start(options: { maxInFlightBodyBytes?: number; bodyReadTimeoutMs?: number; onAdminRequest?: () => void }) {
  const emulator = await createEmulator({ memory: true, onFunctionOutput: () => undefined, ...options });
  open.push(emulator);
  return emulator;
}

/** An admin request with `padding` bytes of body. */
async function adminWithPadding(emulator: Emulator, padding: number) {
  const response = await fetch(`${emulator.url}/admin`, {
    method: 'POST',
    body: JSON.stringify({
      action: 'database.addCollection',
      collectionName: `c${Math.random().toString(16).slice(2)}`,
      pad: 'x'.repeat(padding),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

it('given bodies over the in-flight budget at once, refuses the one past it with 503 and accepts again once answered', async () => {
  let firstRead: () => void = () => undefined;
  const read = new Promise<void>((resolve) => {
    firstRead = resolve;
  });
  const emulator = await start({ maxInFlightBodyBytes: 1_000_000, onAdminRequest: () => firstRead() });
  emulator.faults.add({ action: 'database.addCollection', latencyMs: 300, times: 1 });

  const first = adminWithPadding(emulator, 700_000);
  await read;
  const second = await adminWithPadding(emulator, 700_000);
  expect((await first).body).not.toHaveProperty('code');
  const third = await adminWithPadding(emulator, 700_000);

  expect(second.status).toBe(503);
  expect(second.body).toEqual({ code: 'SYS_ERR', message: expect.stringMatching(/already reading 1000000 bytes .*retry later/) });
  expect(third.status).toBe(200);
  expect(third.body).not.toHaveProperty('code');
});

it('given a body that trickles past the read timeout, answers 408 and closes the connection', async () => {
  const emulator = await start({ bodyReadTimeoutMs: 200 });

  const answer = await new Promise<{ status: number; body: string; closed: boolean }>((resolve, reject) => {
    const request = http.request(`${emulator.url}/admin`, { method: 'POST', headers: { 'content-length': '1000' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), closed: true }));
    });
    request.on('error', reject);
    request.write('{"action":');
  });

  expect(answer.status).toBe(408);
  expect(JSON.parse(answer.body)).toEqual({ code: 'INVALID_PARAM', message: 'the request body did not arrive within 200 ms' });
});

it('given many bodies at once, then never more than the budget is held: the rest are refused before being read', async () => {
  const emulator = await start({ maxInFlightBodyBytes: 1_000_000 });
  // Answers are held back, so every accepted body stays counted while the others arrive.
  emulator.faults.add({ action: 'database.addCollection', latencyMs: 200, times: 8 });

  const answers = await Promise.all(Array.from({ length: 8 }, () => adminWithPadding(emulator, 300_000)));

  const accepted = answers.filter((answer) => answer.status === 200);
  expect(accepted.length).toBeGreaterThan(0);
  expect(accepted.length).toBeLessThanOrEqual(3);
  expect(answers.filter((answer) => answer.status === 503)).toHaveLength(8 - accepted.length);
  // Every byte was given back: a body as large as the whole budget is accepted afterwards.
  expect((await adminWithPadding(emulator, 990_000)).status).toBe(200);
});

it('given a trickled body to a route that answers without reading it, then the connection is cut off after the read timeout', async () => {
  const emulator = await start({ bodyReadTimeoutMs: 200 });

  const outcome = await new Promise<{ status: number; closed: boolean }>((resolve, reject) => {
    let status = 0;
    const request = http.request(`${emulator.url}/no-such-route`, { method: 'POST', headers: { 'content-length': '1000' } }, (response) => {
      status = response.statusCode ?? 0;
      response.resume();
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Cut off mid-body: the socket closes under the request that still has bytes to send.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status, closed: true });
      else reject(error);
    });
    request.on('close', () => resolve({ status, closed: true }));
    request.write('x'.repeat(10));
  });

  expect(outcome).toEqual({ status: 404, closed: true });
});
