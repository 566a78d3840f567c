import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { API_KEY, ARTIFACTS_DIR, goldenCases, openPage, screenshots, shown, startConsoleHarness, type ConsoleHarness, type GoldenCase } from './console-harness';

jest.setTimeout(120_000);

const FIXTURES = path.resolve(__dirname, '../fixtures/settlement');

let harness: ConsoleHarness;
beforeAll(async () => {
  harness = await startConsoleHarness();
});
afterAll(async () => {
  await harness?.close();
});

interface QuoteRequest {
  agreement: string;
  channel: string;
  date: string;
  buyer: Record<string, string | boolean> & { id: string };
  lines: { sku: string; quantity: number }[];
}
interface ExpectedLine {
  sku: string;
  unitPrice: string;
  amount: string;
  commission: string;
  rebate: string;
}

/** Fills the simulator's form as a user would, from a golden case's request. */
async function fillQuoteForm(page: Page, request: QuoteRequest): Promise<void> {
  await page.waitForSelector('select[name=channel]');
  await Promise.all([page.waitForResponse((r) => r.url().includes(`/v1/agreements/${request.agreement}`)), page.selectOption('select[name=agreement]', request.agreement)]);
  await Promise.all([page.waitForResponse((r) => r.url().includes(`date=${request.date}`)), page.fill('input[name=date]', request.date)]);
  await page.waitForSelector('select[name=channel]');
  await page.selectOption('select[name=channel]', request.channel);
  await page.fill('input[name=buyer]', request.buyer.id);
  for (const [name, value] of Object.entries(request.buyer)) {
    if (name === 'id') continue;
    if (typeof value === 'boolean') await page.setChecked(`input[data-attr-type][name=${name}]`, value);
    else await page.fill(`[data-attr-type][name=${name}]`, value);
  }
  for (const [i, line] of request.lines.entries()) {
    if (i > 0) await page.click('#add-line');
    const row = page.locator('li.line').nth(i);
    await row.locator('select').selectOption(line.sku);
    await row.locator('input').fill(String(line.quantity));
  }
}

const workedExamples = goldenCases(/^example-\d.*\.json$/).filter((c) => c.kind === 'quote');

