import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';

const fake = installFakeWx();
const agreementPage = loadPage('pages/agreement/index');

beforeEach(() => fake.reset());

describe('pages/agreement', () => {
  it('type=terms shows the 用户协议', () => {
    const page = renderPage(agreementPage, { type: 'terms' });

    expect(page.text('#document-title')).toBe('用户协议');
    expect(page.exists('#privacy-contract-link')).toBe(false);
  });

  it("type=privacy shows the 隐私政策 and opens WeChat's privacy guide on request", async () => {
    const page = renderPage(agreementPage, { type: 'privacy' });

    expect(page.text('#document-title')).toBe('隐私政策');
    await page.tap('#privacy-contract-link');

    expect(fake.privacyContractOpens).toBe(1);
  });
});
