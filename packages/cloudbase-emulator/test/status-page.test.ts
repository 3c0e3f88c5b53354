import { DOCUMENTS_PER_PAGE, displayJson, escapeHtml, renderCollectionPage, renderStatusPage } from '../src/status-page';

describe('status page rendering', () => {
  it('given modules with pages, links them (escaped)', () => {
    const html = renderStatusPage({
      env: 'dev',
      url: 'http://127.0.0.1:1',
      dataDir: null,
      functions: [],
      collections: [],
      links: [{ href: '/preview/', label: '小程序预览 <Preview>' }],
    });

    expect(html).toContain('<a href="/preview/">小程序预览 &#60;Preview&#62;</a>');
  });

  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('shows dates as ISO strings and bigints as digits', () => {
    expect(displayJson({ at: new Date(0), big: BigInt('9007199254740993') })).toBe(
      '{\n  "at": "1970-01-01T00:00:00.000Z",\n  "big": "9007199254740993"\n}',
    );
  });

  it('given no collections and no functions, says so in Chinese first', () => {
    const html = renderStatusPage({ env: 'dev', url: 'http://127.0.0.1:1', dataDir: null, functions: [], collections: [] });

    expect(html).toContain('还没有集合');
    expect(html).toContain('npm run build');
    expect(html).toContain('数据仅在内存中');
  });

  it('serves a live-log script that parses, with a line for a refused client request', () => {
    const html = renderStatusPage({ env: 'dev', url: 'http://127.0.0.1:1', dataDir: null, functions: [], collections: [] });
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).toContain("entry.kind === 'denial'");
    expect(() => new Function(script)).not.toThrow();
  });

  it('given a collection name with markup, escapes it in the link and the text', () => {
    const html = renderStatusPage({
      env: 'dev',
      url: 'http://127.0.0.1:1',
      dataDir: '/data',
      functions: ['login'],
      collections: [{ name: 'a<b', count: 2 }],
    });

    expect(html).toContain('<a href="/collections/a%3Cb">a&#60;b</a>');
    expect(html).not.toContain('a<b');
  });

  it('given more documents than a page holds, shows the first ones and says how many there are', () => {
    const documents = Array.from({ length: DOCUMENTS_PER_PAGE + 5 }, (_, index) => ({ _id: `d${index}` }));
    const html = renderCollectionPage({ name: 'big', documents });

    expect(html.match(/<pre>/g)).toHaveLength(DOCUMENTS_PER_PAGE);
    expect(html).toContain(`共 ${DOCUMENTS_PER_PAGE + 5} 条`);
  });
});
