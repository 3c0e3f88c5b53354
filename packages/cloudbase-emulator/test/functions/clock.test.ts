import { createPausableClock } from '../../src/functions/clock';

describe('pausable clock for time limits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('given no hold, fires after the limit', () => {
    const clock = createPausableClock();
    const expired = jest.fn();
    clock.timer(100, expired);

    jest.advanceTimersByTime(99);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('given a hold in the middle, stops counting until every hold is released', () => {
    const clock = createPausableClock();
    const expired = jest.fn();
    clock.timer(100, expired);

    jest.advanceTimersByTime(40);
    const releaseA = clock.hold();
    const releaseB = clock.hold();
    jest.advanceTimersByTime(1000);
    releaseA();
    jest.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();

    releaseB();
    releaseB();
    jest.advanceTimersByTime(59);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('given a timer started during a hold, starts counting at the release; a cancelled one never fires', () => {
    const clock = createPausableClock();
    const release = clock.hold();
    const expired = jest.fn();
    const cancelled = jest.fn();
    clock.timer(50, expired);
    clock.timer(10, cancelled).cancel();

    jest.advanceTimersByTime(500);
    release();
    jest.advanceTimersByTime(50);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
