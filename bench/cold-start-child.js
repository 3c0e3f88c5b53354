// @ts-check
// One cold start, as a fresh CloudBase instance sees it: this process loads a function file and
// answers one invocation. The parent measures spawn -> answer; the environment (SDK pointed at
// the emulator, WeChat context) is set by the parent, as the emulator's runtime would.
const file = process.argv[2];
if (!file) throw new Error('usage: cold-start-child.js <function index.js>');
const started = process.hrtime.bigint();
/** @type {{ main: (event: unknown, context: unknown) => Promise<unknown> }} */
const fn = require(file);
const loadedMs = Number(process.hrtime.bigint() - started) / 1e6;
fn.main({}, {}).then(
  (result) => {
    const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
    // CPU time of the whole process so far (Node's own start included): unlike wall time, it barely
    // moves when other processes load the machine.
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    process.stdout.write(`${JSON.stringify({ loadedMs, totalMs, cpuMs, rss: process.memoryUsage().rss, result })}\n`);
  },
  (error) => {
    process.stderr.write(`${String(error?.stack ? error.stack : error)}\n`);
    process.exit(1);
  },
);
