/**
 * Returning-login latency at 1 user and at 100,000 users, side by side in one run: two emulators
 * that read this project's cloudbaserc.json (so queries are served by the declared indexes, as on
 * CloudBase), the large one seeded through the bulk import path (JSON lines, one call per
 * collection — not 100,000 SDK calls). Each measures the same returning logins of the same people,
 * alternating rounds between the two so that machine load falls on both alike.
 */
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { mapConcurrent, percentile, round } from './stats';

interface Side {
  users: number;
  seedMs: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ScaleReport {
  small: Side;
  large: Side;
  /** large p50 / small p50: the target is at most 1.5. */
  p50Ratio: number;
  logins: number;
  unindexedScanWarnings: string[];
}

const AT = { $date: '2024-01-01T00:00:00.000Z' };

/** `count` users and their WeChat identities, as the login writes them, in JSON lines. */
function seedLines(count: number): { users: string; identities: string } {
  const users: string[] = [];
  const identities: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `wx-openid:wx-bench-seed:seed-${i}`;
    users.push(
      JSON.stringify({ _id: `seed-user-${i}`, identityKeys: [key], status: 'active', createdAt: AT, lastLoginAt: AT, loginCount: 1 }),
    );
    identities.push(JSON.stringify({ _id: key, userId: `seed-user-${i}`, provider: 'wechat', createdAt: AT }));
  }
  return { users: users.join('\n'), identities: identities.join('\n') };
}

async function seeded(count: number, warnings: string[]): Promise<{ emulator: Emulator; seedMs: number }> {
  const emulator = await createEmulator({
    memory: true,
    functionTimeoutMs: 60_000,
    onFunctionOutput: () => undefined,
    onDatabaseWarning: (message) => warnings.push(message),
  });
  const started = performance.now();
  const lines = seedLines(count);
  await emulator.database.importCollection('users', lines.users);
  await emulator.database.importCollection('identities', lines.identities);
  return { emulator, seedMs: performance.now() - started };
}

async function loginTimes(emulator: Emulator, people: number, rounds: number): Promise<number[]> {
  const callers = Array.from({ length: people * rounds }, (_, i) => ({ openid: `bench-scale-${i % people}`, appid: 'wx-bench-scale' }));
  return mapConcurrent(callers, 4, async (caller) => {
    const started = performance.now();
    const invocation = await emulator.callFunction('login', {}, caller);
    if (invocation.error) throw new Error(`login failed: ${invocation.error.message}`);
    return performance.now() - started;
  });
}

export async function measureScale(
  largeUsers = 100_000,
  people = 50,
  rounds = 10,
  log: (line: string) => void = () => undefined,
): Promise<ScaleReport> {
  const warnings: string[] = [];
  log(`  seeding 1 user and ${largeUsers.toLocaleString('en-US')} users through the bulk import ...`);
  const small = await seeded(1, warnings);
  const large = await seeded(largeUsers, warnings);
  try {
    // First logins create the people; they and a warm-up round are not measured.
    for (const side of [small, large]) await loginTimes(side.emulator, people, 2);
    const times = { small: [] as number[], large: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      times.small.push(...(await loginTimes(small.emulator, people, 1)));
      times.large.push(...(await loginTimes(large.emulator, people, 1)));
    }
    const side = (users: number, seedMs: number, list: number[]): Side => ({
      users,
      seedMs: round(seedMs),
      p50Ms: round(percentile(list, 50)),
      p95Ms: round(percentile(list, 95)),
    });
    const report = {
      small: side(1, small.seedMs, times.small),
      large: side(largeUsers, large.seedMs, times.large),
      p50Ratio: 0,
      logins: people * rounds,
      unindexedScanWarnings: warnings,
    };
    report.p50Ratio = round(report.large.p50Ms / report.small.p50Ms);
    return report;
  } finally {
    await Promise.all([small.emulator.close(), large.emulator.close()]);
  }
}

// `npx tsx bench/scale.ts`: this measurement alone.
if (require.main === module) {
  measureScale(100_000, 50, 10, console.log)
    .then((report) => console.log(JSON.stringify(report, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
