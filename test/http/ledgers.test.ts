import request from 'supertest';
import { contractIssues, testApp } from '../support/test-app';
import { workedExampleRequest } from '../support/settlement-fixtures';

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
    expect(periods.body.periods).toEqual([{ period: '2026-11', state: 'open', transactions: 5, returns: 1, adjustments: 0 }]);

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

  it('answers a bad month with 400, an unknown statement with 404, an unknown agreement with 404', async () => {
    const app = testApp();
    expect((await request(app).post(`/v1/ledgers/${agreement}/periods/2026-13:close`).expect(400)).body.code).toBe('INVALID_PERIOD');
    expect((await request(app).get('/v1/statements/nope').expect(404)).body.code).toBe('UNKNOWN_STATEMENT');
    expect((await request(app).get('/v1/ledgers/no-such-agreement/periods').expect(404)).body.code).toBe('UNKNOWN_AGREEMENT');
    expect((await request(app).get('/v1/ledgers/no-such-agreement/audit').expect(404)).body.code).toBe('UNKNOWN_AGREEMENT');
  });
});
