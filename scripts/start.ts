/**
 * `npm start`: builds the cloud functions, then runs the local CloudBase emulator until Ctrl-C,
 * rebuilding a function when its sources change (the next call runs the new code).
 * Options: --port N, --data-dir DIR, --memory, --functions DIR, --env ID, --import DIR, --export-on-exit DIR,
 * --no-build, --no-watch (packages/cloudbase-emulator, START_USAGE), and --project <path>: another DevTools
 * project's functions and pages instead of this repository's (lib/start-target.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runStart } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule, PREVIEW_PATH } from '@wx-cloud-login/miniprogram-preview/server/preview-module';
import { buildFunctions, describeRebuild, watchFunctions } from './build';
import { localPushOptions } from './lib/local-push';
import { resolveStartTarget } from './lib/start-target';

const resolved = resolveStartTarget(process.argv.slice(2), path.resolve(__dirname, '..'));
if (!resolved.ok) {
  process.stderr.write(`${resolved.message}\n`);
  process.exit(2);
}
const { target } = resolved;

runStart(target.argv, {
  output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  // A project may have no function folder yet (DevTools' TypeScript template): nothing to build or watch then.
  build: async () => (existsSync(target.functionsRoot) ? buildFunctions(target.functionsRoot) : []),
  watch: async (functionsRoot, output) =>
    existsSync(functionsRoot)
      ? watchFunctions((report) => {
          void describeRebuild(report).then((text) => (report.ok ? output.stdout(text) : output.stderr(text)));
        }, functionsRoot)
      : async () => undefined,
  // The mini-program's pages in a browser, served by the emulator (packages/miniprogram-preview).
  modules: async () => [
    await createPreviewModule({
      log: (text) => process.stderr.write(text),
      ...(target.miniprogramRoot ? { miniprogramRoot: target.miniprogramRoot } : {}),
      ...(target.previewOutDir ? { outDir: target.previewOutDir } : {}),
    }),
  ],
  // WeChat's pushes (授权用户信息变更) to the wechat-push function: `npm run emulator -- push …`.
  emulatorOptions: localPushOptions(target.functionsRoot),
  banner: (url) => [
    ...(target.projectRoot ? [`  项目 Project:      ${target.projectRoot}`] : []),
    `  小程序预览 Preview: ${url}${PREVIEW_PATH}`,
  ],
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
