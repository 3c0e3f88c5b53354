/**
 * The latency injected into every database request of a test that counts round trips (the emulator
 * counts a new trip each time an invocation's in-flight requests go from none to one). Requests a
 * function makes in parallel must reach the emulator while a sibling is still held: on a loaded
 * 2-core machine a worker thread can be scheduled tens of milliseconds late, and 10–15 ms made those
 * counts fail under load. Nothing is timed: the latency only decides what overlaps.
 */
export const ROUND_TRIP_LATENCY_MS = 40;
