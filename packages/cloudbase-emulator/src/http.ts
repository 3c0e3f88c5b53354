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
}

/** Reads the whole body, refusing (and draining) more than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const entry = guarded.get(request);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let ended = false;
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const refuse = (error: BodyRefusedError): void => {
      tooLarge = true;
      chunks.length = 0;
      settle(error);
      // A client still sending is cut off once the answer is out, not left holding the connection.
      entry?.response.once('finish', () => request.destroy());
    };
    const timer = entry
      ? setTimeout(
          () => refuse(new BodyRefusedError(408, 'INVALID_PARAM', `the request body did not arrive within ${entry.gate.readTimeoutMs} ms`)),
          entry.gate.readTimeoutMs,
        )
      : undefined;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        settle(new BodyTooLargeError(limit));
        return;
      }
      if (entry) {
        entry.held += chunk.length;
        entry.gate.inFlightBytes += chunk.length;
        if (entry.gate.inFlightBytes > entry.gate.maxInFlightBytes) {
          entry.gate.inFlightBytes -= entry.held;
          entry.held = 0;
          refuse(
            new BodyRefusedError(
              503,
              'SYS_ERR',
              `the emulator is already reading ${entry.gate.maxInFlightBytes} bytes of request bodies; retry later`,
            ),
          );
          return;
        }
      }
      chunks.push(chunk);
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
