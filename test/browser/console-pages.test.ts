import { CONSOLE_PAGES } from '../../src/console/page-shell';
import { CONSOLE_CSP } from '../../src/console/console-routes';
import { openPage, screenshots, seriousViolations, startConsoleHarness, type ConsoleHarness } from './console-harness';

jest.setTimeout(120_000);

let harness: ConsoleHarness;
beforeAll(async () => {
  harness = await startConsoleHarness();
});
afterAll(async () => {
  await harness?.close();
});

describe('the console pages in headless Chromium', () => {
  it.each(CONSOLE_PAGES.flatMap((page) => [[page.id, page.path, 'zh'] as const, [page.id, page.path, 'en'] as const]))(
    '%s (%s, %s) loads its data with the key, with no console error and no serious accessibility violation',
    async (id, pagePath, lang) => {
      const { page, errors } = await openPage(harness, `${pagePath}?lang=${lang}`);
      const response = await page.request.get(`${harness.origin}${pagePath}`);
      expect(response.headers()['content-security-policy']).toBe(CONSOLE_CSP);
      await page.waitForSelector('#app select, #app .agreements');
      await page.waitForLoadState('networkidle');
      expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
      expect(await page.locator('h1').textContent()).toBe(lang === 'zh' ? CONSOLE_PAGES.find((p) => p.id === id)!.zh : CONSOLE_PAGES.find((p) => p.id === id)!.en);
      expect(await page.locator('#alert').isHidden()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshots(page, `console-${id}-${lang}`);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('without a key says clearly that the API needs one (401), then loads once the key is entered', async () => {
    const { page } = await openPage(harness, '/console/?lang=en', { withKey: false });
    await page.waitForSelector('#alert:not([hidden])');
    expect(await page.locator('#alert').textContent()).toMatch(/API key is missing or not valid \(401\)/);
    await page.fill('#api-key', 'console-test-key');
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#agreement-detail h2');
    expect(await page.locator('#alert').isHidden()).toBe(true);
    // the key is kept for the tab: the next page needs no typing
    await page.goto(`${harness.origin}/console/simulator?lang=en`);
    await page.waitForSelector('select[name=channel]');
    expect(await page.evaluate(() => sessionStorage.getItem('suanpan.apiKey'))).toBe('console-test-key');
    await page.close();
  });

  it('agreements: versions on a timeline, terms in words, and a version diff in words', async () => {
    const { page, errors } = await openPage(harness, '/console/?lang=en');
    await page.click('button[data-agreement="chamber-baiyikang"]');
    await page.waitForSelector('.timeline li:nth-child(2)');
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(2);
    // the rule's rate is read as a percentage and the supply factor as a share of list
    expect(await page.locator('#rule-chamber-commission').textContent()).toContain('10 %');
    expect(await page.locator('#rule-supply-price').textContent()).toContain('85 % of list');
    await page.selectOption('select[name=from]', '2026-01-01');
    await page.selectOption('select[name=to]', '2027-01-01');
    await page.click('#diff-h ~ form button[type=submit]');
    await page.waitForSelector('#diff-out ul.diff');
    const diff = await page.locator('#diff-out').textContent();
    expect(diff).toContain('member-discount');
    expect(diff).toContain('rate: 5 % → 8 %');
    await screenshots(page, 'console-agreements-diff-en');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Swagger UI (/docs) still works under the API\'s CSP: no third-party origin, no console error', async () => {
    const { page, errors } = await openPage(harness, '/docs/', { withKey: false });
    await page.waitForSelector('.swagger-ui .info');
    const csp = (await page.request.get(`${harness.origin}/docs/`)).headers()['content-security-policy']!;
    expect(csp).not.toMatch(/https:|http:/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
