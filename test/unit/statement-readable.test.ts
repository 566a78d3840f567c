import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { SettlementStatement } from '../../src/domain/settlement';
import { STATEMENT_HTML_CSP, formatStatementHtml } from '../../src/io/statement-html';
import { decimalsOf, formatFactor, formatMoney, formatPercent, presentationIn, type StatementPresentation } from '../../src/io/statement-presentation';
import { statementXlsxBuffer } from '../../src/io/statement-xlsx';
import { calculateSettlement } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RulesetError } from '../../src/rules/ruleset-error';
import { loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { readWorkbook } from '../support/read-workbook';
import { htmlTable, moneyOf } from '../support/statement-html-tables';

const catalog = loadCatalog();
let statement: SettlementStatement;
let presentation: StatementPresentation;
let html: string;

beforeAll(async () => {
  statement = await calculateSettlement(catalog, workedExampleRequest());
  presentation = presentationIn(catalog, statement)!;
  html = formatStatementHtml(statement, presentation);
});

describe('formatting', () => {
  it.each([
    ['291852.00', '¥291,852.00'],
    ['-1428.86', '-¥1,428.86'],
    ['33.915', '¥33.915'],
    ['0', '¥0.00'],
    ['1234567890123.45', '¥1,234,567,890,123.45'],
  ])('money %s reads %s', (value, shown) => {
    expect(formatMoney(value, 'CNY', 2)).toBe(shown);
  });

  it('other currencies by sign or code', () => {
    expect(formatMoney('1000.5', 'USD', 2)).toBe('US$1,000.50');
    expect(formatMoney('1000', 'JPY', 0)).toBe('JPY 1,000');
  });

  it.each([
    ['0.03', '3 %'],
    ['0.025', '2.5 %'],
    ['0.1', '10 %'],
  ])('rate %s reads %s', (rate, shown) => {
    expect(formatPercent(rate)).toBe(shown);
  });

  it.each([
    ['0.8', 'zhe', '8 折 (80 %)'],
    ['0.85', 'zhe', '8.5 折 (85 %)'],
    ['0.7763', 'zhe', '7.763 折 (77.63 %)'],
    ['0.8', 'percent', '80 %'],
  ] as const)('factor %s as %s reads %s', (factor, style, shown) => {
    expect(formatFactor(factor, style)).toBe(shown);
  });
});

describe('HTML statement of the worked example', () => {
  it('names the parties and the period in the title', () => {
    expect(html).toContain('<title>结算单 百益康 — 商会 2026-11-01 至 2026-11-30</title>');
    const h1 = /<h1>(.*?)<\/h1>/.exec(html)![1]!;
    expect(h1).toContain('百益康 — 商会 结算单 2026-11-01 至 2026-11-30');
    expect(h1).toContain('Settlement statement: Baiyikang — Chamber of commerce, 2026-11-01 – 2026-11-30');
    expect(html).toContain('商会 × 百益康 合作协议');
  });

  it('labels in both languages, no API field names', () => {
    const headers = [...html.matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' '));
    for (const name of ['trueUp', 'periodFrom', 'lowestFactor', 'invoicedUnitPrice', 'giftsValue', 'ruleId']) {
      expect(headers.join('|')).not.toContain(name);
    }
    expect(htmlTable(html, 'rebates')[0]).toEqual(['买方 Buyer', '业务额 Volume', '已计提 Accrued', '比例 Rate', '应返 Final', '补差 True-up', '规则 Rule']);
    expect(html).not.toMatch(/>\s*(periodFrom|trueUp|lowestFactor)\s*</);
  });

  it('every figure: its label from agreement.json, its amount with separators and currency equal to the JSON figure', () => {
    const rows = htmlTable(html, 'figures').slice(1);
    for (const figure of statement.figures) {
      const row = rows.find((cells) => cells[0]!.startsWith(`${figure.label.zh} ${figure.label.en}`));
      expect(row).toBeDefined();
      expect(moneyOf(row![1]!)).toBe(figure.amount);
    }
    for (const [channel, amount] of Object.entries(statement.volume)) {
      const label = presentation.channels[channel]!;
      const row = rows.find((cells) => cells[0] === `业务额 ${label.zh} Volume, ${label.en}`);
      expect(moneyOf(row![1]!)).toBe(amount);
    }
    expect(rows.find((cells) => cells[0]!.startsWith('商会应付百益康'))![1]).toBe('-¥1,428.86');
    expect(rows.find((cells) => cells[0]!.startsWith('业务额 大客户团购'))![1]).toBe('¥291,852.00');
  });

  it('rebates, breaches and discrepancies read back to the JSON statement exactly; rates in %', () => {
    const [rebate] = htmlTable(html, 'rebates').slice(1);
    const json = statement.rebates[0]!;
    expect([rebate![0], moneyOf(rebate![1]!), moneyOf(rebate![2]!), rebate![3], moneyOf(rebate![4]!), moneyOf(rebate![5]!)]).toEqual([json.buyer, json.volume, json.accrued, '3 %', json.final, json.trueUp]);
    const [breach] = htmlTable(html, 'priceGuarantee').slice(1);
    // the agreement speaks in 折 (its presentation.json): the factor as 折 with the percent beside it
    expect(breach).toEqual(['BYK-H01', '8 折 (80 %)', '¥1,030.40', '某医院', '是 Yes', '¥1,932.00']);
    const [discrepancy] = htmlTable(html, 'discrepancies').slice(1);
    const d = statement.discrepancies[0]!;
    expect(discrepancy!.slice(3).map(moneyOf)).toEqual([d.invoicedUnitPrice, d.agreedUnitPrice, d.invoicedAmount, d.agreedAmount, d.difference]);
  });

  it('charts as inline SVG: volume by channel, the buyer on its rebate tiers with the next threshold, the breaches', () => {
    const charts = [...html.matchAll(/<svg [^>]*aria-label="([^"]*)"/g)].map((m) => m[1]);
    expect(charts).toEqual(['各渠道业务额 Volume by channel', '返点档位进度 ENT-001 Position on the rebate tiers', '违约赔偿（按商品） Compensation per SKU']);
    // 291,852.00 is in the 3 % tier [100,000, 500,000): 208,148.00 short of 4 %
    expect(html).toContain('下一档 Next threshold: ¥500,000.00 → 4 %; 尚差 to go ¥208,148.00');
  });

  it('a sign-off block for both parties', () => {
    const rows = htmlTable(html, 'sign-off');
    expect(rows[0]).toEqual(['', '百益康 Baiyikang', '商会 Chamber of commerce']);
    expect(rows.slice(1).map((row) => row[0])).toEqual(['编制 Prepared by', '复核 Checked by', '批准 Approved']);
  });

  it('prints on A4: page size, a page per section, table headers repeated', () => {
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain('section.page { break-before: page; }');
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html.match(/<section id="[^"]+" class="page">/g)!.length).toBeGreaterThanOrEqual(4);
  });

  it('loads nothing: no script, link, image, url() or src/href; its CSP allows exactly its inline style', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|\ssrc=|\shref=|@import/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(STATEMENT_HTML_CSP).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(STATEMENT_HTML_CSP).toMatch(/^default-src 'none';/);
  });

  it('without the agreement version at hand: the same amounts, factors in percent, no tier chart', () => {
    const plain = formatStatementHtml(statement);
    expect(htmlTable(plain, 'rebates')).toEqual(htmlTable(html, 'rebates'));
    expect(plain).not.toContain('返点档位进度');
  });
});

