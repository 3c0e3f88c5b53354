/**
 * The clock invocation time limits run on. On SCF every instance has its own CPU; here dozens of
 * instances share the developer's few cores, and a burst of cold starts (loading a 1 MB bundle
 * costs ~100 ms of CPU each) can starve the instances already running for seconds. So the runtime
 * holds this clock while any instance is loading: running invocations' time limits stop counting
 * and resume afterwards. A function that really hangs still times out; a correct one is not
 * pushed over its limit by the emulator's own start-up work.
 */

export interface LimitTimer {
  cancel(): void;
}

export interface PausableClock {
  /** Calls `onExpire` once `ms` of unpaused time has passed, unless cancelled first. */
  timer(ms: number, onExpire: () => void): LimitTimer;
  /** Pauses every timer until all holds are released; returns the release function. */
  hold(): () => void;
}

interface Running {
  remaining: number;
  startedAt: number;
  handle: ReturnType<typeof setTimeout> | null;
  onExpire: () => void;
}

export function createPausableClock(now: () => number = Date.now): PausableClock {
  const timers = new Set<Running>();
  let holds = 0;

  function run(timer: Running): void {
    timer.startedAt = now();
    timer.handle = setTimeout(
      () => {
        timers.delete(timer);
        timer.onExpire();
      },
      Math.max(0, timer.remaining),
    );
  }

  function pause(timer: Running): void {
    if (!timer.handle) return;
    clearTimeout(timer.handle);
    timer.handle = null;
    timer.remaining -= now() - timer.startedAt;
  }

  return {
    timer(ms, onExpire) {
      const timer: Running = { remaining: ms, startedAt: now(), handle: null, onExpire };
      timers.add(timer);
      if (holds === 0) run(timer);
      return {
        cancel() {
          if (timer.handle) clearTimeout(timer.handle);
          timer.handle = null;
          timers.delete(timer);
        },
      };
    },
    hold() {
      holds += 1;
      if (holds === 1) timers.forEach(pause);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds === 0) timers.forEach(run);
      };
    },
  };
}
