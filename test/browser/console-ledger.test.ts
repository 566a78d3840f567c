import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { API_KEY, goldenCases, openPage, screenshots, seriousViolations, shown, startConsoleHarness, type ConsoleHarness } from './console-harness';

jest.setTimeout(120_000);

// The worked example's transactions, recorded in a ledger kept as the server keeps it (SQLite in
// a temporary data directory); its agreement and month come from the golden case, every
// expected figure from the API's own answers.
const FILE = path.resolve(__dirname, '../fixtures/settlement/worked-example-transactions.csv');
/** The worked example's external sales: the price guarantee's report for its month. */
const EXTERNAL = path.resolve(__dirname, '../fixtures/settlement/worked-example-external.csv');
const worked = goldenCases(/^settlement-worked-example\.json$/)[0]!;
const agreement = worked.request.agreement;
const month = (worked.request as unknown as { period: { from: string } }).period.from.slice(0, 7);

interface Period {
  period: string;
  state: string;
  transactions: number;
  returns: number;
  adjustments: number;
  statementId?: string;
  figures?: { id: string; amount: string }[];
}

/** The month's figures as its row shows them: each amount the API lists, in its order (net last), formatted. */
function figureCells(period: Period): string[] {
  return (period.figures ?? []).map((figure) => shown(figure.amount));
}
interface Stored {
  id: string;
  contentHash: string;
  document: { statement: { figures: { id: string; amount: string }[] } };
}

async function api<T>(harness: ConsoleHarness, pathAndQuery: string, accept = 'application/json'): Promise<{ status: number; body: T; bytes: Buffer }> {
  const response = await fetch(`${harness.origin}${pathAndQuery}`, { headers: { Authorization: `Bearer ${API_KEY}`, Accept: accept } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, body: (accept === 'application/json' ? JSON.parse(bytes.toString()) : undefined) as T, bytes };
}

async function periods(harness: ConsoleHarness): Promise<Period[]> {
  return (await api<{ periods: Period[] }>(harness, `/v1/ledgers/${agreement}/periods`)).body.periods;
}

/** Opens the ledger page on the worked example's agreement, its months loaded. */
async function openLedger(harness: ConsoleHarness, lang = 'en'): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(harness, `/console/ledger?lang=${lang}&agreement=${agreement}`);
  await opened.page.waitForSelector('#months table, #no-months');
  expect(await opened.page.locator('select[name=agreement]').inputValue()).toBe(agreement);
  return opened;
}

async function upload(page: Page, file: string): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.url().includes(`/v1/ledgers/${agreement}/transactions`)), page.setInputFiles('.drop input[type=file]', file)]);
  await page.waitForSelector('#upload-answer > *');
}

async function count(page: Page, id: string): Promise<string | null> {
  return page.locator(`#upload-answer [data-count=${id}] dd`).textContent();
}

/** A copy of the file with its last row changed by `edit` (cells of the CSV row); answers the path and the row's transaction id. */
function editedLastRow(harness: ConsoleHarness, name: string, edit: (cells: string[], header: string[]) => void, keepOthers: boolean): { file: string; id: string } {
  const lines = readFileSync(FILE, 'utf8').split(/\r?\n/).filter((line) => line !== '');
  const header = lines[0]!.replace(/^\uFEFF/, '').split(',');
  const cells = lines[lines.length - 1]!.split(',');
  edit(cells, header);
  const file = path.join(harness.tmp, name);
  writeFileSync(file, [...(keepOthers ? lines.slice(0, -1) : [lines[0]!]), cells.join(',')].join('\n') + '\n');
  return { file, id: cells[header.indexOf('transaction')]! };
}

