import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { FIXTURES_DIR, WORKED_EXAMPLE, expectWorkedExample, loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';
import { contractIssues, testApp } from '../support/test-app';
import type { SettlementStatement } from '../../src/domain/settlement';
import { formatStatementCsv } from '../../src/io/statement-csv';
import { readWorkbook } from '../support/read-workbook';
import { STATEMENT_HTML_CSP, formatStatementHtml } from '../../src/io/statement-html';
import { presentationIn } from '../../src/io/statement-presentation';
import { XLSX_MEDIA_TYPE } from '../../src/io/statement-xlsx';

const app = testApp();
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES_DIR, name));
const UPLOAD = '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30';

/** The two worked-example CSV files as one upload: the transactions table, a blank row, the external-sales table. */
const workedExampleCsv = (): Buffer => Buffer.concat([fixture('worked-example-transactions.csv'), Buffer.from('\r\n'), fixture('worked-example-external.csv')]);

function expectContract(schema: string, body: unknown): void {
  expect(contractIssues(schema, body)).toEqual([]);
}

describe('POST /v1/settlements with JSON', () => {
  it('settles the chamber agreement settlement worked example to the fen, in the contract', async () => {
    const res = await request(app).post('/v1/settlements').send(workedExampleRequest());
    expect(res.status).toBe(200);
    expectContract('SettlementStatement', res.body);
    expectWorkedExample(res.body);
  });

  it('reconciles claimed figures', async () => {
    const res = await request(app)
      .post('/v1/settlements')
      .send({ ...workedExampleRequest(), claimed: { commission: '32578.27', rebates: { 'ENT-001': '8700.00' } } });
    expect(res.status).toBe(200);
    expectContract('SettlementStatement', res.body);
    expect(res.body.reconciliation).toEqual([
      { figure: 'commission', claimed: '32578.27', computed: '32578.27', difference: '0.00' },
      { figure: 'rebates/ENT-001', claimed: '8700.00', computed: '8755.56', difference: '-55.56' },
    ]);
  });

  it('answers 400 naming every field that breaks the contract', async () => {
    const body = workedExampleRequest();
    const broken = { ...body, transactions: [{ ...body.transactions[0], lines: [{ sku: 'BYK-H01', quantity: '30' }] }], externalSales: [{ institution: '某医院' }] };
    const res = await request(app).post('/v1/settlements').send(broken);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expectContract('Problem', res.body);
    const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/transactions/0/lines/0/quantity', '/externalSales/0/sku', '/externalSales/0/unitPrice']));
  });

  it('answers 400 with the contract faults and, in the same answer, every settlement problem of what could be read', async () => {
    const body = workedExampleRequest();
    const tx = body.transactions;
    const res = await request(app)
      .post('/v1/settlements')
      .send({
        ...body,
        transactions: [
          // a quantity as text (the contract) and an unknown SKU on the other line of the same transaction
          { ...tx[0]!, lines: [{ sku: 'BYK-H01', quantity: '30' }, { sku: 'BYK-X99', quantity: 7 }] },
          { ...tx[1]!, channel: 'mail-order' },
          { ...tx[3]!, returnOf: 'T404' },
          // a date that is no day (the contract), and a return of a sale refused
          { ...tx[3]!, id: 'R9', date: 'soon', returnOf: 'T1' },
        ],
        externalSales: [{ institution: '某医院', sku: 'BYK-X98', date: '2026-11-15', quantity: 0, unitPrice: '1030.40' }],
      });
    expect(res.status).toBe(400);
    expectContract('Problem', res.body);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const found = (res.body.errors as { pointer: string; code: string }[]).map(({ pointer, code }) => [pointer, code]);
    expect(found).toEqual([
      ['/transactions/0/lines/0/quantity', 'type'],
      ['/transactions/3/date', 'format'],
      ['/externalSales/0/quantity', 'minimum'],
      ['/transactions/0/lines/1/sku', 'UNKNOWN_SKU'],
      ['/transactions/1/channel', 'UNKNOWN_CHANNEL'],
      ['/transactions/3/returnOf', 'ORIGINAL_REFUSED'],
      ['/externalSales/0/sku', 'UNKNOWN_SKU'],
      ['/transactions/2/returnOf', 'UNKNOWN_ORIGINAL'],
    ]);
    expect(res.body.detail).toMatch(/and 5 settlement problem\(s\): \/transactions\/0\/lines\/1\/sku UNKNOWN_SKU; /);
  });

  it('answers 422 with every inconsistency at once, each naming its transaction and line', async () => {
    const body = workedExampleRequest();
    const tx = body.transactions;
    const res = await request(app)
      .post('/v1/settlements')
      .send({
        ...body,
        transactions: [
          { ...tx[0]!, date: '2026-10-31' },
          tx[1]!,
          { ...tx[3]!, returnOf: 'T404' },
          { ...tx[3]!, id: 'T4b', lines: [{ sku: 'BYK-L01', quantity: 10 }] },
          { ...tx[4]!, lines: [{ sku: 'BYK-H02', quantity: 100 }, { sku: 'NOPE-1', quantity: 1 }] },
        ],
      });
    expect(res.status).toBe(422);
    expectContract('Problem', res.body);
    expect(res.body.code).toBe('INVALID_SETTLEMENT');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/transactions/0/date', code: 'OUTSIDE_PERIOD', transaction: 'T1' }),
        expect.objectContaining({ pointer: '/transactions/3/lines/0/quantity', code: 'RETURN_QUANTITY_POSITIVE', transaction: 'T4b' }),
        expect.objectContaining({ pointer: '/transactions/4/lines/1/sku', code: 'UNKNOWN_SKU', transaction: 'T5' }),
        expect.objectContaining({ pointer: '/transactions/2/returnOf', code: 'UNKNOWN_ORIGINAL', transaction: 'T4' }),
      ]),
    );
    expect(res.body.errors).toHaveLength(4);
  });

  it('answers 404 for an unknown agreement and 422 for a period before the first version', async () => {
    const unknown = await request(app).post('/v1/settlements').send({ ...workedExampleRequest(), agreement: 'nobody' });
    expect(unknown.status).toBe(404);
    const early = await request(app)
      .post('/v1/settlements')
      .send({ ...workedExampleRequest(), period: { from: '2025-11-01', to: '2025-11-30' }, transactions: [] });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].pointer).toBe('/period/from');
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await request(app).post('/v1/settlements').send({ ...workedExampleRequest(), period: { from: '2026-11-30', to: '2026-11-01' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/period', code: 'INVALID_PERIOD' })]);
  });
});

