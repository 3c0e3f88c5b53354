/**
 * The emulator's clock: real time plus an offset, seen by function code through its own global
 * Date (the built file unchanged) and by the database's server date.
 */
import path from 'node:path';
import { createEmulatorClock, formatOffset, parseDuration } from '../src/emulator-clock';
import { createEmulator, type Emulator } from '../src/server';

const FIXTURES = path.join(__dirname, 'fixtures', 'functions');
const HOUR_MS = 3_600_000;

describe('emulator clock', () => {
  it('given set, advance and reset, answers real time plus the offset, and counts only moves back as rewinds', () => {
    let real = Date.UTC(2026, 11, 2, 12);
    const clock = createEmulatorClock(() => real);

    expect(clock.set('2027-01-01T00:00:00Z').now).toBe('2027-01-01T00:00:00.000Z');
    real += 1000;
    expect(clock.now()).toBe(Date.UTC(2027, 0, 1, 0, 0, 1));
    expect(clock.advance(90 * 60_000).offsetMs).toBe(Date.UTC(2027, 0, 1, 1, 30) - Date.UTC(2026, 11, 2, 12));
    expect(clock.rewinds()).toBe(0);
    expect(clock.reset()).toEqual({ nowMs: real, now: new Date(real).toISOString(), offsetMs: 0 });
    expect(clock.rewinds()).toBe(1);
    expect(() => clock.set('not a date')).toThrow(RangeError);
  });

  it('reads durations the way the CLI takes them, and prints offsets for people', () => {
    expect(['90m', '1h30m', '2d', '45s', '500ms', '-1h', '1.5h', '5000'].map(parseDuration)).toEqual([
      5_400_000, 5_400_000, 172_800_000, 45_000, 500, -3_600_000, 5_400_000, 5000,
    ]);
    expect(['', 'soon', '1x', '1h 30m', 'h'].map(parseDuration)).toEqual([null, null, null, null, null]);
    expect([0, 5_400_000, -172_800_000, 1500].map(formatOffset)).toEqual(['0', '+1h 30m 0s', '-2d 0h 0m 0s', '+1s 500ms']);
  });
});

interface Probe {
  threadId: number;
  loadedAt: number;
  now: number;
  newDate: number;
  dateString: string;
  given: number;
  parsed: number;
  utc: number;
  isDate: boolean;
  constructorIsDate: boolean;
  tag: string;
  stamp: { isStamp: boolean; isDate: boolean; time: number; label: string };
  serverDate: { id: string; at: number } | null;
}

describe('the emulator clock inside functions and the database', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ memory: true, functionsRoot: FIXTURES, onFunctionOutput: () => undefined });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  // No reset between tests: a move back replaces the instances (a cold start each); every test
  // sets the time it needs, forward.
  async function probe(event: Record<string, unknown> = {}): Promise<Probe & { instance: number | null }> {
    const invocation = await emulator.callFunction('clock-probe', event, { openid: 'o-clock' });
    if (invocation.error) throw new Error(invocation.error.message);
    return { ...(invocation.result as Probe), instance: invocation.instance };
  }

  it('given the clock advanced, a warm instance’s Date.now(), new Date(), Date() and Date subclasses move with it', async () => {
    const before = await probe();
    emulator.clock.advance(2 * HOUR_MS);
    const after = await probe();

    expect(after.instance).toBe(before.instance);
    for (const moved of [after.now, after.newDate, after.stamp.time, Date.parse(after.dateString)]) {
      expect(moved - before.now).toBeGreaterThanOrEqual(2 * HOUR_MS - 1000);
      expect(moved - before.now).toBeLessThan(2 * HOUR_MS + 5000);
    }
    expect(Math.abs(after.now - emulator.clock.now())).toBeLessThan(5000);
  });

  it('keeps everything but "now" the real Date’s: instanceof, constructor, tag, subclasses, explicit times, parse, UTC', async () => {
    emulator.clock.set('2030-06-01T00:00:00Z');
    const answer = await probe();

    expect(answer).toMatchObject({
      isDate: true,
      constructorIsDate: true,
      tag: '[object Date]',
      given: 0,
      parsed: Date.UTC(2000, 0, 1),
      utc: Date.UTC(2000, 0, 1),
      stamp: { isStamp: true, isDate: true },
    });
    expect(answer.stamp.label).toMatch(/^stamp 2030-06-01T00:00:0\d\.\d{3}Z$/);
    expect(new Date(answer.newDate).toISOString()).toMatch(/^2030-06-01T00:00:0\d/);
  });

  it('given the clock set, db.serverDate() and generated ids carry the emulator’s time', async () => {
    emulator.clock.set('2031-01-01T00:00:00Z');
    const { serverDate } = await probe({ serverDate: true });

    expect(serverDate).not.toBeNull();
    expect(new Date(serverDate?.at ?? 0).toISOString()).toMatch(/^2031-01-01T00:00:0\d/);
    // The first 8 hex digits of a CloudBase-like _id are its creation second.
    expect(Number.parseInt(serverDate?.id.slice(0, 8) ?? '', 16)).toBe(Math.floor((serverDate?.at ?? 0) / 1000));
  });

  it('given reset, goes back to real time in a fresh instance: one started in the future could hold stale state', async () => {
    emulator.clock.advance(24 * HOUR_MS);
    const future = await probe();
    emulator.clock.reset();
    const back = await probe();

    expect(Math.abs(back.now - Date.now())).toBeLessThan(5000);
    expect(future.now - back.now).toBeGreaterThan(23 * HOUR_MS);
    expect(back.instance).not.toBe(future.instance);
    // Loaded after the reset: its module scope read real time.
    expect(Math.abs(back.loadedAt - Date.now())).toBeLessThan(5000);
  });
});