describe('the ledger and the statement archive', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness({ ledger: 'data-dir' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  let statementId = '';

  it('records the worked example with a progress bar, shows its month, closes it through the dialog and shows the statement the API stored', async () => {
    const { page, errors } = await openLedger(harness);
    expect(await page.locator('#no-months').count()).toBe(1);
    await upload(page, FILE);
    const [recorded] = (await periods(harness)).filter((p) => p.period === month);
    expect(recorded).toMatchObject({ state: 'open' });
    expect(recorded!.transactions).toBeGreaterThan(0);
    expect([await count(page, 'accepted'), await count(page, 'unchanged'), await count(page, 'periods')]).toEqual([String(recorded!.transactions), '0', month]);
    const size = readFileSync(FILE).length;
    expect(await page.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => [bar.max, bar.value])).toEqual([size, size]);
    expect(await page.locator('#upload-status').textContent()).toBe(`Done: ${recorded!.transactions} recorded, 0 unchanged.`);
    const row = page.locator(`#months tr[data-period="${month}"]`);
    // the month's figures to date, computed by the API from the ledger, as columns
    expect(recorded!.figures!.length).toBeGreaterThan(0);
    expect(await row.locator('td').allTextContents()).toEqual([month, 'Open', String(recorded!.transactions), String(recorded!.returns), String(recorded!.adjustments), ...figureCells(recorded!), 'Close…']);
    expect(await count(page, 'external')).toBe('0 / 0');

    // the month's external sales: counted, and the figures to date change with them (the price guarantee)
    await upload(page, EXTERNAL);
    const reported = (await periods(harness)).find((p) => p.period === month)!;
    expect([await count(page, 'accepted'), await count(page, 'external'), await count(page, 'periods')]).toEqual(['0', `${readFileSync(EXTERNAL, 'utf8').trim().split(/\r?\n/).length - 1} / 0`, month]);
    expect(reported.figures).not.toEqual(recorded!.figures);
    await page.waitForFunction((cells) => [...document.querySelectorAll('#months tr[data-period] td')].map((td) => td.textContent).join('|') === cells, [month, 'Open', String(reported.transactions), String(reported.returns), String(reported.adjustments), ...figureCells(reported), 'Close…'].join('|'));
    await screenshots(page, 'console-ledger-recorded');

    // the dialog is modal, starts on Cancel, and Escape leaves the month open with focus back on its button
    await row.locator('button.close-month').click();
    await page.waitForSelector('#close-dialog[open]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('close-cancel');
    expect(await page.locator('#close-dialog-h').textContent()).toBe(`Close ${month}?`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'console-ledger-close-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#close-dialog:not([open])', { state: 'attached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Close ${month}`);
    expect((await periods(harness)).find((p) => p.period === month)!.state).toBe('open');

    await row.locator('button.close-month').click();
    const [closing] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/periods/${month}:close`)), page.click('#close-confirm')]);
    expect(closing.status()).toBe(201);
    await page.waitForSelector('#closed-statement [data-statement]');
    statementId = (await page.locator('#closed-statement [data-statement]').getAttribute('data-statement'))!;
    expect(await page.locator('#closed-statement [data-statement]').getAttribute('data-created')).toBe('true');
    expect(await page.locator('#close-status').textContent()).toContain('(HTTP 201)');
    const stored = (await api<Stored>(harness, `/v1/statements/${encodeURIComponent(statementId)}`)).body;
    expect(stored.document.statement.figures.length).toBeGreaterThan(0);
    for (const figure of stored.document.statement.figures) {
      expect([figure.id, await page.locator(`#closed-statement [data-figure=${figure.id}] dd.amount`).textContent()]).toEqual([figure.id, shown(figure.amount)]);
    }
    expect(await page.locator('#closed-statement').textContent()).toContain(stored.contentHash);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('closed-h');
    // the month now reads closed, with its statement
    await page.waitForSelector(`#months tr[data-period="${month}"][data-state=closed]`);
    const closed = (await periods(harness)).find((p) => p.period === month)!;
    expect(closed.statementId).toBe(statementId);
    // a closed month shows its stored statement's figures
    expect(closed.figures!.map((figure) => figure.amount)).toEqual(expect.arrayContaining(stored.document.statement.figures.map((figure) => figure.amount)));
    expect(await page.locator(`#months tr[data-period="${month}"] td`).allTextContents()).toEqual([month, 'Closed', String(closed.transactions), String(closed.returns), String(closed.adjustments), ...figureCells(closed), statementId]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'console-ledger-closed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the same file again is all unchanged; a changed transaction is refused 409 naming its id; a new one dated in the closed month needs the adjustment box', async () => {
    const { page, errors } = await openLedger(harness);
    const before = (await periods(harness)).find((p) => p.period === month)!;
    await upload(page, FILE);
    expect([await count(page, 'accepted'), await count(page, 'unchanged'), await count(page, 'periods')]).toEqual(['0', String(before.transactions), '—']);

    const conflict = editedLastRow(harness, 'conflict.csv', (cells, header) => {
      const at = header.indexOf('quantity');
      cells[at] = String(Number(cells[at]) + 1);
    }, true);
    await upload(page, conflict.file);
    expect(await page.locator('#upload-status').textContent()).toContain('HTTP 409');
    expect(await page.locator('#upload-answer .problem strong').first().textContent()).toBe('TRANSACTION_CONFLICT');
    expect(await page.locator('#upload-answer .problem td.transaction').allTextContents()).toEqual([conflict.id]);
    await screenshots(page, 'console-ledger-conflict');

    const late = editedLastRow(harness, 'late.csv', (cells, header) => {
      cells[header.indexOf('transaction')] = `${cells[header.indexOf('transaction')]}-LATE`;
      cells[header.indexOf('returnOf')] = '';
    }, false);
    await upload(page, late.file);
    expect(await page.locator('#upload-answer .problem strong').first().textContent()).toBe('PERIOD_CLOSED');
    expect(await page.locator('#upload-answer .problem td.transaction').allTextContents()).toEqual([late.id]);
    expect((await periods(harness)).find((p) => p.period === month)).toEqual(before);

    await page.check('#adjustment');
    await upload(page, late.file);
    const after = await periods(harness);
    const booked = after.find((p) => p.adjustments > 0)!;
    expect(booked.period > month).toBe(true);
    expect([await count(page, 'accepted'), await count(page, 'unchanged'), await count(page, 'periods')]).toEqual(['1', '0', booked.period]);
    expect(await page.locator(`#months tr[data-period="${booked.period}"] td`).allTextContents()).toEqual([booked.period, 'Open', String(booked.transactions), String(booked.returns), '1', ...figureCells(booked), 'Close…']);
    expect(await seriousViolations(page)).toEqual([]);
    // the browser logs each refused request (409) as a failed resource; nothing else may be logged
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await page.close();
  });

  it('the archive lists the statement, downloads it as the API serves it, shows the readable statement and verifies it', async () => {
    expect(statementId).not.toBe('');
    const { page, errors } = await openPage(harness, `/console/statements?lang=en&agreement=${agreement}`);
    const row = page.locator(`#archive tr[data-statement="${statementId}"]`);
    await row.waitFor();
    expect(await page.locator('#archive tbody tr').count()).toBe(1);
    const statementPath = `/v1/statements/${encodeURIComponent(statementId)}`;

    const saved = async (format: string): Promise<Buffer> => {
      const [download] = await Promise.all([page.waitForEvent('download'), row.locator(`[data-format=${format}]`).click()]);
      const file = path.join(harness.tmp, `download.${format}`);
      await download.saveAs(file);
      expect(download.suggestedFilename()).toBe(`${statementId}.${format}`);
      return readFileSync(file);
    };
    // the bytes the API serves for each Accept, exactly (the CSV's BOM included)
    expect((await saved('json')).equals((await api(harness, statementPath)).bytes)).toBe(true);
    expect((await saved('csv')).equals((await api(harness, statementPath, 'text/csv')).bytes)).toBe(true);
    expect((await saved('html')).equals((await api(harness, statementPath, 'text/html')).bytes)).toBe(true);
    const xlsx = await saved('xlsx');
    expect(xlsx.subarray(0, 2).toString()).toBe('PK');

    // the readable statement in a sandboxed frame, styled by its own (hash-allowed) style
    await row.locator('button.view').click();
    const frame = page.frameLocator('#statement-view iframe.statement-frame');
    await frame.locator('h1').waitFor();
    expect(await page.locator('#statement-view iframe').getAttribute('sandbox')).toBe('');
    expect(await frame.locator('body').evaluate((body) => getComputedStyle(body).maxWidth)).not.toBe('none');
    await screenshots(page, 'console-statements-view');

    await row.locator('button.verify').click();
    await page.waitForSelector('#verify-out .verdict');
    expect(await page.locator('#verify-out .verdict').getAttribute('data-valid')).toBe('true');
    expect(await page.locator('#verify-out [data-check]').allTextContents()).toEqual([expect.stringMatching(/^valid \(kid .+\)$/), 'matches', 'matches']);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'console-statements-verified');

    // another month has no statement
    await page.fill('input[name=period]', '1999-01');
    await page.click('#archive-filters button[type=submit]');
    await page.waitForSelector('#no-statements');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads in 中文 too', async () => {
    const { page, errors } = await openLedger(harness, 'zh');
    expect(await page.locator(`#months tr[data-period="${month}"] td`).nth(1).textContent()).toBe('已结账');
    expect(await page.locator('#months th').allTextContents()).toEqual(expect.arrayContaining(['月份', '状态', '交易', '退货', '前期调整']));
    await screenshots(page, 'console-ledger-zh');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('a server without a ledger', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await startConsoleHarness({ ledger: 'none' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it.each([['/console/ledger'], ['/console/statements']])('%s says so clearly (503 LEDGER_UNAVAILABLE)', async (pagePath) => {
    const { page } = await openPage(harness, `${pagePath}?lang=en`);
    await page.waitForSelector('#ledger-unavailable');
    expect(await page.locator('#ledger-unavailable').textContent()).toContain('This server has no ledger (HTTP 503)');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, `console-${path.basename(pagePath)}-no-ledger`);
    await page.close();
  });
});