describe('the quote simulator', () => {
  it('has the agreements\' worked examples to try', () => {
    expect(workedExamples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(workedExamples.map((c) => [c.name, c] as const))('prices %s to the fen, line by line, as the golden case says', async (_name, golden: GoldenCase) => {
    const { page, errors } = await openPage(harness, '/console/simulator?lang=en');
    await fillQuoteForm(page, golden.request as unknown as QuoteRequest);
    await page.click('#price');
    await page.waitForSelector('#quote-h');
    const expected = golden.expect as { lines: ExpectedLine[]; totals: Record<string, string> };
    for (const [figure, amount] of Object.entries(expected.totals)) {
      expect([figure, await page.locator(`#quote-result [data-figure=${figure}] dd`).textContent()]).toEqual([figure, shown(amount)]);
    }
    const lines = page.locator('.line-result');
    expect(await lines.count()).toBe(expected.lines.length);
    for (const [i, line] of expected.lines.entries()) {
      const shownLine = lines.nth(i);
      expect(await shownLine.getAttribute('data-sku')).toBe(line.sku);
      for (const figure of ['unitPrice', 'amount', 'commission', 'rebate'] as const) {
        expect([line.sku, figure, await shownLine.locator(`[data-line-figure=${figure}] dd`).textContent()]).toEqual([line.sku, figure, shown(line[figure])]);
      }
      // the waterfall starts at the list amount and ends at the line amount
      expect(await shownLine.locator('tr[data-step=amount] td.num').textContent()).toBe(shown(line.amount));
    }
    await screenshots(page, `console-simulator-${path.basename(golden.file, '.json')}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a line\'s waterfall and the rules that did not apply and why; downloads the signed quote; verify accepts it and flags a tampered copy', async () => {
    const golden = workedExamples.find((c) => /group-buy/.test(c.file)) ?? workedExamples[0]!;
    const { page, errors } = await openPage(harness, '/console/simulator?lang=en');
    await fillQuoteForm(page, golden.request as unknown as QuoteRequest);
    await page.click('#price');
    await page.waitForSelector('#quote-h');
    const first = page.locator('.line-result').first();
    expect(await first.locator('tr[data-step=list]').count()).toBe(1);
    expect(await first.locator('tr[data-step=adjustment]').count()).toBeGreaterThanOrEqual(1);
    await first.locator('details summary').click();
    expect(await first.locator('ul.missed').textContent()).toMatch(/did not apply|condition failed|lost its exclusivity group|had no effect/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download the signed quote')]);
    const quoteFile = path.join(harness.tmp, 'quote.json');
    await download.saveAs(quoteFile);
    const signed = readFileSync(quoteFile, 'utf8');
    expect(JSON.parse(signed)).toHaveProperty('signature');

    await page.setInputFiles('.verify input[type=file]', quoteFile);
    await page.waitForSelector('.verdict');
    expect(await page.locator('.verdict').getAttribute('data-valid')).toBe('true');

    const quote = JSON.parse(signed) as { totals: { net: string } };
    const tamperedFile = path.join(harness.tmp, 'tampered.json');
    writeFileSync(tamperedFile, signed.replace(`"net":"${quote.totals.net}"`, '"net":"1.00"'));
    expect(readFileSync(tamperedFile, 'utf8')).not.toBe(signed);
    await page.setInputFiles('.verify input[type=file]', tamperedFile);
    await page.waitForSelector('.verdict[data-valid=false]');
    const verdict = await page.locator('.verdict').textContent();
    expect(verdict).toContain('not valid');
    expect(verdict).toContain('/totals/net');
    await screenshots(page, 'console-simulator-verify-tampered');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('settlement', () => {
  const worked = goldenCases(/^settlement-worked-example\.json$/)[0]!;
  const period = (worked.request as unknown as { period: { from: string; to: string } }).period;

  async function upload(page: Page, file: string, from = period.from): Promise<void> {
    await page.waitForSelector('select[name=agreement]');
    await page.selectOption('select[name=agreement]', worked.request.agreement);
    await page.fill('input[name=from]', from);
    await page.fill('input[name=to]', period.to);
    await page.setInputFiles('.drop input[type=file]', file);
  }

  it('uploads the worked example with a progress bar and shows its statement figures', async () => {
    const { page, errors } = await openPage(harness, '/console/settlement?lang=en');
    const file = path.join(FIXTURES, 'worked-example.ndjson');
    await upload(page, file);
    await page.waitForSelector('#statement-h');
    const expected = worked.expect as Record<string, string> & { rebates: { buyer: string; trueUp: string }[] };
    for (const figure of ['supplyPayable', 'commission', 'compensation', 'chamberPaysSupplier']) {
      expect([figure, await page.locator(`#statement [data-figure=${figure}] dd.amount`).textContent()]).toEqual([figure, shown(expected[figure]!)]);
    }
    const rebate = expected.rebates[0]!;
    expect(await page.locator(`#statement tr[data-buyer="${rebate.buyer}"]`).textContent()).toContain(shown(rebate.trueUp));
    // the file's claimed figures are reconciled beside the computed ones, as the API answered
    const claims = readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('"claimed"')).map((line) => (JSON.parse(line) as { claimed: string }).claimed);
    expect(claims.length).toBeGreaterThan(0);
    for (const claimed of claims) expect(await page.locator('#statement').textContent()).toContain(shown(claimed));
    // the bar counted every byte of the file; the status says how many lines were priced
    const size = readFileSync(file).length;
    expect(await page.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => [bar.max, bar.value])).toEqual([size, size]);
    expect(await page.locator('#upload-status').textContent()).toMatch(/Done: \d+ lines priced/);
    await screenshots(page, 'console-settlement-worked-example');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists every problem of a refused file with its row number', async () => {
    const { page } = await openPage(harness, '/console/settlement?lang=en');
    // the period starts a day late: the first transaction's rows fall outside it
    const late = `${period.from.slice(0, 8)}04`;
    await upload(page, path.join(FIXTURES, 'worked-example-transactions.csv'), late);
    await page.waitForSelector('#statement .problem');
    const problems = page.locator('#statement .problem tbody tr');
    expect(await problems.count()).toBeGreaterThanOrEqual(1);
    expect(await problems.first().locator('td').first().textContent()).toMatch(/^\d+$/);
    expect(await page.locator('#statement .problem').textContent()).toContain('OUTSIDE_PERIOD');
    await screenshots(page, 'console-settlement-problems');
    await page.close();
  });

  it('the API\'s HTML statement prints on A4 (PDF and screenshot kept as artifacts)', async () => {
    const page = await harness.browser.context.newPage();
    const url = `${harness.origin}/v1/settlements?agreement=${worked.request.agreement}&from=${period.from}&to=${period.to}`;
    // the statement is the answer to a POST: the navigation is turned into it, so the document
    // is loaded as the API serves it, with its own headers
    await page.route(url, (route) =>
      route.continue({ method: 'POST', postData: readFileSync(path.join(FIXTURES, 'worked-example.ndjson')), headers: { ...route.request().headers(), 'content-type': 'application/x-ndjson', accept: 'text/html', authorization: `Bearer ${API_KEY}` } }),
    );
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ path: path.join(ARTIFACTS_DIR, 'statement-a4.pdf'), format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'statement-a4.png'), fullPage: true });
    await page.close();
  });
});

