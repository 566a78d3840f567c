import request from 'supertest';
import { RulesHolder } from '../../src/rules/rules-holder';
import { ISSUE_FIELDS } from '../../src/trust/quote-signature';
import { createAppParts } from '../../src/app';
import { RULES_DIR, contract, contractIssues, exampleTwoRequest, recordingLogger, testApp } from '../support/test-app';

const app = testApp();

/** A quote's text without the fields that change at every issue (see src/trust/quote-signature.ts). */
function pricedPart(text: string): string {
  const quote = JSON.parse(text) as Record<string, unknown>;
  for (const field of ISSUE_FIELDS) delete quote[field];
  return JSON.stringify(quote);
}

function post(body: unknown, url = '/v1/quotes') {
  return request(app).post(url).set('Content-Type', 'application/json').send(JSON.stringify(body));
}

describe('POST /v1/quotes', () => {
  it('prices worked example 2 of the chamber agreement and answers a body that matches the contract', async () => {
    const res = await post(exampleTwoRequest());
    expect(res.status).toBe(200);
    expect(contractIssues('SignedQuote', res.body)).toEqual([]);
    expect(res.body.totals).toEqual({ list: '56960.00', discount: '5696.00', net: '51264.00', commission: '5126.40', rebate: '1025.28', gifts: '2576.00' });
    expect(res.body.rulesetVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body.gifts).toEqual([expect.objectContaining({ sku: 'BYK-H01', quantity: 2, unitPrice: '0.00', value: '2576.00' })]);
  });

  it('gives the same bytes for the same request, apart from the fields of each issue (quoteId, issuedAt, expiresAt, signature)', async () => {
    const first = await post(exampleTwoRequest());
    const second = await post(exampleTwoRequest());
    expect(pricedPart(second.text)).toBe(pricedPart(first.text));
    expect(second.body.quoteId).not.toBe(first.body.quoteId);
  });

  it('defaults the date to today and the buyer flags to false', async () => {
    const res = await post({ agreement: 'chamber-baiyikang', channel: 'group-buy', buyer: { id: 'ENT-5' }, lines: [{ sku: 'BYK-L01', quantity: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body.date).toBe('2026-11-26');
    expect(res.headers['suanpan-date-defaulted']).toBe('2026-11-26');
    expect(res.body.buyer).toEqual({ id: 'ENT-5', member: false, keyAccount: false });
    expect(res.body.lines[0].unitPrice).toBe('68.00');
  });

  it('says when the date was defaulted (Suanpan-Date-Defaulted), on the lane and through Express, for quotes and batches', async () => {
    const dateless = { agreement: 'chamber-baiyikang', channel: 'group-buy', buyer: { id: 'ENT-5' }, lines: [{ sku: 'BYK-L01', quantity: 1 }] };
    const rules = new RulesHolder(RULES_DIR);
    rules.load();
    const expressOnly = createAppParts({ rules, logger: recordingLogger(), contract, today: () => '2026-11-26' }).express;
    for (const served of [app, expressOnly]) {
      const send = (url: string, body: unknown) => request(served).post(url).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect((await send('/v1/quotes?sign=false', dateless)).headers['suanpan-date-defaulted']).toBe('2026-11-26');
      expect((await send('/v1/quotes', exampleTwoRequest())).headers).not.toHaveProperty('suanpan-date-defaulted');
      expect((await send('/v1/quotes:batch', { quotes: [exampleTwoRequest(), dateless] })).headers['suanpan-date-defaulted']).toBe('2026-11-26');
      expect((await send('/v1/quotes:batch', { quotes: [exampleTwoRequest()] })).headers).not.toHaveProperty('suanpan-date-defaulted');
    }
  });

  it('explains, per line, the rules that did not apply and why', async () => {
    const res = await request(app).post('/v1/quotes?explain=true').set('Content-Type', 'application/json').send(exampleTwoRequest());
    expect(res.status).toBe(200);
    expect(contractIssues('Quote', res.body)).toEqual([]);
    const line = res.body.lines[1];
    expect(line.explanation.applied).toEqual(['group-buy-tiers', 'chamber-commission', 'key-account-rebate']);
    const byRule = Object.fromEntries(line.explanation.notApplied.map((n: { ruleId: string }) => [n.ruleId, n]));
    expect(byRule['member-discount']).toMatchObject({ reason: 'lost-exclusivity', winner: 'group-buy-tiers' });
    expect(byRule['supply-price']).toMatchObject({ reason: 'condition-failed', failedCondition: { fact: 'channel', operator: 'equal', value: 'chamber-supply', factValue: 'group-buy' } });
    expect(byRule['premium-gifts']).toMatchObject({ reason: 'condition-failed', failedCondition: { fact: 'line.category', factValue: 'economy' } });
    expect(byRule['lowest-price-floor']).toMatchObject({ reason: 'no-effect' });
    expect(res.body.rules['member-discount'].label).toEqual({ zh: expect.any(String), en: expect.any(String) });
  });

  it('answers the priced document alone with sign=false: no issue fields, the same bytes every time', async () => {
    const first = await post(exampleTwoRequest(), '/v1/quotes?sign=false');
    const second = await post(exampleTwoRequest(), '/v1/quotes?sign=false');
    expect(first.status).toBe(200);
    expect(contractIssues('Quote', first.body)).toEqual([]);
    for (const field of ISSUE_FIELDS) expect(first.body).not.toHaveProperty(field);
    expect(second.text).toBe(first.text);
    const signed = await post(exampleTwoRequest());
    expect(first.text).toBe(pricedPart(signed.text));
  });

  it('answers a batch unsigned with sign=false', async () => {
    const res = await post({ quotes: [exampleTwoRequest(), exampleTwoRequest()] }, '/v1/quotes:batch?sign=false');
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { quote: object }) => Object.keys(r.quote).includes('signature'))).toEqual([false, false]);
    expect(res.body.results[0].quote).toEqual(res.body.results[1].quote);
  });

  it.each(['/v1/quotes', '/v1/quotes:batch'])('%s refuses explain and sign other than true or false, naming each', async (route) => {
    const res = await post(route.endsWith('batch') ? { quotes: [exampleTwoRequest()] } : exampleTwoRequest(), `${route}?explain=yes&sign=0`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/query/explain', '/query/sign']);
  });

  it('answers without explanations unless asked', async () => {
    const res = await post(exampleTwoRequest());
    expect(res.body.lines[0].explanation).toBeUndefined();
    expect(res.body.lines[0].decisions).toBeUndefined();
  });
});

describe('POST /v1/quotes errors are RFC 9457 problems naming the field', () => {
  const cases: [string, () => request.Test, number, string, string | undefined][] = [
    ['an unknown SKU', () => post({ ...exampleTwoRequest(), lines: [{ sku: 'BYK-L01', quantity: 1 }, { sku: 'NOPE', quantity: 1 }] }), 422, 'UNKNOWN_SKU', '/lines/1/sku'],
    ['an unknown channel', () => post({ ...exampleTwoRequest(), channel: 'wholesale' }), 422, 'UNKNOWN_CHANNEL', '/channel'],
    ['an unknown agreement', () => post({ ...exampleTwoRequest(), agreement: 'acme' }), 404, 'UNKNOWN_AGREEMENT', '/agreement'],
    ['a date before the first version', () => post({ ...exampleTwoRequest(), date: '2020-01-01' }), 422, 'NO_RULESET_IN_FORCE', '/date'],
    ['a zero quantity', () => post({ ...exampleTwoRequest(), lines: [{ sku: 'BYK-L01', quantity: 0 }] }), 400, 'VALIDATION_FAILED', '/lines/0/quantity'],
    ['a fractional quantity', () => post({ ...exampleTwoRequest(), lines: [{ sku: 'BYK-L01', quantity: 1.5 }] }), 400, 'VALIDATION_FAILED', '/lines/0/quantity'],
    ['a quantity as a string', () => post({ ...exampleTwoRequest(), lines: [{ sku: 'BYK-L01', quantity: '3' }] }), 400, 'VALIDATION_FAILED', '/lines/0/quantity'],
    ['a missing buyer', () => post({ ...exampleTwoRequest(), buyer: undefined }), 400, 'VALIDATION_FAILED', '/buyer'],
    ['an unknown field', () => post({ ...exampleTwoRequest(), discount: '0.5' }), 400, 'VALIDATION_FAILED', '/discount'],
    ['an impossible date', () => post({ ...exampleTwoRequest(), date: '2026-02-30' }), 400, 'VALIDATION_FAILED', '/date'],
    ['no lines', () => post({ ...exampleTwoRequest(), lines: [] }), 400, 'VALIDATION_FAILED', '/lines'],
    ['malformed JSON', () => request(app).post('/v1/quotes').set('Content-Type', 'application/json').send('{"agreement": '), 400, 'MALFORMED_JSON', undefined],
    ['a body that is not JSON', () => request(app).post('/v1/quotes').set('Content-Type', 'text/plain').send('hello'), 415, 'UNSUPPORTED_MEDIA_TYPE', undefined],
    ['an oversized body', () => request(app).post('/v1/quotes').set('Content-Type', 'application/json').send(`{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`), 413, 'PAYLOAD_TOO_LARGE', undefined],
    ['an unknown route', () => request(app).get('/v1/nothing'), 404, 'NOT_FOUND', undefined],
  ];

  it.each(cases)('%s', async (_name, send, status, code, pointer) => {
    const res = await send().set('X-Request-Id', 'req-123');
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(contractIssues('Problem', res.body)).toEqual([]);
    expect(res.body).toMatchObject({ status, code, requestId: 'req-123', type: `/problems/${code.toLowerCase().replace(/_/g, '-')}` });
    if (pointer !== undefined) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('reports every unknown SKU, not just the first', async () => {
    const res = await post({ ...exampleTwoRequest(), lines: [{ sku: 'X1', quantity: 1 }, { sku: 'BYK-L01', quantity: 1 }, { sku: 'X2', quantity: 1 }] });
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/lines/0/sku', '/lines/2/sku']);
  });

  it('answers 503 RULES_NOT_LOADED with Retry-After before rules are loaded', async () => {
    const notLoaded = testApp({ rules: new RulesHolder(RULES_DIR) });
    const res = await request(notLoaded).post('/v1/quotes').send(exampleTwoRequest());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('RULES_NOT_LOADED');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('hides internal messages in a 500 and logs them with the request id', async () => {
    const logger = recordingLogger();
    const rules = new RulesHolder(RULES_DIR);
    rules.load();
    const broken = { ...rules, current: () => { throw new Error('secret internal detail'); } } as unknown as RulesHolder;
    const res = await request(testApp({ rules: broken, logger })).post('/v1/quotes').send(exampleTwoRequest());
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('INTERNAL_ERROR');
    expect(res.text).not.toContain('secret');
    expect(logger.entries.some((e) => e.level === 'error' && (e.obj as { requestId?: string }).requestId === res.body.requestId)).toBe(true);
  });
});

describe('POST /v1/quotes:batch', () => {
  it('answers each slot with its quote or its problem, in order', async () => {
    const res = await post({ quotes: [exampleTwoRequest(), { ...exampleTwoRequest(), channel: 'nope' }, { agreement: 'chamber-baiyikang' }] }, '/v1/quotes:batch');
    expect(res.status).toBe(200);
    expect(contractIssues('QuoteBatchResponse', res.body)).toEqual([]);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([200, 422, 400]);
    expect(res.body.results[0].quote.totals.net).toBe('51264.00');
    expect(res.body.results[1].problem.code).toBe('UNKNOWN_CHANNEL');
    expect(res.body.results[2].problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/channel', '/buyer', '/lines']);
  });

  it('gives in each slot the same quote as a single call', async () => {
    const single = await post(exampleTwoRequest());
    const batch = await post({ quotes: [exampleTwoRequest()] }, '/v1/quotes:batch');
    expect(pricedPart(JSON.stringify(batch.body.results[0].quote))).toBe(pricedPart(single.text));
  });

  it.each([
    ['no quotes array', {}],
    ['an empty array', { quotes: [] }],
    ['more than 1000 quotes', { quotes: Array.from({ length: 1001 }, () => ({})) }],
  ])('refuses an envelope with %s', async (_name, body) => {
    const res = await post(body, '/v1/quotes:batch');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors[0].pointer).toMatch(/^\/quotes?/);
  });
});
