// @ts-check
/**
 * Jest's test order, longest file first, also on a fresh clone.
 *
 * Jest runs files longest first when its cache (in the OS temp folder) holds their durations from an
 * earlier run. Without one, as in a fresh clone or CI, it runs files without a duration first and
 * orders them by size, so a short file with a long test (the miniprogram-ci compile, the installer's
 * tsc checks) can start last and leave one worker running alone at the end. This sequencer gives
 * every file a duration: Jest's own when it has one, else the one recorded in
 * test-durations.json (seconds, from a run on the 2-core machine), else an estimate from its size.
 * A stale or missing entry only changes the order, never what runs.
 *
 * Refresh the record after big changes to the tests:
 *   npx jest --json --outputFile=/tmp/jest.json && node test/support/sequencer.js /tmp/jest.json
 */
const fs = require('node:fs');
const path = require('node:path');
const TestSequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '..', '..');
const RECORD = path.join(__dirname, 'test-durations.json');
/** Files shorter than this (seconds) are left to the size estimate. */
const RECORDED_FROM_S = 0.5;

/** @returns {Record<string, number>} seconds by path relative to the repository */
function readRecord() {
  try {
    return JSON.parse(fs.readFileSync(RECORD, 'utf8'));
  } catch {
    return {};
  }
}

class LongestFirstSequencer extends TestSequencer {
  /** @param {ConstructorParameters<typeof TestSequencer>} args */
  constructor(...args) {
    super(...args);
    this.record = readRecord();
  }

  /** @param {import('@jest/test-result').Test} test @returns {number} milliseconds */
  time(test) {
    const cached = super.time(test);
    if (cached != null) return cached;
    const recorded = this.record[path.relative(ROOT, test.path).split(path.sep).join('/')];
    if (recorded != null) return recorded * 1000;
    // Unrecorded files are the short ones: about 0.1 s per 4 KB, below the recorded threshold.
    return Math.min(RECORDED_FROM_S * 1000 - 1, (test.context.hasteFS.getSize(test.path) ?? 0) / 40);
  }
}

module.exports = LongestFirstSequencer;

if (require.main === module) {
  const [report] = process.argv.slice(2);
  if (!report) throw new Error('usage: node test/support/sequencer.js <jest --json output>');
  /** @type {{ testResults: { name: string, startTime: number, endTime: number }[] }} */
  const { testResults } = JSON.parse(fs.readFileSync(report, 'utf8'));
  /** @type {Record<string, number>} */
  const record = {};
  for (const { name, startTime, endTime } of [...testResults].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const seconds = Math.round((endTime - startTime) / 100) / 10;
    if (seconds >= RECORDED_FROM_S) record[path.relative(ROOT, name).split(path.sep).join('/')] = seconds;
  }
  fs.writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${Object.keys(record).length} files recorded in ${path.relative(ROOT, RECORD)}\n`);
}
