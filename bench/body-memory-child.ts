/**
 * One emulator in its own process for bench/body-memory.ts, so that its peak RSS is the server's
 * alone. argv[2]: maxInFlightBodyBytes ('unbounded' for no budget). Prints its URL, then runs until
 * stdin closes.
 */
import { createEmulator } from '@wx-cloud-login/cloudbase-emulator';

async function main(): Promise<void> {
  const budget = process.argv[2] === 'unbounded' ? Number.POSITIVE_INFINITY : Number(process.argv[2]);
  const emulator = await createEmulator({ memory: true, maxInFlightBodyBytes: budget, onFunctionOutput: () => undefined });
  process.stdout.write(`${emulator.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    emulator.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
