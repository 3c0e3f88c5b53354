import { displayWidth, formatTime, renderTable } from '../../../../scripts/lib/admin/table';

describe('admin tables', () => {
  it('counts a Chinese character as two columns so columns line up', () => {
    expect(displayWidth('小明ab')).toBe(6);
    const text = renderTable(
      ['昵称', 'n'],
      [
        ['小明', '1'],
        ['ab', '22'],
      ],
      'none',
    );
    const lines = text.trimEnd().split('\n');
    expect(lines.map((line) => displayWidth(line.split(/\s+/)[0] as string))).toEqual([4, 4, 4, 2]);
    expect(lines[2]).toBe('小明  1');
    expect(lines[3]).toBe('ab    22');
  });

  it('says so when there are no rows', () => {
    expect(renderTable(['a'], [], '没有找到用户')).toBe('没有找到用户\n');
  });

  it('shows times in China time', () => {
    expect(formatTime(new Date('2026-12-02T16:40:00Z'))).toBe('2026-12-03 00:40');
    expect(formatTime(null)).toBe('');
  });
});
