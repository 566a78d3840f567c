import { figureAmount } from '../../src/domain/settlement';
import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import type { SettlementStatement } from '../../src/domain/settlement';
import { settleFiles, type SettlementFileFormat } from '../../src/io/read-settlement-file';
import { normalizeDate } from '../../src/io/settlement-rows';
import { formatStatementCsv } from '../../src/io/statement-csv';
import { formatStatementHtml } from '../../src/io/statement-html';
import { calculateSettlement, openSettlement } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { loadCatalog, settlementIssues } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };

function settleText(text: string | Buffer, format: SettlementFileFormat): Promise<SettlementStatement> {
  return settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([text]), format }]);
}


describe('normalizeDate', () => {
  it.each([
    ['2026-11-03', '2026-11-03'],
    ['2026/11/3', '2026-11-03'],
    ['2026/1/31', '2026-01-31'],
    ['2026-11-31', undefined],
    ['2026/2/29', undefined],
    ['03/11/2026', undefined],
    ['2026-1-3', undefined],
  ])('%s → %s', (text, expected) => {
    expect(normalizeDate(text)).toBe(expected);
  });
});

describe('settlement CSV input', () => {
  it('takes columns in any order and case, quoted cells, CRLF, blank rows and rows of empty cells', async () => {
    const csv = [
      'SKU,Quantity,Transaction,Date,Channel,Buyer',
      '"BYK-H01",30,T1,2026-11-03,chamber-supply,"CHAMBER"',
      ',,,,,',
      '',
      'BYK-L02,7,T1,2026-11-03,chamber-supply,CHAMBER',
    ].join('\r\n');
    const s = await settleText(csv, 'csv');
    expect(figureAmount(s, 'supplyPayable')).toBe('33081.41');
    expect(s.counts).toEqual({ transactions: 1, returns: 0, lines: 2, externalSales: 0 });
  });

  it('refuses a header that lacks a required column, and does not read its rows', async () => {
    const csv = 'transaction,date,channel,sku,quantity\nT1,2026-11-03,chamber-supply,BYK-H01,30\n';
    expect(await settlementIssues(settleText(csv, 'csv'))).toEqual([['/rows/1', 'INVALID_HEADER']]);
  });

  it('reports rows before any header once', async () => {
    expect(await settlementIssues(settleText('T1,2026-11-03\nT2,2026-11-04\n', 'csv'))).toEqual([['/rows/1', 'NO_HEADER']]);
  });

  it('refuses rows of one transaction that disagree on the transaction columns, and the transaction with them', async () => {
    const csv = [
      'transaction,date,channel,buyer,sku,quantity,returnOf',
      'T1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,1,',
      'T1,2026-11-03,group-buy,CHAMBER,BYK-H01,1,',
      'R1,2026-11-04,chamber-supply,CHAMBER,BYK-H01,-1,T1',
    ].join('\n');
    expect(await settlementIssues(settleText(csv, 'csv'))).toEqual([
      ['/rows/3/channel', 'ROWS_DISAGREE'],
      ['/rows/4/returnOf', 'ORIGINAL_REFUSED'],
    ]);
  });
});

describe('ids in files follow the API\'s Id rule', () => {
  it('refuses ids with spaces or slashes, and claims for a buyer that is no id', async () => {
    const csv = [
      'transaction,date,channel,buyer,sku,quantity',
      'INV/2026/1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,1',
      'T2,2026-11-03,chamber-supply,THE CHAMBER,BYK-H01,1',
      '',
      'figure,claimed',
      'rebates/__proto__,1.00',
    ].join('\n');
    expect(await settlementIssues(settleText(csv, 'csv'))).toEqual([
      ['/rows/2/transaction', 'INVALID_ID'],
      ['/rows/3/buyer', 'INVALID_ID'],
      ['/rows/6/figure', 'UNKNOWN_FIGURE'],
    ]);
  });
});