describe('presentation: agreement.json\'s member and the version\'s presentation.json', () => {
  const breachFactor = async (rulesDir: string): Promise<string> => {
    const loaded = RuleCatalog.load(rulesDir);
    const settled = await calculateSettlement(loaded, workedExampleRequest());
    return htmlTable(formatStatementHtml(settled, presentationIn(loaded, settled)), 'priceGuarantee')[1]![1]!;
  };
  const rulesetVersionOf = (rulesDir: string): string => RuleCatalog.load(rulesDir).versionOn('chamber-baiyikang', '2026-11-01').version.rulesetVersion;

  it('presentation.json changes how factors read, not the version: same content hash, same JSON statement', async () => {
    const rules = copyRules();
    try {
      rules.write(`${VERSION_DIR}/presentation.json`, JSON.stringify({ priceFactors: 'zhe' }));
      const zheVersion = rulesetVersionOf(rules.dir);
      const zheStatement = await calculateSettlement(RuleCatalog.load(rules.dir), workedExampleRequest());
      expect(await breachFactor(rules.dir)).toBe('8 折 (80 %)');
      rules.write(`${VERSION_DIR}/presentation.json`, JSON.stringify({ priceFactors: 'percent' }));
      expect(await breachFactor(rules.dir)).toBe('80 %');
      expect(rulesetVersionOf(rules.dir)).toBe(zheVersion);
      expect(JSON.stringify(await calculateSettlement(RuleCatalog.load(rules.dir), workedExampleRequest()))).toBe(JSON.stringify(zheStatement));
    } finally {
      rules.cleanup();
    }
  });

  it('agreement.json\'s presentation applies when no presentation.json overrides it (and is part of the content hash)', async () => {
    const rules = copyRules();
    try {
      rules.write(`${VERSION_DIR}/presentation.json`, '{}');
      expect(await breachFactor(rules.dir)).toBe('80 %');
      const before = rulesetVersionOf(rules.dir);
      rules.edit(`${VERSION_DIR}/agreement.json`, (json) => ({ ...json, presentation: { priceFactors: 'zhe' } }));
      expect(await breachFactor(rules.dir)).toBe('8 折 (80 %)');
      expect(rulesetVersionOf(rules.dir)).not.toBe(before);
    } finally {
      rules.cleanup();
    }
  });

  it.each([
    ['agreement.json', (rules: ReturnType<typeof copyRules>) => rules.edit(`${VERSION_DIR}/agreement.json`, (json) => ({ ...json, presentation: { priceFactors: 'tenths' } })), /agreement\.json.*presentation\/priceFactors/s],
    ['presentation.json', (rules: ReturnType<typeof copyRules>) => rules.write(`${VERSION_DIR}/presentation.json`, JSON.stringify({ priceFactors: 'tenths' })), /presentation\.json.*priceFactors/s],
    ['presentation.json with an unknown member', (rules: ReturnType<typeof copyRules>) => rules.write(`${VERSION_DIR}/presentation.json`, JSON.stringify({ currencyStyle: 'code' })), /presentation\.json.*currencyStyle/s],
    ['presentation.json that is not JSON', (rules: ReturnType<typeof copyRules>) => rules.write(`${VERSION_DIR}/presentation.json`, '{ priceFactors: zhe'), /presentation\.json.*not valid JSON/s],
  ] as const)('a bad %s is refused at load, naming the file and the member', (_what, spoil, message) => {
    const rules = copyRules();
    try {
      spoil(rules);
      expect(() => RuleCatalog.load(rules.dir, { lock: 'ignore' })).toThrow(RulesetError);
      expect(() => RuleCatalog.load(rules.dir, { lock: 'ignore' })).toThrow(message);
    } finally {
      rules.cleanup();
    }
  });
});

