import request from 'supertest';
import { contractIssues, testApp } from '../support/test-app';
import { transactionColumnsOf } from '../../src/io/settlement-rows';
import { openSettlement } from '../../src/rules/calculate-settlement';
import { settlementFileOf } from '../support/settlement-file';
import { externalSalesCase, loadCatalog, quarterClosingCase, workedExampleRequest } from '../support/settlement-fixtures';

const example = workedExampleRequest();
const agreement = example.agreement;

describe('the ledger over HTTP', () => {
  it('records, lists, closes, serves and verifies a month; every answer matches the contract', async () => {
    const app = testApp();
    const uploaded = await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: example.transactions }).expect(200);
    expect(contractIssues('LedgerUploadResult', uploaded.body)).toEqual([]);
    expect(uploaded.body).toMatchObject({ agreement, accepted: 5, unchanged: 0, periods: ['2026-11'], claims: 0 });

    const again = await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: example.transactions }).expect(200);
    expect([again.body.accepted, again.body.unchanged]).toEqual([0, 5]);

    const periods = await request(app).get(`/v1/ledgers/${agreement}/periods`).expect(200);
    expect(contractIssues('LedgerPeriods', periods.body)).toEqual([]);
    expect(periods.body.periods).toEqual([{ period: '2026-11', state: 'open', transactions: 5, returns: 1, adjustments: 0, figures: expect.any(Array) }]);

    const closed = await request(app).post(`/v1/ledgers/${agreement}/periods/2026-11:close`).expect(201);
    expect(contractIssues('StoredStatement', closed.body)).toEqual([]);
    expect(closed.body.document.statement.commission).toBeDefined();
    const id = closed.body.id as string;
    await request(app).post(`/v1/ledgers/${agreement}/periods/2026-11:close`).expect(200);

    const csv = await request(app).get(`/v1/statements/${id}`).set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toContain('chamber-baiyikang');
    const workbook = await request(app).get(`/v1/statements/${id}`).set('Accept', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').buffer(true).expect(200);
    expect([workbook.headers['content-type'], workbook.headers['content-disposition']]).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', expect.stringMatching(/^attachment; filename=".+\.xlsx"$/)]);
    const fetched = await request(app).get(`/v1/statements/${id}`).expect(200);
    expect(fetched.body).toEqual(closed.body);

    const listed = await request(app).get('/v1/statements').query({ agreement }).expect(200);
    expect(contractIssues('StatementList', listed.body)).toEqual([]);
    expect(listed.body.statements.map((s: { id: string }) => s.id)).toEqual([id]);

    const verified = await request(app).post('/v1/statements:verify').send({ statementId: id, contentHash: closed.body.contentHash }).expect(200);
    expect(contractIssues('StatementVerification', verified.body)).toEqual([]);
    expect(verified.body).toMatchObject({ signature: 'valid', contentHash: 'matches', recomputed: 'matches', differences: [] });
    const wrongHash = await request(app).post('/v1/statements:verify').send({ statementId: id, contentHash: '0'.repeat(64) }).expect(200);
    expect(wrongHash.body.contentHash).toBe('differs');

    const late = { ...example.transactions[0]!, id: 'LATE-1' };
    const refused = await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: [late] }).expect(409);
    expect([refused.body.code, refused.body.errors[0].pointer]).toEqual(['PERIOD_CLOSED', '/transactions/LATE-1']);
    const adjusted = await request(app).post(`/v1/ledgers/${agreement}/transactions`).query({ adjustment: 'true' }).send({ transactions: [late] }).expect(200);
    expect(adjusted.body.periods).toEqual(['2026-12']);

    const audit = await request(app).get(`/v1/ledgers/${agreement}/audit`).expect(200);
    expect(contractIssues('LedgerAudit', audit.body)).toEqual([]);
    expect(audit.body.records.map((r: { action: string }) => r.action)).toEqual(['upload', 'upload-refused', 'close', 'upload', 'upload']);
  });

  it('refuses a conflicting resend with 409 naming the ids, and a CSV upload with problems with 422 listing them', async () => {
    const app = testApp();
    await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: example.transactions }).expect(200);
    const changed = example.transactions.map((tx) => (tx.id === 'T5' ? { ...tx, date: '2026-11-21' } : tx));
    const conflict = await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: changed }).expect(409);
    expect([conflict.body.code, conflict.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual(['TRANSACTION_CONFLICT', ['/transactions/T5']]);
    const csv = 'transaction,date,channel,buyer,sku,quantity\nC1,2026-11-03,nowhere,B1,BYK-H01,2\nC2,2026-11-04,group-buy,B1,NOPE,1\n';
    const bad = await request(app).post(`/v1/ledgers/${agreement}/transactions`).set('Content-Type', 'text/csv').send(csv).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/rows/2/channel', '/rows/3/sku']));
    const periods = await request(app).get(`/v1/ledgers/${agreement}/periods`).expect(200);
    expect(periods.body.periods[0].transactions).toBe(5);
  });

  it("lists an open month's figures as closing it stores them, a closed month's from its statement; figures=false, from and to", async () => {
    const app = testApp();
    const t1 = example.transactions.find((tx) => tx.id === 'T1')!;
    await request(app).post(`/v1/ledgers/${agreement}/transactions`).send({ transactions: [...example.transactions, { ...t1, id: 'D1', date: '2026-12-04' }] }).expect(200);
    const open = await request(app).get(`/v1/ledgers/${agreement}/periods`).expect(200);
    expect(contractIssues('LedgerPeriods', open.body)).toEqual([]);
    const stateless = await request(app).post('/v1/settlements').send({ agreement, period: example.period, transactions: example.transactions }).expect(200);
    const november = open.body.periods[0];
    expect(november.figures.map((f: { id: string; amount: string }) => [f.id, f.amount])).toEqual(stateless.body.figures.map((f: { id: string; amount: string }) => [f.id, f.amount]));
    expect(november.figures.filter((f: { net?: boolean }) => f.net === true).map((f: { amount: string }) => f.amount)).toEqual([stateless.body.figures[stateless.body.figures.length - 1].amount]);

    const closed = await request(app).post(`/v1/ledgers/${agreement}/periods/2026-11:close`).expect(201);
    const stored = closed.body.document.statement.figures as { id: string; amount: string }[];
    expect(november.figures.map((f: { id: string; amount: string }) => [f.id, f.amount])).toEqual(stored.map((f) => [f.id, f.amount]));
    const after = await request(app).get(`/v1/ledgers/${agreement}/periods`).expect(200);
    expect(contractIssues('LedgerPeriods', after.body)).toEqual([]);
    expect(after.body.periods[0]).toEqual({ ...november, state: 'closed', closedAt: closed.body.closedAt, statementId: closed.body.id });
    expect(after.body.periods[1]).toEqual(open.body.periods[1]);

    const counts = await request(app).get(`/v1/ledgers/${agreement}/periods`).query({ figures: 'false' }).expect(200);
    expect(contractIssues('LedgerPeriods', counts.body)).toEqual([]);
    expect(counts.body).toEqual({ agreement, periods: after.body.periods.map(({ figures: _figures, ...counted }: Record<string, unknown>) => counted) });
    const december = await request(app).get(`/v1/ledgers/${agreement}/periods`).query({ from: '2026-12', to: '2026-12' }).expect(200);
    expect(december.body.periods).toEqual([after.body.periods[1]]);
  });

  it.each([
    [{ from: '2026-13' }, '/query/from', 'INVALID_PERIOD'],
    [{ to: '2026-1' }, '/query/to', 'INVALID_PERIOD'],
    [{ from: '2026-12', to: '2026-11' }, '/query/to', 'INVALID_PERIOD'],
    [{ figures: 'no' }, '/query/figures', 'VALIDATION_FAILED'],
  ])('refuses the listing query %j with a 400 naming %s', async (query, pointer, code) => {
    const res = await request(testApp()).get(`/v1/ledgers/${agreement}/periods`).query(query).expect(400);
    expect([res.body.code, res.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual([code, [pointer]]);
  });

  it("lists a quarter programme to date: the closing month's statement pays what the listing showed", async () => {
    const { request: settlement, ruleId } = quarterClosingCase();
    const app = testApp();
    await request(app).post(`/v1/ledgers/${settlement.agreement}/transactions`).send({ transactions: [...settlement.priorTransactions!, ...settlement.transactions] }).expect(200);
    const listed = await request(app).get(`/v1/ledgers/${settlement.agreement}/periods`).expect(200);
    expect(contractIssues('LedgerPeriods', listed.body)).toEqual([]);
    const stateless = await request(app).post('/v1/settlements').send(settlement).expect(200);
    const line = stateless.body.programmes.find((p: { ruleId: string }) => p.ruleId === ruleId);
    const programme = listed.body.programmes.find((p: { programme: string }) => p.programme === ruleId);
    expect(programme).toMatchObject({ kind: 'quarter', state: 'open', final: false, asOf: settlement.period.to.slice(0, 7), volumeToDate: line.volumeToDate, rebateToDate: line.rebate, tier: { from: line.tier.from, rate: line.tier.rate } });
    expect(listed.body.periods.map((p: { period: string }) => p.period)).toEqual(programme.months);
    const last = programme.months[programme.months.length - 1];
    for (const month of programme.months) await request(app).post(`/v1/ledgers/${settlement.agreement}/periods/${month}:close`).expect(201);
    const final = await request(app).get(`/v1/ledgers/${settlement.agreement}/periods`).query({ from: last }).expect(200);
    expect(final.body.programmes).toEqual([{ ...programme, state: 'closed', final: true }]);
    expect(final.body.periods[0].figures).toEqual(listed.body.periods[listed.body.periods.length - 1].figures);
  });

  it('keeps a month\'s external sales: its statement is the one POST /v1/settlements gives for the same file, a closed month refuses another report with 409', async () => {
    const month = externalSalesCase();
    const path = `/v1/ledgers/${month.agreement}/transactions`;
    const app = testApp();
    const csv = settlementFileOf(month, transactionColumnsOf(openSettlement(loadCatalog(), month.agreement, month.period).version), 'csv');
    const uploaded = await request(app).post(path).set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(contractIssues('LedgerUploadResult', uploaded.body)).toEqual([]);
    expect(uploaded.body).toMatchObject({ accepted: month.transactions.length, periods: [month.period.from.slice(0, 7)], externalSales: { accepted: month.externalSales!.length, unchanged: 0 } });
    const resent = await request(app).post(path).set('Content-Type', 'text/csv').send(csv).expect(200);
    expect([resent.body.accepted, resent.body.periods, resent.body.externalSales]).toEqual([0, [], { accepted: 0, unchanged: month.externalSales!.length }]);
    // the same report sent as JSON is the same report
    const asJson = await request(app).post(path).send({ transactions: [], externalSales: month.externalSales }).expect(200);
    expect([asJson.body.periods, asJson.body.externalSales]).toEqual([[], { accepted: 0, unchanged: month.externalSales!.length }]);
    const closed = await request(app).post(`/v1/ledgers/${month.agreement}/periods/${month.period.from.slice(0, 7)}:close`).expect(201);
    const stateless = await request(app).post('/v1/settlements').set('Content-Type', 'text/csv').query({ agreement: month.agreement, from: month.period.from, to: month.period.to }).send(csv).expect(200);
    expect(closed.body.document.statement.figures).toEqual(stateless.body.figures);
    expect([closed.body.document.statement.compensation, closed.body.document.statement.priceGuarantee]).toEqual([stateless.body.compensation, stateless.body.priceGuarantee]);
    const verified = await request(app).post('/v1/statements:verify').send({ statementId: closed.body.id }).expect(200);
    expect(verified.body.recomputed).toBe('matches');
    const refused = await request(app).post(path).send({ transactions: [], externalSales: month.externalSales!.slice(1) }).expect(409);
    expect(contractIssues('Problem', refused.body)).toEqual([]);
    expect([refused.body.code, refused.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual(['PERIOD_CLOSED', ['/externalSales/0/date']]);
    const audit = await request(app).get(`/v1/ledgers/${month.agreement}/audit`).expect(200);
    expect(audit.body.records.map((r: { action: string; detail: Record<string, unknown> }) => [r.action, r.detail['externalSales'] ?? r.detail['closedExternalSales']])).toEqual([
      ['upload-refused', 1],
      ['close', undefined],
      ['upload', month.externalSales!.length],
      ['upload', month.externalSales!.length],
      ['upload', month.externalSales!.length],
    ]);
  });

  it('answers a bad month with 400, an unknown statement with 404, an unknown agreement with 404', async () => {
    const app = testApp();
    expect((await request(app).post(`/v1/ledgers/${agreement}/periods/2026-13:close`).expect(400)).body.code).toBe('INVALID_PERIOD');
    expect((await request(app).get('/v1/statements/nope').expect(404)).body.code).toBe('UNKNOWN_STATEMENT');
    expect((await request(app).get('/v1/ledgers/no-such-agreement/periods').expect(404)).body.code).toBe('UNKNOWN_AGREEMENT');
    expect((await request(app).get('/v1/ledgers/no-such-agreement/audit').expect(404)).body.code).toBe('UNKNOWN_AGREEMENT');
  });
});