describe('settlement NDJSON input', () => {
  it('reports lines that are not JSON, not a known record, or carry unknown fields; reads the rest', async () => {
    const ndjson = [
      '\uFEFF{"transaction":"T1","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":30}',
      '{"transaction":"T1",',
      '[1,2]',
      '{"sku":"BYK-H01"}',
      '{"institution":"X","sku":"BYK-H01","date":"2026-11-03","quantity":1,"unitPrice":"1288.00","discount":"0.1"}',
      '{"transaction":"T2","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":"3","unitPrice":1094.8}',
    ].join('\n');
    expect(await settlementIssues(settleText(ndjson, 'ndjson'))).toEqual([
      ['/rows/2', 'INVALID_JSON'],
      ['/rows/3', 'INVALID_RECORD'],
      ['/rows/4', 'UNKNOWN_RECORD'],
      ['/rows/5/discount', 'UNKNOWN_FIELD'],
      ['/rows/6/unitPrice', 'INVALID_DECIMAL'],
    ]);
  });

  it('skips a line longer than 1 MB with one issue and reads on', async () => {
    const long = `{"transaction":"T0","note":"${'x'.repeat(1_100_000)}"}`;
    const ok = '{"transaction":"T1","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":1}';
    const bad = '{"transaction":"T2","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":0}';
    const chunks = [Buffer.from(`${ok}\n${long.slice(0, 700_000)}`), Buffer.from(`${long.slice(700_000)}\n${bad}\n`)];
    const error = await settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from(chunks), format: 'ndjson' }]).catch((e: DomainError) => e);
    expect((error as DomainError).issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      ['/rows/2', 'ROW_TOO_LONG'],
      ['/rows/3/quantity', 'INVALID_QUANTITY'],
    ]);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const text = Buffer.from('{"institution":"某医院","sku":"BYK-H01","date":"2026-11-15","quantity":50,"unitPrice":"1030.40"}\n');
    const cut = text.indexOf(Buffer.from('医')) + 1;
    const s = await settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([text.subarray(0, cut), text.subarray(cut)]), format: 'ndjson' }]);
    expect(s.priceGuarantee[0]!.institution).toBe('某医院');
  });
});

describe('statement renderings', () => {
  const statement = (): Promise<SettlementStatement> =>
    calculateSettlement(catalog, {
      agreement: 'chamber-baiyikang',
      period: PERIOD,
      transactions: [{ id: 'T1', date: '2026-11-03', channel: 'chamber-supply', buyer: { id: 'CHAMBER' }, lines: [{ sku: 'BYK-H01', quantity: 1 }] }],
      externalSales: [{ institution: '=HYPERLINK("http://x","a, <b>")', sku: 'BYK-H01', date: '2026-11-04', quantity: 1, unitPrice: '1000.00' }],
    });

  it('CSV: text a spreadsheet would run as a formula is defused and quoted; negative amounts stay numbers', async () => {
    const csv = formatStatementCsv(await statement());
    expect(csv).toContain(`BYK-H01,0.7763,1000.00,"'=HYPERLINK(""http://x"",""a, <b>"")",true,94.80\r\n`);
    // 1094.80 − commission 109.48 − compensation 94.80
    expect(csv).toContain('\r\nchamberPaysSupplier,890.52,');
  });

  it('HTML: text is escaped', async () => {
    const html = formatStatementHtml(await statement());
    expect(html).toContain('<td>=HYPERLINK(&quot;http://x&quot;,&quot;a, &lt;b&gt;&quot;)</td>');
    expect(html).toContain('BYK-H01 · =HYPERLINK(&quot;http://x&quot;,&quot;a, &lt;b&gt;&quot;)');
    expect(html).not.toContain('<b>');
  });
});

describe('streamed settlement: synchronous and asynchronous rule evaluators', () => {
  const csv = [
    'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice',
    'T1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-H01,30,1094.80',
    'T1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-L02,7,33.92',
    'T2,2026-11-05,group-buy,ENT-001,true,true,,BYK-H01,40,',
    'T2,2026-11-05,group-buy,ENT-001,true,true,,BYK-L01,80,',
    'T4,2026-11-20,group-buy,ENT-001,true,true,T2,BYK-L01,-10,',
    'T5,2026-11-21,group-buy,ENT-001,true,true,,BYK-H02,100,',
  ].join('\n');

  it('gives the same statement with json-rules-engine (awaited) as with the compiled evaluator (no promise per row)', async () => {
    const jre = RuleCatalog.load(catalog.dir, { evaluator: 'json-rules-engine' });
    const settleWith = (rules: RuleCatalog): Promise<SettlementStatement> => settleFiles(openSettlement(rules, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([csv]), format: 'csv' }]);
    const compiled = await settleWith(RuleCatalog.load(catalog.dir, { evaluator: 'compiled' }));
    expect(await settleWith(jre)).toEqual(compiled);
    expect(compiled.commission).not.toBe('0.00');
  });

  it('keeps a transaction open across a row whose id is unreadable (reported alone)', async () => {
    const rows = ['transaction,date,channel,buyer,sku,quantity', 'T1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,30', 'INV/1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,1', 'T1,2026-11-03,chamber-supply,CHAMBER,BYK-L02,7'].join('\n');
    expect(await settlementIssues(settleText(rows, 'csv'))).toEqual([['/rows/3/transaction', 'INVALID_ID']]);
  });
});
