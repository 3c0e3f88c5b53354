import type { Clock } from '../services/auth/dependencies';

export const systemClock: Clock = { now: () => Date.now() };