describe('what-if', () => {
  it('diffs two versions over a file of orders: the change per figure as the API answers it, a table and a chart', async () => {
    const agreements = (await (await fetch(`${harness.origin}/v1/agreements`, { headers: { Authorization: `Bearer ${API_KEY}` } })).json()) as { agreements: { agreement: string; versions: { effectiveFrom: string }[] }[] };
    const withTwo = agreements.agreements.find((a) => a.versions.length > 1)!;
    const [from, to] = withTwo.versions.slice(-2).map((v) => v.effectiveFrom) as [string, string];
    const file = path.join(FIXTURES, 'worked-example-transactions.csv');
    const { page, errors } = await openPage(harness, '/console/what-if?lang=en');
    await page.waitForSelector('select[name=from] option', { state: 'attached' });
    await page.selectOption('select[name=agreement]', withTwo.agreement);
    await page.selectOption('select[name=from]', from);
    await page.selectOption('select[name=to]', to);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/rulesets:diff')), page.setInputFiles('.drop input[type=file]', file)]);
    const diff = (await answer.json()) as { totals: { change: Record<string, string>; from: Record<string, string>; to: Record<string, string>; orders: number } };
    await page.waitForSelector('#change-h');
    expect(diff.totals.orders).toBeGreaterThan(0);
    for (const figure of ['net', 'commission', 'rebate']) {
      const cells = await page.locator(`.whatif table tr[data-figure=${figure}] td`).allTextContents();
      const change = diff.totals.change[figure]!;
      expect([figure, ...cells]).toEqual([figure, shown(diff.totals.from[figure]!), shown(diff.totals.to[figure]!), `${change.startsWith('-') || /^0\.0+$/.test(change) ? '' : '+'}${shown(change)}`]);
    }
    await page.waitForFunction(() => (document.getElementById('whatif-chart') as HTMLCanvasElement | null)?.width !== undefined && (document.getElementById('whatif-chart') as HTMLCanvasElement).width > 0);
    await screenshots(page, 'console-what-if');
    expect(errors).toEqual([]);
    await page.close();
  });
});
