import { createFaultInjector } from '../src/faults';

const insert = { action: 'database.insertDocument', collection: 'users' };
const error = { code: 'DATABASE_REQUEST_FAILED', message: 'injected' };

describe('fault injection rules', () => {
  it('given a rule with an error, fails the first matching request only by default', () => {
    const faults = createFaultInjector();
    faults.add({ action: 'database.insertDocument', error });

    expect(faults.effectFor({ action: 'database.getDocument', collection: 'users' })).toBeNull();
    expect(faults.effectFor(insert)).toEqual({ latencyMs: 0, error, when: 'before' });
    expect(faults.effectFor(insert)).toBeNull();
  });

  it('given nth, lets earlier matching requests through and fires on the nth', () => {
    const faults = createFaultInjector();
    faults.add({ action: /^database\./, nth: 3, error });

    expect(faults.effectFor(insert)).toBeNull();
    expect(faults.effectFor({ action: 'database.getDocument' })).toBeNull();
    expect(faults.effectFor(insert)?.error).toEqual(error);
    expect(faults.effectFor(insert)).toBeNull();
  });

  it("given times 'always' and a latency, delays every matching request until removed", () => {
    const faults = createFaultInjector();
    const rule = faults.add({ collection: 'users', latencyMs: 25, times: 'always' });

    for (let i = 0; i < 5; i += 1) expect(faults.effectFor(insert)).toEqual({ latencyMs: 25, when: 'before' });
    expect(faults.effectFor({ action: 'database.insertDocument', collection: 'orders' })).toBeNull();
    rule.remove();
    expect(faults.effectFor(insert)).toBeNull();
  });

  it('given times 2 and when after, fires twice with the after timing', () => {
    const faults = createFaultInjector();
    faults.add({ action: 'database.insertDocument', times: 2, when: 'after', error });

    expect(faults.effectFor(insert)?.when).toBe('after');
    expect(faults.effectFor(insert)?.when).toBe('after');
    expect(faults.effectFor(insert)).toBeNull();
  });

  it('given two matching rules, the one added first decides while both count the request', () => {
    const faults = createFaultInjector();
    faults.add({ action: 'database.insertDocument', latencyMs: 5 });
    faults.add({ action: 'database.insertDocument', nth: 2, error });

    expect(faults.effectFor(insert)).toEqual({ latencyMs: 5, when: 'before' });
    expect(faults.effectFor(insert)?.error).toEqual(error);
  });

  it('given a global regular expression, matches every time regardless of lastIndex', () => {
    const faults = createFaultInjector();
    faults.add({ action: /database/g, times: 'always', error });

    expect(faults.effectFor(insert)).not.toBeNull();
    expect(faults.effectFor(insert)).not.toBeNull();
  });

  it('given clear, removes every rule', () => {
    const faults = createFaultInjector();
    faults.add({ times: 'always', error });
    faults.clear();

    expect(faults.effectFor(insert)).toBeNull();
  });
});
