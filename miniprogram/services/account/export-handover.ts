import type { ExportMyDataData, PersonalDataExport } from '../../../typings/contract';
import type { Clipboard, FileHandover, ShareOutcome } from '../../ports';

/**
 * What the person does with an export of 下载我的信息 (the answer of exportMyData): copy it, or
 * save it as a file. For an inline document that is the JSON itself; for a large one, delivered
 * as a file in cloud storage, the copy is its temporary URL and the file is fetched from storage.
 */

export interface ExportHandoverPorts {
  files: FileHandover;
  clipboard: Clipboard;
}

export interface ExportHandover {
  /** Inline: the document as JSON; file: the temporary download URL (valid until `file.expiresAt`). */
  copy(): Promise<void>;
  /**
   * Makes the local file (writes the JSON, or downloads the cloud file) and resolves with its
   * path; once: later calls share the same work, and a failure is tried again on the next call.
   */
  prepareFile(): Promise<string>;
  /** prepareFile, then WeChat's share sheet; 'cancelled' when the person closed it. */
  save(): Promise<ShareOutcome>;
}

/**
 * The document as the file holds it: indented, for a person to read, and byte for byte what the
 * function stores for a large export (its personalDataText), so the summary's size is the file's.
 */
export function exportText(document: PersonalDataExport): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function createExportHandover(result: ExportMyDataData, { files, clipboard }: ExportHandoverPorts): ExportHandover {
  let prepared: Promise<string> | null = null;

  function prepareFile(): Promise<string> {
    if (prepared) return prepared;
    const work =
      result.delivery === 'inline'
        ? files.writeText(result.summary.fileName, exportText(result.document))
        : files.downloadCloudFile(result.file.fileID);
    prepared = work;
    work.catch(() => {
      if (prepared === work) prepared = null;
    });
    return work;
  }

  return {
    copy: () => clipboard.copy(result.delivery === 'inline' ? exportText(result.document) : result.file.url),
    prepareFile,
    async save() {
      return files.share(await prepareFile(), result.summary.fileName);
    },
  };
}
