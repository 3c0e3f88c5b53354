import { formatFileSize, toExportSummaryView } from '../../../miniprogram/presenters/personal-data-view';
import { aFileExport, anInlineExport, aSummary } from '../support/personal-data';

describe('toExportSummaryView', () => {
  it('names each part with its count, and a collection this build does not know by its own name', () => {
    const view = toExportSummaryView({
      ...anInlineExport(),
      summary: aSummary({
        collections: [
          { collection: 'notes', documents: 1 },
          { collection: 'orders', documents: 2 },
        ],
      }),
    });

    expect(view.parts).toEqual([
      { label: '登录方式', count: '2 种' },
      { label: '关联进来的旧账号', count: '0 个' },
      { label: '账号记录', count: '1 条' },
      { label: '笔记', count: '1 条' },
      { label: 'orders', count: '2 条' },
    ]);
    expect(view.copyLabel).toBe('复制内容');
  });

  it('a file export copies its link, and says the link expires', () => {
    const view = toExportSummaryView(aFileExport());

    expect(view.copyLabel).toBe('复制下载链接');
    expect(view.hint).toMatch(/下载链接 .* 前有效/);
  });
});

describe('formatFileSize', () => {
  it('rounds up, one decimal below 10, KB below a megabyte', () => {
    expect(formatFileSize(1)).toBe('0.1 KB');
    expect(formatFileSize(2150)).toBe('2.1 KB');
    expect(formatFileSize(20 * 1024 + 1)).toBe('21 KB');
    expect(formatFileSize(1_536_000)).toBe('1.5 MB');
  });
});
