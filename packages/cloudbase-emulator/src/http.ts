/** Small HTTP helpers shared by the emulator's server and its routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * A body the emulator would not finish reading: too many bytes in flight across all requests
 * (503, retry later) or a body that did not arrive in time (408). `code` is the error name answered.
 */
export class BodyRefusedError extends Error {
  constructor(
    readonly status: 503 | 408,
    readonly code: 'SYS_ERR' | 'INVALID_PARAM',
    message: string,
  ) {
    super(message);
    this.name = 'BodyRefusedError';
  }
}

/** The server's bounds on reading bodies, shared by every request of one emulator. */
export interface BodyGate {
  /** Bytes of request bodies held at once, summed over every request still being answered. */
  readonly maxInFlightBytes: number;
  /** Time allowed from the start of reading a body to its end. */
  readonly readTimeoutMs: number;
  inFlightBytes: number;
}

interface GuardedRequest {
  gate: BodyGate;
  held: number;
  response: ServerResponse;
}

const guarded = new WeakMap<IncomingMessage, GuardedRequest>();

/**
 * Puts a request under the gate: every readBody of it (whichever module reads it) counts its bytes
 * against the shared budget until the response is closed, and times out. One mechanism in the
 * server, so no route can read a body unbounded.
 */
export function guardBody(request: IncomingMessage, response: ServerResponse, gate: BodyGate): void {
  const entry: GuardedRequest = { gate, held: 0, response };
  guarded.set(request, entry);
  // 'finish' is before the client can see the answer (so a next request finds the bytes freed);
  // 'close' covers an answer that never finished.
  const release = (): void => {
    gate.inFlightBytes -= entry.held;
    entry.held = 0;
  };
  response.on('finish', release);
  response.on('close', release);
  // A route that answers without reading the body (a 404, a refused upload) leaves Node draining
  // it, and a trickled one would hold the connection until Node's own request timeout (300 s).
  // Past the read timeout, a request whose body is still arriving after its answer is cut off.
  const cutOff = (): void => {
    if (!request.complete) request.socket.destroy();
  };
  const timer = setTimeout(() => {
    if (response.writableFinished) cutOff();
    else response.once('finish', cutOff);
  }, gate.readTimeoutMs);
  // Under a jsdom test environment the timer is a number: nothing to unref there.
  if (typeof timer === 'object') timer.unref();
  const socket = request.socket;
  const clear = (): void => {
    clearTimeout(timer);
    socket.off('close', clear);
  };
  request.once('end', clear);
  response.once('finish', () => {
    if (request.complete) clear();
  });
  // Several requests share a kept-alive socket: each takes its listener off again.
  socket.once('close', clear);
}

/**
 * Reads the whole body, refusing (and draining) more than `limit` bytes.
 *
 * With a Content-Length (what every SDK and browser sends for these requests) the body is read
 * into one buffer of that size, reserved against the gate before the first byte is read: no
 * chunk list beside a concatenated copy (twice the body's size), and a request the budget cannot
 * hold is refused at once instead of after its bytes have piled up. Without one (chunked), chunks
 * are counted as they arrive.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const entry = guarded.get(request);
  const declared = declaredLength(request);
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let into: Buffer | null = null;
    let size = 0;
    let tooLarge = false;
    let ended = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (error) {
        chunks = [];
        into = null;
        reject(error);
      } else {
        resolve(into ? into.subarray(0, size) : Buffer.concat(chunks));
        chunks = [];
        into = null;
      }
    };
    const refuse = (error: Error): void => {
      tooLarge = true;
      settle(error);
      // A client still sending is cut off once the answer is out, not left holding the connection.
      entry?.response.once('finish', () => request.destroy());
    };
    /** Counts `bytes` more against the shared budget; false (and the request refused) when it is spent. */
    const reserve = (bytes: number): boolean => {
      if (!entry) return true;
      entry.held += bytes;
      entry.gate.inFlightBytes += bytes;
      if (entry.gate.inFlightBytes <= entry.gate.maxInFlightBytes) return true;
      entry.gate.inFlightBytes -= entry.held;
      entry.held = 0;
      refuse(
        new BodyRefusedError(
          503,
          'SYS_ERR',
          `the emulator is already reading ${entry.gate.maxInFlightBytes} bytes of request bodies; retry later`,
        ),
      );
      return false;
    };

    if (declared !== null && declared > limit) {
      // Refused before reading; the rest is drained so the answer reaches the client.
      tooLarge = true;
      request.resume();
      settle(new BodyTooLargeError(limit));
      return;
    }
    if (declared !== null) {
      if (!reserve(declared)) {
        request.resume();
        return;
      }
      into = Buffer.allocUnsafe(declared);
    }
    if (entry) {
      timer = setTimeout(
        () => refuse(new BodyRefusedError(408, 'INVALID_PARAM', `the request body did not arrive within ${entry.gate.readTimeoutMs} ms`)),
        entry.gate.readTimeoutMs,
      );
    }
    request.on('data', (chunk: Buffer) => {
      if (tooLarge || settled) return;
      if (into) {
        // Node's parser never delivers more than Content-Length; the bound is kept anyway.
        const copied = chunk.copy(into, size);
        size += copied;
        return;
      }
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        settle(new BodyTooLargeError(limit));
        return;
      }
      if (reserve(chunk.length)) chunks.push(chunk);
    });
    request.on('end', () => {
      ended = true;
      if (!tooLarge) settle(null);
    });
    request.on('error', (error) => settle(error));
    // A client that hangs up mid-body may end the stream with neither 'end' nor 'error'.
    request.on('close', () => {
      if (!ended) settle(new Error('the client closed the connection before the body ended'));
    });
  });
}

/** The Content-Length of a request, or null when it has none (chunked) or an unusable one. */
function declaredLength(request: IncomingMessage): number | null {
  const value = request.headers['content-length'];
  if (value === undefined || request.headers['transfer-encoding'] !== undefined) return null;
  const length = Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
