/**
 * `npx tsx bench/body-memory.ts [N...]`: the emulator's peak memory while N clients each send a
 * 64 MB admin request body at once, with the in-flight body budget (default 256 MB) beside the same
 * emulator without one (the baseline), in the same run. Each emulator runs in its own process
 * (bench/body-memory-child.ts); its peak RSS is the kernel's high-water mark (VmHWM), read after the
 * burst, so nothing is sampled and nothing is missed. Reports MB and the ratio to the baseline;
 * asserts nothing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const MB = 1024 * 1024;
const BODY_BYTES = 64 * MB - 1024;
const child = path.join(__dirname, 'body-memory-child.ts');

/** One request body, shared by every send: `{ action, collectionName, pad: 'xxx…' }`, 64 MB. */
function makeBody(): Buffer {
  const head = Buffer.from('{"action":"database.addCollection","collectionName":"bench_body","pad":"');
  const tail = Buffer.from('"}');
  const body = Buffer.alloc(BODY_BYTES, 'x');
  head.copy(body, 0);
  tail.copy(body, BODY_BYTES - tail.length);
  return body;
}

function send(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(`${url}/admin`, { method: 'POST', headers: { 'content-length': body.length } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    // A refused request is cut off once answered: that is an answer too. The reset can reach the
    // socket after the response has ended, when the request no longer listens for it.
    request.on('error', () => resolve(-1));
    request.on('socket', (socket) => socket.on('error', () => undefined));
    request.end(body);
  });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kib / 1024);
}

function currentRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024);
}

async function measure(budget: string, concurrency: number, body: Buffer) {
  // One process (node --import tsx), so the pid read is the emulator's own.
  const proc = spawn(process.execPath, ['--import', 'tsx', child, budget], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  const pid = proc.pid ?? 0;
  let exit: string | null = null;
  proc.on('exit', (code, signal) => {
    exit = `exited (${signal ?? code})`;
  });
  proc.stdin.on('error', () => undefined);
  const idle = currentRssMb(pid);
  const statuses = await Promise.all(Array.from({ length: concurrency }, () => send(url, body)));
  if (exit) throw new Error(`the emulator ${exit} during ${concurrency} × 64 MB (budget ${budget})`);
  const peak = peakRssMb(pid);
  proc.stdin.end();
  await new Promise((resolve) => proc.on('exit', resolve));
  const answered = statuses.filter((status) => status === 200).length;
  return { idle, peak, answered, refused: statuses.length - answered };
}

async function main(): Promise<void> {
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const body = makeBody();
  const rows: string[] = [];
  for (const concurrency of counts.length > 0 ? counts : [1, 4, 8]) {
    const baseline = await measure('unbounded', concurrency, body);
    const bounded = await measure(String(256 * MB), concurrency, body);
    rows.push(
      `${concurrency} × 64 MB: without budget idle ${baseline.idle} MB, peak ${baseline.peak} MB (${baseline.answered} answered); ` +
        `with 256 MB budget peak ${bounded.peak} MB (${bounded.answered} answered, ${bounded.refused} refused with 503); ` +
        `peak ratio ${(bounded.peak / baseline.peak).toFixed(2)}`,
    );
    console.log(rows[rows.length - 1]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
