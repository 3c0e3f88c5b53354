// @ts-check
/**
 * How the run-wide bundles under .build/ (mingo-bundle.js, wx-server-sdk-bundle.js) appear: built in a
 * staging folder, then renamed into place, so that a worker sees a whole bundle or none.
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * Moves `staging` to `dir` (a folder named by a 16-hex-digit hash), unless another run put the same
 * bundle there first, and removes its siblings: bundles of an earlier version are not used again.
 * @param {string} staging
 * @param {string} dir
 */
function publishBuild(staging, dir) {
  try {
    fs.renameSync(staging, dir);
  } catch {
    // Another run built the same bundle first.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  for (const old of fs.readdirSync(path.dirname(dir))) {
    if (/^[0-9a-f]{16}$/.test(old) && old !== path.basename(dir))
      fs.rmSync(path.join(path.dirname(dir), old), { recursive: true, force: true });
  }
}

module.exports = { publishBuild };