describe('HTML statement with hostile text', () => {
  const HOSTILE = `</td></title><script>alert(1)</script><img src=x onerror=alert(1)>"'&amp;`;
  it('escapes every text: party names, buyer, institution, figure labels, channel labels, SKU', () => {
    const hostile: SettlementStatement = {
      ...statement,
      agreement: HOSTILE,
      parties: { supplier: { id: 's', name: { zh: HOSTILE, en: HOSTILE } }, partner: { id: 'p', name: { zh: '商会', en: HOSTILE } } },
      rebates: statement.rebates.map((line) => ({ ...line, buyer: HOSTILE, ruleId: 'rebate-settlement-tiers' })),
      priceGuarantee: statement.priceGuarantee.map((line) => ({ ...line, institution: HOSTILE, sku: HOSTILE })),
      figures: statement.figures.map((figure) => ({ ...figure, label: { zh: HOSTILE, en: HOSTILE } })),
      volume: { [HOSTILE]: '1.00', ...statement.volume },
    };
    const page = formatStatementHtml(hostile, { ...presentation, title: { zh: HOSTILE, en: HOSTILE }, channels: { ...presentation.channels, 'group-buy': { zh: HOSTILE, en: HOSTILE } } });
    expect(page).not.toMatch(/<script|<img|<\/td><\/title>/i);
    expect(page).toContain('&lt;/td&gt;&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;amp;');
    // read back, each hostile text is the text it was
    expect(htmlTable(page, 'rebates')[1]![0]).toBe(HOSTILE);
    expect(htmlTable(page, 'priceGuarantee')[1]!.slice(0, 4)).toEqual([HOSTILE, '8 折 (80 %)', '¥1,030.40', HOSTILE]);
  });
});

