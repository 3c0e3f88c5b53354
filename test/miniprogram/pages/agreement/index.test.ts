import { DOCUMENTS } from '../../../../miniprogram/pages/agreement/documents';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';

const fake = installFakeWx();
const agreementPage = loadPage('pages/agreement/index');

beforeEach(() => fake.reset());

/** What a template left unfilled would show: none of it may reach a person. */
const PLACEHOLDER = /请替换|替换为|TODO|FILL|XXX|【|】|\{\{|\$\{/;

describe('pages/agreement', () => {
  it('type=terms shows the 用户协议: the title once, in the navigation bar, then the date and the sections', () => {
    const page = renderPage(agreementPage, { type: 'terms' });

    expect(fake.titles).toEqual(['用户协议']);
    expect(page.text('.page')).not.toContain('用户协议 一、');
    expect(page.text('#document-dates')).toBe('生效日期：2026 年 1 月 1 日');
    expect(page.text('.page')).toContain('一、协议的范围');
    expect(page.text('.page')).toContain('七、联系我们');
    expect(page.exists('#privacy-contract-link')).toBe(false);
  });

  it("type=privacy shows the 隐私政策 and opens WeChat's privacy guide on request", async () => {
    const page = renderPage(agreementPage, { type: 'privacy' });

    expect(fake.titles).toEqual(['隐私政策']);
    expect(page.text('.page')).toContain('一、我们收集的信息');
    await page.tap('#privacy-contract-link');

    expect(fake.privacyContractOpens).toBe(1);
  });

  it.each(['terms', 'privacy'])('the %s text a person reads holds no placeholder of the template', (type) => {
    const page = renderPage(agreementPage, { type });

    expect(page.text('.page')).not.toMatch(PLACEHOLDER);
    expect(page.text('.page')).toContain('本小程序的运营者');
  });

  it('every section of both documents has a heading and text', () => {
    for (const document of Object.values(DOCUMENTS)) {
      for (const section of document.sections) {
        expect(section.heading).toMatch(/^[一二三四五六七八九十]+、/);
        expect(section.paragraphs.length).toBeGreaterThan(0);
      }
    }
  });
});