describe('POST /v1/settlements streamed from CSV and NDJSON', () => {
  it('settles a CSV upload (BOM, transactions and external sales as two tables) like the JSON request', async () => {
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/csv').send(workedExampleCsv());
    expect(res.status).toBe(200);
    expectContract('SettlementStatement', res.body);
    expectWorkedExample(res.body);
    expect(res.body.counts).toEqual({ transactions: 5, returns: 1, lines: 7, externalSales: 2 });
  });

  /** The worked example as Chinese Excel's plain "CSV" save writes it: GBK, no BOM. */
  const workedExampleGbk = (): Buffer => {
    const utf8 = workedExampleCsv().toString('utf8').replace(/\ufeff/g, '');
    const gbk: Record<string, string> = { 某医院: 'c4b3d2bdd4ba', 某超市: 'c4b3b3accad0' };
    const parts = utf8.split(/(某医院|某超市)/);
    return Buffer.concat(parts.map((part) => (gbk[part] === undefined ? Buffer.from(part, 'utf8') : Buffer.from(gbk[part]!, 'hex'))));
  };

  it.each([['text/csv'], ['text/csv; charset=gbk'], ['text/csv; charset=GB18030']])('settles a GBK CSV (%s) with its Chinese names intact', async (type) => {
    const res = await request(app).post(UPLOAD).set('Content-Type', type).send(workedExampleGbk());
    expect(res.status).toBe(200);
    expectWorkedExample(res.body);
  });

  it('refuses a GBK CSV declared UTF-8 at its first row that is not UTF-8, and an unknown charset with 415', async () => {
    const declaredUtf8 = await request(app).post(UPLOAD).set('Content-Type', 'text/csv; charset=utf-8').send(workedExampleGbk());
    expect(declaredUtf8.status).toBe(422);
    // row 11's 某医院 is GBK that happens to be valid UTF-8 ("ĳҽԺ"); row 12's 某超市 is not
    expect(declaredUtf8.body.errors).toEqual([expect.objectContaining({ code: 'INVALID_ENCODING', pointer: '/rows/12' })]);
    const latin = await request(app).post(UPLOAD).set('Content-Type', 'text/csv; charset=latin1').send(workedExampleGbk());
    expect(latin.status).toBe(415);
    expect(latin.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('settles an NDJSON upload with claims rows', async () => {
    const res = await request(app).post(UPLOAD).set('Content-Type', 'application/x-ndjson').send(fixture('worked-example.ndjson'));
    expect(res.status).toBe(200);
    expectContract('SettlementStatement', res.body);
    expectWorkedExample(res.body);
    expect(res.body.reconciliation).toEqual([
      { figure: 'commission', claimed: '32639.47', computed: '32578.27', difference: '61.20' },
      { figure: 'rebates/ENT-001', claimed: '5837.04', computed: '8755.56', difference: '-2918.52' },
    ]);
  });

  it('locates every problem of a CSV upload by row and column', async () => {
    const csv = [
      'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice',
      'T1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-H01,30,1094.80',
      'T1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-Q01,7,',
      'T2,2026-12-03,chamber-supply,CHAMBER,,,,BYK-H01,3,',
      'T3,2026-11-04,chamber-supply,CHAMBER,,,T1,BYK-H01,31,',
      'T4,2026-11-04,chamber-supply,CHAMBER,,,T1,BYK-H01,-1,"1,094.80"',
      '',
      'institution,sku,date,quantity,unitPrice',
      '某医院,BYK-H01,2026-11-15,fifty,1030.40',
    ].join('\n');
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/csv; charset=utf-8').send(csv);
    expect(res.status).toBe(422);
    expectContract('Problem', res.body);
    const found = (res.body.errors as { pointer: string; code: string; transaction?: string }[]).map(({ pointer, code, transaction }) => ({ pointer, code, transaction }));
    expect(found).toEqual([
      { pointer: '/rows/3/sku', code: 'UNKNOWN_SKU', transaction: 'T1' },
      { pointer: '/rows/4/date', code: 'OUTSIDE_PERIOD', transaction: 'T2' },
      { pointer: '/rows/5/quantity', code: 'RETURN_QUANTITY_POSITIVE', transaction: 'T3' },
      // a refused return is still checked against its original, here refused too
      { pointer: '/rows/5/returnOf', code: 'ORIGINAL_REFUSED', transaction: 'T3' },
      { pointer: '/rows/6/unitPrice', code: 'INVALID_DECIMAL', transaction: 'T4' },
      { pointer: '/rows/9/quantity', code: 'INVALID_QUANTITY', transaction: undefined },
      // T4, the table's last transaction, is checked when the file ends
      { pointer: '/rows/6/returnOf', code: 'ORIGINAL_REFUSED', transaction: 'T4' },
    ]);
  });

  it.each([
    [
      'text/csv',
      [
        'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice',
        'T1,2026-11-03,mail-order,CHAMBER,,,,BYK-H01,thirty,1094.80',
        'T1,2026-11-03,mail-order,CHAMBER,,,,BYK-X99,7,',
        'R1,2026-11-04,chamber-supply,CHAMBER,maybe,,T404,BYK-X98,-1,',
        '',
        'institution,sku,date,quantity,unitPrice',
        '某医院,BYK-X97,2026-12-15,fifty,1030.40',
      ].join('\n'),
      { t1: 2, t1b: 3, r1: 4, bad: undefined, external: 7 },
    ],
    [
      'application/x-ndjson',
      [
        '{"transaction":"T1","date":"2026-11-03","channel":"mail-order","buyer":"CHAMBER","sku":"BYK-H01","quantity":"thirty","unitPrice":"1094.80"}',
        '{"transaction":"T1","date":"2026-11-03","channel":"mail-order","buyer":"CHAMBER","sku":"BYK-X99","quantity":7}',
        '{"transaction":"R1","date":"2026-11-04","channel":"chamber-supply","buyer":"CHAMBER","member":"maybe","returnOf":"T404","sku":"BYK-X98","quantity":-1}',
        '{"transaction":"","date":"2026-11-04"}',
        '{"institution":"某医院","sku":"BYK-X97","date":"2026-12-15","quantity":"fifty","unitPrice":"1030.40"}',
      ].join('\n'),
      { t1: 1, t1b: 2, r1: 3, bad: 4, external: 5 },
    ],
  ] as const)('%s: a transaction with an unreadable cell is still checked against the agreement and its original: every problem in one answer', async (type, body, row) => {
    const res = await request(app).post(UPLOAD).set('Content-Type', type).send(body);
    expect(res.status).toBe(422);
    expectContract('Problem', res.body);
    const found = (res.body.errors as { pointer: string; code: string }[]).map(({ pointer, code }) => [pointer, code]);
    // each cell as its row is read; each transaction's readable fields when it ends (T1 at R1's row, R1 when the file ends)
    expect(found).toEqual([
      [`/rows/${row.t1}/quantity`, 'INVALID_QUANTITY'],
      [`/rows/${row.t1}/channel`, 'UNKNOWN_CHANNEL'],
      [`/rows/${row.t1b}/sku`, 'UNKNOWN_SKU'],
      [`/rows/${row.r1}/member`, 'INVALID_FLAG'],
      ...(row.bad === undefined ? [] : [[`/rows/${row.bad}/transaction`, 'MISSING']]),
      [`/rows/${row.external}/quantity`, 'INVALID_QUANTITY'],
      [`/rows/${row.external}/date`, 'OUTSIDE_PERIOD'],
      [`/rows/${row.external}/sku`, 'UNKNOWN_SKU'],
      [`/rows/${row.r1}/sku`, 'UNKNOWN_SKU'],
      [`/rows/${row.r1}/returnOf`, 'UNKNOWN_ORIGINAL'],
    ]);
  });

  it('needs agreement, from and to in the query for an upload', async () => {
    const res = await request(app).post('/v1/settlements?from=2026-11-01').set('Content-Type', 'text/csv').send(workedExampleCsv());
    expect(res.status).toBe(400);
    expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual(['/query/agreement', '/query/to']);
  });

  it('answers 415 for a body that is neither JSON, CSV nor NDJSON', async () => {
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/plain').send('T1,2026-11-03');
    expect(res.status).toBe(415);
  });

  it('answers 413 when an upload passes the limit', async () => {
    const small = testApp({ maxUploadBytes: 200 });
    const res = await request(small).post(UPLOAD).set('Content-Type', 'text/csv').send(workedExampleCsv());
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('streams a larger CSV: 4000 sales and 4000 returns of half of each', async () => {
    const rows = ['transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice'];
    for (let i = 0; i < 4000; i++) {
      rows.push(`S${i},2026-11-02,chamber-supply,CHAMBER,,,,BYK-H01,2,`);
      rows.push(`R${i},2026-11-03,chamber-supply,CHAMBER,,,S${i},BYK-H01,-1,`);
    }
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/csv').send(rows.join('\n'));
    expect(res.status).toBe(200);
    // 4000 units net at 1094.80 (1288.00 × 0.85); commission 109.48 per unit
    expect(res.body.supplyPayable).toBe('4379200.00');
    expect(res.body.commission).toBe('437920.00');
    expect(res.body.counts).toEqual({ transactions: 8000, returns: 4000, lines: 8000, externalSales: 0 });
  });
});

describe('POST /v1/settlements answers in the representation Accept asks for', () => {
  it('text/csv: a statement Excel opens (BOM, CRLF, one table per section, decimals as written)', async () => {
    const res = await request(app).post('/v1/settlements').set('Accept', 'text/csv').send(workedExampleRequest());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="settlement-chamber-baiyikang-2026-11-01-2026-11-30.csv"');
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    expect(res.text).toContain('\r\n');
    const rows = parse(res.text, { bom: true, relax_column_count: true }) as string[][];
    const figure = (name: string): string | undefined => rows.find((row) => row[0] === name)?.[1];
    expect(figure('supplyPayable')).toBe(WORKED_EXAMPLE.supplyPayable);
    expect(figure('commission')).toBe(WORKED_EXAMPLE.commission);
    expect(figure('compensation')).toBe(WORKED_EXAMPLE.compensation);
    expect(figure('chamberPaysSupplier')).toBe(WORKED_EXAMPLE.chamberPaysSupplier);
    expect(figure('volume/group-buy')).toBe('291852.00');
    const rebateHeader = rows.findIndex((row) => row[0] === 'buyer');
    expect(rows[rebateHeader + 1]!.slice(0, 6)).toEqual(['ENT-001', '291852.00', '5837.04', '0.03', '8755.56', '2918.52']);
    const discrepancyHeader = rows.findIndex((row) => row[0] === 'transaction' && row[1] === 'sku');
    expect(rows[discrepancyHeader + 1]).toEqual(['T1', 'BYK-L02', '7', '33.92', '33.915', '237.44', '237.41', '0.03']);
    const breachHeader = rows.findIndex((row) => row[0] === 'sku' && row[1] === 'lowestFactor');
    expect(rows[breachHeader + 1]).toEqual(['BYK-H01', '0.8', '1030.40', '某医院', 'true', '1932.00']);
  });

  it('text/html: a printable statement with the figures, the breach and the discrepancy, under its own CSP', async () => {
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/csv').set('Accept', 'text/html').send(workedExampleCsv());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['content-security-policy']).toBe(STATEMENT_HTML_CSP);
    expect(res.text).toContain('<td class="number">¥32,578.27</td>');
    expect(res.text).toContain('<td>某医院</td>');
    expect(res.text).toContain('<td class="number flagged">¥0.03</td>');
    // the agreement's labels and tiers: the version the statement was settled under
    expect(res.text).toContain('业务额 大客户团购 Volume, Enterprise group-buy');
    expect(res.text).toContain('下一档 Next threshold: ¥500,000.00');
  });

  it('xlsx: a workbook by Accept, an attachment, its amounts the JSON statement exactly', async () => {
    const res = await request(app)
      .post(UPLOAD)
      .set('Content-Type', 'text/csv')
      .set('Accept', XLSX_MEDIA_TYPE)
      .send(workedExampleCsv())
      .buffer(true)
      .parse((stream, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX_MEDIA_TYPE);
    expect(res.headers['content-disposition']).toBe('attachment; filename="settlement-chamber-baiyikang-2026-11-01-2026-11-30.xlsx"');
    const workbook = await readWorkbook(res.body as Buffer);
    const figures = workbook.getWorksheet('汇总')!;
    const amounts: Record<string, string> = {};
    figures.eachRow((row, index) => {
      if (index > 2) amounts[row.getCell(1).value as string] = (row.getCell(2).value as number).toFixed(2);
    });
    expect(amounts).toMatchObject({ commission: WORKED_EXAMPLE.commission, chamberPaysSupplier: WORKED_EXAMPLE.chamberPaysSupplier, 'volume/group-buy': WORKED_EXAMPLE.volume['group-buy'] });
  });

  it('406 when Accept names none of them', async () => {
    const res = await request(app).post('/v1/settlements').set('Accept', 'image/png').send(workedExampleRequest());
    expect(res.status).toBe(406);
    expect(res.body.code).toBe('NOT_ACCEPTABLE');
  });
});

describe('POST /v1/settlements streams its answer (issue 12: a million discrepancies are never one string)', () => {
  /** `count` chamber-supply lines invoiced at 1.00: one discrepancy each, more than the accumulator keeps in memory. */
  const mispriced = (count: number): string => {
    const rows = ['transaction,date,channel,buyer,sku,quantity,unitPrice'];
    for (let i = 0; i < count; i++) rows.push(`T${Math.floor(i / 2)},2026-11-0${1 + (Math.floor(i / 2) % 9)},chamber-supply,CHAMBER,${i % 2 === 0 ? 'BYK-H01' : 'BYK-L02'},${1 + (i % 50)},1.00`);
    return rows.join('\n');
  };
  const COUNT = 12_001;
  const csv = mispriced(COUNT);
  let json: request.Response;

  beforeAll(async () => {
    json = await request(app).post(UPLOAD).set('Content-Type', 'text/csv').send(csv);
  });

  it('JSON: chunked, no Content-Length, every discrepancy in input order, exactly the JSON of the statement', async () => {
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-length']).toBeUndefined();
    expect(json.headers['transfer-encoding']).toBe('chunked');
    const body = json.body as { discrepancies: { transaction: string; sku: string; invoicedAmount: string }[] };
    expect(body.discrepancies).toHaveLength(COUNT);
    expect(body.discrepancies.map((d) => `${d.transaction}/${d.sku}`)).toEqual(Array.from({ length: COUNT }, (_, i) => `T${Math.floor(i / 2)}/${i % 2 === 0 ? 'BYK-H01' : 'BYK-L02'}`));
    expect(body.discrepancies[COUNT - 1]!.invoicedAmount).toBe(`${1 + ((COUNT - 1) % 50)}.00`);
    expect(json.text).toBe(JSON.stringify(json.body));
    expectContract('SettlementStatement', json.body);
  });

  it.each([
    ['text/csv', formatStatementCsv],
    ['text/html', (statement: SettlementStatement) => formatStatementHtml(statement, presentationIn(loadCatalog(), statement))],
  ] as const)('%s: chunked, exactly the statement formatted whole', async (accept, format) => {
    const res = await request(app).post(UPLOAD).set('Content-Type', 'text/csv').set('Accept', accept).send(csv);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.text).toBe(format(json.body as SettlementStatement));
  });
});
