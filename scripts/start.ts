/**
 * `npm start`: builds the cloud functions, then runs the local CloudBase emulator until Ctrl-C,
 * rebuilding a function when its sources change (the next call runs the new code).
 * Options: --port N, --data-dir DIR, --memory, --functions DIR, --env ID, --import DIR, --export-on-exit DIR,
 * --no-build, --no-watch (packages/cloudbase-emulator, START_USAGE).
 */
import { runStart } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule, PREVIEW_PATH } from '@wx-cloud-login/miniprogram-preview/server/preview-module';
import { buildFunctions, describeRebuild, watchFunctions } from './build';

runStart(process.argv.slice(2), {
  output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  build: buildFunctions,
  watch: (functionsRoot, output) =>
    watchFunctions((report) => {
      void describeRebuild(report).then((text) => (report.ok ? output.stdout(text) : output.stderr(text)));
    }, functionsRoot),
  // The mini-program's pages in a browser, served by the emulator (packages/miniprogram-preview).
  modules: async () => [await createPreviewModule({ log: (text) => process.stderr.write(text) })],
  banner: (url) => [`  小程序预览 Preview: ${url}${PREVIEW_PATH}`],
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
