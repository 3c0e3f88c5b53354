import { miniprogramFileUrl } from '../../shared/bundle';

describe('miniprogramFileUrl', () => {
  it('loads an absolute path of the mini-program from the preview’s files/, and leaves other sources alone', () => {
    expect(miniprogramFileUrl('/images/a.png')).toBe('files/images/a.png');
    expect(miniprogramFileUrl('https://cdn.example.com/a.png')).toBe('https://cdn.example.com/a.png');
    expect(miniprogramFileUrl('//cdn.example.com/a.png')).toBe('//cdn.example.com/a.png');
    expect(miniprogramFileUrl('data:image/png;base64,AA')).toBe('data:image/png;base64,AA');
  });
});
