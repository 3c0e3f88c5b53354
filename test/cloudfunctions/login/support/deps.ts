import type { HandlerDeps } from '../../../../cloudfunctions/login/src/handler';
import { createMemoryUserStore, type MemoryUserStore } from './memory-user-store';

export interface TestDeps extends HandlerDeps {
  store: MemoryUserStore;
  clock: { now: Date };
  logged: string[];
}

/** Deterministic ids and a settable clock around an in-memory store. */
export function createTestDeps(): TestDeps {
  let counter = 0;
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const logged: string[] = [];
  return {
    store: createMemoryUserStore(),
    clock,
    logged,
    now: () => clock.now,
    newId: () => `id${String(++counter).padStart(4, '0')}`,
    warn: (message) => logged.push(`warn: ${message}`),
    error: (message) => logged.push(`error: ${message}`),
  };
}
