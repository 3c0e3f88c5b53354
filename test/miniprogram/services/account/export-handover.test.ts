import type { Clipboard, FileHandover, ShareOutcome } from '../../../../miniprogram/ports';
import { createExportHandover, exportText } from '../../../../miniprogram/services/account/export-handover';
import { ServiceError } from '../../../../miniprogram/services/service-error';
import { aDocument, aFileExport, anInlineExport, EXPORT_FILE_ID } from '../../support/personal-data';

/** Recording ports; `failNext` makes the next write or download fail once. */
function ports() {
  const log: string[] = [];
  let failNext = false;
  const failOnce = (): void => {
    if (!failNext) return;
    failNext = false;
    throw new ServiceError('FILE_SAVE_FAILED', 'full');
  };
  const files: FileHandover = {
    async writeText(fileName, text) {
      log.push(`write ${fileName} ${text.length}`);
      failOnce();
      return `usr/${fileName}`;
    },
    async downloadCloudFile(fileID) {
      log.push(`download ${fileID}`);
      failOnce();
      return 'tmp/download.json';
    },
    async share(filePath, fileName): Promise<ShareOutcome> {
      log.push(`share ${filePath} as ${fileName}`);
      return 'shared';
    },
  };
  const copied: string[] = [];
  const clipboard: Clipboard = { copy: async (text) => void copied.push(text) };
  return { files, clipboard, log, copied, failNextWrite: () => void (failNext = true) };
}

describe('createExportHandover', () => {
  it('inline: copies and writes the indented JSON, once however often it is saved', async () => {
    const harness = ports();
    const handover = createExportHandover(anInlineExport(), harness);

    await handover.copy();
    await Promise.all([handover.prepareFile(), handover.save()]);
    await handover.save();

    expect(harness.copied).toEqual([exportText(aDocument())]);
    expect(exportText(aDocument())).toContain('\n  "schemaVersion": 1');
    expect(harness.log).toEqual([
      `write 我的信息-2026-12-02.json ${exportText(aDocument()).length}`,
      'share usr/我的信息-2026-12-02.json as 我的信息-2026-12-02.json',
      'share usr/我的信息-2026-12-02.json as 我的信息-2026-12-02.json',
    ]);
  });

  it('file: copies the link and downloads the cloud file; a failure is tried again on the next save', async () => {
    const harness = ports();
    const handover = createExportHandover(aFileExport(), harness);
    harness.failNextWrite();

    await expect(handover.save()).rejects.toMatchObject({ code: 'FILE_SAVE_FAILED' });
    await handover.save();
    await handover.copy();

    expect(harness.log).toEqual([
      `download ${EXPORT_FILE_ID}`,
      `download ${EXPORT_FILE_ID}`,
      'share tmp/download.json as 我的信息-2026-12-02.json',
    ]);
    expect(harness.copied).toEqual([(aFileExport() as { file: { url: string } }).file.url]);
  });
});
