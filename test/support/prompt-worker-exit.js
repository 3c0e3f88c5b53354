// @ts-check
/**
 * A Jest worker process ends as soon as its work is done. jest-worker ends a worker by letting its
 * event loop run dry, after which Node takes the whole process apart — every worker's heap had grown
 * to ~850 MB of RSS by the end of a full run — and that took 0.6 s, past jest-worker's 0.5 s grace:
 * each run ended with both workers force-killed ("A worker process has failed to exit gracefully")
 * and half a second of waiting. process.exit() at that point skips taking the heap apart, with the same
 * exit code and the same 'exit' handlers (Playwright's, which stops a browser still open). The kernel still
 * frees the memory; on a loaded machine that can take more than 0.5 s too, so jest.config.js gives the
 * workers a longer grace (workerGracefulExitTimeout).
 *
 * Only in a worker process (one with an IPC channel, which keeps the loop alive until jest-worker
 * lets go of it): a run in band is Jest's own process, left as it is.
 */
if (typeof process.send === 'function') process.once('beforeExit', () => process.exit());
