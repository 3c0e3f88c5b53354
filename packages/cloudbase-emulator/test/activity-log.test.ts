/**
 * The status page's live log keeps each call's event and answer as indented JSON text, bounded in
 * size, taken when the call finished.
 */
import { createActivityLog, MAX_VALUE_CHARS } from '../src/activity-log';

const call = (event: unknown, result: unknown) => ({
  name: 'login',
  caller: { openid: 'o1' },
  event,
  invocation: { result, invocationId: 'inv-1', requests: [], roundTrips: 0, instance: 1 },
  startedAt: 1_000,
  endedAt: 1_004,
});

describe('activity log', () => {
  it('given a call, then its event and answer are indented JSON as they were when it finished', () => {
    const log = createActivityLog();
    const result = { ok: true, data: { nickName: '微信用户', list: [1, 2] } };
    log.call(call({ action: 'login' }, result));
    result.data.nickName = 'changed later';

    expect(log.since(0)).toEqual([
      expect.objectContaining({
        seq: 1,
        kind: 'call',
        event: JSON.stringify({ action: 'login' }, null, 2),
        result: JSON.stringify({ ok: true, data: { nickName: '微信用户', list: [1, 2] } }, null, 2),
        durationMs: 4,
      }),
    ]);
  });

  it('given a BigInt, undefined or a value JSON cannot hold, then it still shows them', () => {
    const log = createActivityLog();
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    log.call(call({ big: BigInt('9007199254740993') }, undefined));
    log.call(call(circular, 'x'.repeat(MAX_VALUE_CHARS + 5)));

    const [first, second] = log.since(0) as { event: string; result: string }[];
    expect(first?.event).toBe('{\n  "big": "9007199254740993"\n}');
    expect(first?.result).toBe('undefined');
    expect(second?.event).toBe('[object Object]');
    expect(second?.result).toBe(`${JSON.stringify('x'.repeat(MAX_VALUE_CHARS + 5)).slice(0, MAX_VALUE_CHARS)}\n… (7 more characters)`);
  });
});
