import type { ExportMyDataData } from '../../typings/contract';
import { formatDateTime } from './user-view';

/**
 * 下载我的信息: what the page shows of an export before the person copies or saves it — when it
 * was made, how large the file is, how many entries each part holds — and the words of the two
 * actions, which depend on how the export came (in the answer, or as a file in cloud storage).
 */

export interface ExportPartView {
  label: string;
  count: string;
}

export interface ExportSummaryView {
  exportedAt: string;
  /** '2.1 KB', '1.5 MB'. */
  size: string;
  fileName: string;
  parts: ExportPartView[];
  copyLabel: string;
  /** Under the actions: what 复制 copies and, for a file, until when its link works. */
  hint: string;
}

/**
 * What the per-user collections (server-auth PER_USER_COLLECTIONS) are called on the page, and
 * what one of their documents is counted in. A collection this build does not know shows its
 * own name: a newer function may export more than this page knows of.
 */
const COLLECTION_LABELS: Readonly<Record<string, { label: string; unit: string }>> = {
  notes: { label: '笔记', unit: '条' },
};

/** Bytes as the file's size: KB below one MB, one decimal below 10, never "0 KB" for a non-empty file. */
export function formatFileSize(bytes: number): string {
  const units = bytes < 1024 * 1024 ? { size: bytes / 1024, unit: 'KB' } : { size: bytes / (1024 * 1024), unit: 'MB' };
  const rounded = units.size < 10 ? Math.ceil(units.size * 10) / 10 : Math.ceil(units.size);
  return `${rounded} ${units.unit}`;
}

export function toExportSummaryView(result: ExportMyDataData): ExportSummaryView {
  const { summary } = result;
  const parts: ExportPartView[] = [
    { label: '登录方式', count: `${summary.signInMethods} 种` },
    { label: '关联进来的旧账号', count: `${summary.mergedAccounts} 个` },
    { label: '账号记录', count: `${summary.accountEvents} 条` },
    ...summary.collections.map(({ collection, documents }) => {
      const known = COLLECTION_LABELS[collection];
      return { label: known?.label ?? collection, count: `${documents} ${known?.unit ?? '条'}` };
    }),
  ];
  const file = result.delivery === 'file';
  return {
    exportedAt: formatDateTime(summary.exportedAt),
    size: formatFileSize(summary.bytes),
    fileName: summary.fileName,
    parts,
    copyLabel: file ? '复制下载链接' : '复制内容',
    hint: file
      ? `内容较多，已生成文件。下载链接 ${formatDateTime(result.file.expiresAt)} 前有效，可在浏览器中打开；过期后请重新生成。`
      : '「复制内容」复制全部内容；「保存为文件」可发送到「文件传输助手」或聊天中保存。',
  };
}
