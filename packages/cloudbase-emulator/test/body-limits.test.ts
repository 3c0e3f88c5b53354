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

async function start(options: { maxInFlightBodyBytes?: number; bodyReadTimeoutMs?: number }) {
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

/**
 * An admin request that sends its headers (Content-Length of a `padding`-byte body) now and its
 * body only on send(): until then the emulator holds the announced bytes against its budget.
 */
function announce(emulator: Emulator, padding: number) {
  const body = JSON.stringify({
    action: 'database.addCollection',
    collectionName: `c${Math.random().toString(16).slice(2)}`,
    pad: 'x'.repeat(padding),
  });
  const entry = {
    answered: false,
    answer: undefined as unknown as Promise<{ status: number; body: Record<string, unknown> }>,
    send: () => request.end(body),
  };
  let request!: http.ClientRequest;
  entry.answer = new Promise((resolve) => {
    request = http.request(
      `${emulator.url}/admin`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          entry.answered = true;
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          });
        });
      },
    );
  });
  // A refused request is cut off once answered; its unsent body is never written.
  request.on('error', () => undefined);
  request.flushHeaders();
  return entry;
}

/** Waits until `count` of the announced requests have been answered. */
async function untilAnswered(entries: { answered: boolean }[], count: number): Promise<void> {
  while (entries.filter((entry) => entry.answered).length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

it('given bodies over the in-flight budget at once, refuses the one past it with 503 and accepts again once answered', async () => {
  const emulator = await start({ maxInFlightBodyBytes: 1_000_000 });
  // Two requests announce 700,000-byte bodies and hold them back: whichever the emulator takes in
  // second cannot fit beside the first and is refused at once, before a byte of it is read.
  const both = [announce(emulator, 700_000), announce(emulator, 700_000)];
  await untilAnswered(both, 1);
  const refused = both.find((entry) => entry.answered)!;
  const held = both.find((entry) => !entry.answered)!;

  expect(await refused.answer).toEqual({
    status: 503,
    body: { code: 'SYS_ERR', message: expect.stringMatching(/already reading 1000000 bytes .*retry later/) },
  });
  held.send();
  expect((await held.answer).status).toBe(200);
  const third = await adminWithPadding(emulator, 700_000);
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
  // Eight requests announce 300,000-byte bodies and send none yet: the budget holds three of them,
  // so the other five must be answered 503 while no body byte has been sent. Only then do the
  // three held ones send their bodies. Nothing here depends on timing.
  const requests = Array.from({ length: 8 }, () => announce(emulator, 300_000));
  await untilAnswered(requests, 5);

  const refused = requests.filter((entry) => entry.answered);
  const held = requests.filter((entry) => !entry.answered);
  expect((await Promise.all(refused.map((entry) => entry.answer))).map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503]);
  expect(held).toHaveLength(3);
  for (const entry of held) entry.send();
  expect((await Promise.all(held.map((entry) => entry.answer))).map((answer) => answer.status)).toEqual([200, 200, 200]);
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
