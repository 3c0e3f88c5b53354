/**
 * The emulator clock over HTTP (emulator-clock.ts), for the CLI (`npm run emulator -- clock …`)
 * and for tests or scripts outside the emulator's process:
 *
 *   GET  /api/clock           { now, nowMs, offsetMs }
 *   POST /api/clock/set       { "to": "2027-01-01T08:00:00+08:00" } (or ms since the epoch)
 *   POST /api/clock/advance   { "by": "90m" } (or ms; negative goes back)
 *   POST /api/clock/reset     back to real time
 *
 * Every POST answers the clock as GET does. Like the status page's API, it is refused to pages not
 * served from this machine (the server's Origin and Host checks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorModule, HttpRoute } from './core/module';
import { type ClockState, type EmulatorClock, parseDuration } from './emulator-clock';
import { BodyRefusedError, BodyTooLargeError, readBody, sendJson } from './http';

export const CLOCK_PATH = '/api/clock';
const MAX_BODY_BYTES = 4096;

class ClockRequestError extends Error {}

export function createClockModule(clock: EmulatorClock): EmulatorModule {
  async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
    const text = (await readBody(request, MAX_BODY_BYTES)).toString('utf8').trim();
    if (text === '') return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ClockRequestError('不是合法的 JSON / not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ClockRequestError('需要一个 JSON 对象 / a JSON object is required');
    return value as Record<string, unknown>;
  }

  function change(verb: string, body: Record<string, unknown>): ClockState {
    if (verb === 'reset') return clock.reset();
    if (verb === 'set') {
      const to = body['to'];
      if (typeof to !== 'string' && typeof to !== 'number')
        throw new ClockRequestError('缺少 to（ISO 时间或毫秒） / to is required (an ISO time or ms since the epoch)');
      const target = typeof to === 'number' ? to : Date.parse(to);
      if (!Number.isFinite(target)) throw new ClockRequestError(`不是有效时间 / not a valid time: ${String(to)}`);
      return clock.set(target);
    }
    const by = body['by'];
    const ms = typeof by === 'number' ? by : typeof by === 'string' ? parseDuration(by) : null;
    if (ms === null || !Number.isFinite(ms))
      throw new ClockRequestError('by 需要时长，如 "90m"、"2h"、"1d" 或毫秒数 / by needs a duration such as "90m", "2h", "1d" or ms');
    return clock.advance(ms);
  }

  const show: HttpRoute['handle'] = async (_request, response) => {
    sendJson(response, 200, clock.state());
  };

  const move: HttpRoute['handle'] = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const verb = url.pathname.slice(CLOCK_PATH.length + 1);
    if (verb !== 'set' && verb !== 'advance' && verb !== 'reset') return false;
    try {
      sendJson(response, 200, change(verb, await bodyOf(request)));
    } catch (error) {
      if (error instanceof BodyRefusedError) throw error;
      if (!(error instanceof ClockRequestError) && !(error instanceof BodyTooLargeError) && !(error instanceof RangeError)) throw error;
      sendJson(response, error instanceof BodyTooLargeError ? 413 : 400, { code: 'INVALID_PARAM', message: error.message });
    }
  };

  // Before the status module, whose '/api/' route would answer these paths with 404.
  return {
    name: 'clock',
    routes: [
      { method: 'GET', path: CLOCK_PATH, handle: show },
      { method: 'POST', path: `${CLOCK_PATH}/`, handle: move },
    ],
  };
}