describe('xlsx workbook of the worked example', () => {
  let workbook: ExcelJS.Workbook;
  beforeAll(async () => {
    workbook = await readWorkbook(await statementXlsxBuffer(statement, presentation));
  });
  const rows = (sheet: string): ExcelJS.Row[] => {
    const found = workbook.getWorksheet(sheet);
    if (found === undefined) throw new Error(`no sheet ${sheet}`);
    const out: ExcelJS.Row[] = [];
    found.eachRow((row) => out.push(row));
    return out;
  };
  /** A money cell's value back as the statement's decimal string (the double printed with the JSON string's decimals). */
  const exact = (cell: ExcelJS.Cell, json: string): string => {
    expect(typeof cell.value).toBe('number');
    expect(cell.numFmt).toBe(`#,##0.${'0'.repeat(Math.max(2, decimalsOf(json)))}`);
    return (cell.value as number).toFixed(Math.max(presentation.scale, decimalsOf(json)));
  };

  it('one sheet per section, two frozen bilingual header rows', () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['结算单', '汇总', '返点', '最低折扣保证', '发票差异', '输入计数']);
    for (const sheet of workbook.worksheets) {
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    }
    const [zh, en] = rows('返点');
    expect(zh!.values).toEqual([undefined, '买方', '业务额', '已计提', '比例', '应返', '补差', '规则']);
    expect(en!.values).toEqual([undefined, 'Buyer', 'Volume', 'Accrued', 'Rate', 'Final', 'True-up', 'Rule']);
  });

  it('every amount is a number equal to the JSON statement, shown #,##0.00', () => {
    const figures = rows('汇总').slice(2);
    const byId = new Map(figures.map((row) => [row.getCell(1).value as string, row.getCell(2)]));
    for (const figure of statement.figures) expect(exact(byId.get(figure.id)!, figure.amount)).toBe(figure.amount);
    for (const [channel, amount] of Object.entries(statement.volume)) expect(exact(byId.get(`volume/${channel}`)!, amount)).toBe(amount);
    const rebate = rows('返点')[2]!;
    const json = statement.rebates[0]!;
    expect([2, 3, 5, 6].map((column, i) => exact(rebate.getCell(column), [json.volume, json.accrued, json.final, json.trueUp][i]!))).toEqual([json.volume, json.accrued, json.final, json.trueUp]);
    expect(rebate.getCell(4).value).toBe(0.03);
    expect(rebate.getCell(4).numFmt).toBe('0%');
    const discrepancy = rows('发票差异')[2]!;
    const d = statement.discrepancies[0]!;
    const amounts = [d.invoicedUnitPrice, d.agreedUnitPrice, d.invoicedAmount, d.agreedAmount, d.difference];
    expect(amounts.map((amount, i) => exact(discrepancy.getCell(4 + i), amount))).toEqual(amounts);
    expect(discrepancy.getCell(5).numFmt).toBe('#,##0.000');
  });

  it('dates are dates, text stays text', () => {
    const heading = rows('结算单');
    expect(heading[3]!.getCell(2).value).toEqual(new Date('2026-11-01T00:00:00Z'));
    expect(heading[3]!.getCell(2).numFmt).toBe('yyyy-mm-dd');
    expect(heading[3]!.getCell(1).value).toBe('期间起 Period from');
    expect(rows('发票差异')[2]!.getCell(2).value).toBe('BYK-L02');
  });
});

describe('xlsx keeps text as text', () => {
  it('ids with leading zeros and text a spreadsheet would run as a formula stay strings', async () => {
    const settled = await calculateSettlement(catalog, {
      agreement: 'chamber-baiyikang',
      period: { from: '2026-11-01', to: '2026-11-30' },
      transactions: [{ id: '000123', date: '2026-11-03', channel: 'chamber-supply', buyer: { id: 'CHAMBER' }, lines: [{ sku: 'BYK-H01', quantity: 1, unitPrice: '1.00' }] }],
      externalSales: [{ institution: '=HYPERLINK("http://x","a")', sku: 'BYK-H01', date: '2026-11-04', quantity: 1, unitPrice: '1000.00' }],
    });
    const workbook = await readWorkbook(await statementXlsxBuffer(settled, presentationIn(catalog, settled)));
    expect(workbook.getWorksheet('发票差异')!.getRow(3).getCell(1).value).toBe('000123');
    const institution = workbook.getWorksheet('最低折扣保证')!.getRow(3).getCell(4);
    expect(institution.value).toBe('=HYPERLINK("http://x","a")');
    expect(institution.type).toBe(ExcelJS.ValueType.String);
  });

  it('an amount a double cannot hold exactly is kept as its decimal string, never rounded', async () => {
    const huge = '12345678901234567.89';
    const workbook = await readWorkbook(await statementXlsxBuffer({ ...statement, volume: { 'chamber-supply': huge } }, presentation));
    expect(workbook.getWorksheet('汇总')!.getRow(3).getCell(2).value).toBe(huge);
  });
});
