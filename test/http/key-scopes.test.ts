import request from 'supertest';
import { createAppParts } from '../../src/app';
import type { ApiKeyGrant } from '../../src/http/api-key-auth';
import { TokenBuckets } from '../../src/http/rate-limit';
import { RulesHolder } from '../../src/rules/rules-holder';
import { verifyQuoteSignature } from '../../src/trust/quote-signature';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { workedExampleRequest } from '../support/settlement-fixtures';
import { RULES_DIR, contract, contractIssues, exampleTwoRequest, recordingLogger, testApp } from '../support/test-app';

const UNLIMITED = 'key-for-partner-a-unlimited-01';
const CHAMBER_QUOTES = 'key-for-partner-b-chamber-quotes';
const OTHER_AGREEMENT = 'key-for-partner-c-other-agreement';
const READ_ONLY = 'key-for-partner-d-read-only-0001';
const keys = new Map<string, string | ApiKeyGrant>([
  [UNLIMITED, 'partner-a'],
  [CHAMBER_QUOTES, { partnerId: 'partner-b', agreements: ['chamber-baiyikang'], operations: ['quote', 'verify'] }],
  [OTHER_AGREEMENT, { partnerId: 'partner-c', agreements: ['other-agreement'] }],
  [READ_ONLY, { partnerId: 'partner-d', operations: ['read'] }],
]);
const signing = { keys: ephemeralKeyRing() };
const app = testApp({ apiKeys: keys, rateLimiter: new TokenBuckets(10_000, 10_000), signing });
const rules = new RulesHolder(RULES_DIR);
rules.load();
/** Express alone (the path of the requests the quote lane leaves to it). */
const expressOnly = createAppParts({ rules, logger: recordingLogger(), contract, today: () => '2026-11-26', apiKeys: keys, signing }).express;

const UPLOAD = '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30';
const CSV = 'transaction,date,channel,buyer,sku,quantity\nT1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,30\n';

function expectForbidden(res: request.Response, pointer?: string): void {
  expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(contractIssues('Problem', res.body)).toEqual([]);
  if (pointer !== undefined) expect(res.body.errors).toEqual([{ pointer, detail: 'this API key may not use this agreement', code: 'agreementNotGranted' }]);
}

describe('API keys limited to agreements and operations', () => {
  it('a key without limits may do everything, as before', async () => {
    const auth = { Authorization: `Bearer ${UNLIMITED}` };
    expect((await request(app).post('/v1/quotes').set(auth).send(exampleTwoRequest())).status).toBe(200);
    expect((await request(app).get('/v1/agreements/chamber-baiyikang').set(auth)).status).toBe(200);
    expect((await request(app).post(UPLOAD).set(auth).set('Content-Type', 'text/csv').send(CSV)).status).toBe(200);
  });

  it.each([
    ['the quote lane', app],
    ['Express', expressOnly],
  ])('a key limited to another agreement is refused a quote (403 naming /agreement) through %s', async (_path, served) => {
    const res = await request(served).post('/v1/quotes').set('X-Api-Key', OTHER_AGREEMENT).send(exampleTwoRequest());
    expectForbidden(res, '/agreement');
  });

  it('in a batch, each quote for an agreement the key may not use is a 403 in its slot', async () => {
    const other = { ...exampleTwoRequest(), agreement: 'other-agreement' };
    const res = await request(app).post('/v1/quotes:batch').set('X-Api-Key', CHAMBER_QUOTES).send({ quotes: [exampleTwoRequest(), other] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((slot: { status: number }) => slot.status)).toEqual([200, 403]);
    expect(res.body.results[1].problem).toMatchObject({ code: 'FORBIDDEN', errors: [{ pointer: '/agreement', code: 'agreementNotGranted' }] });
  });

  it('a key without the operation is refused before its body is read (403, on the lane and Express alike)', async () => {
    for (const served of [app, expressOnly]) {
      const res = await request(served).post('/v1/quotes').set('X-Api-Key', READ_ONLY).set('Content-Type', 'application/json').send('{not json');
      expectForbidden(res);
      expect(res.body.detail).toBe('This API key may not price quotes');
    }
    expectForbidden(await request(app).post(UPLOAD).set('X-Api-Key', CHAMBER_QUOTES).set('Content-Type', 'text/csv').send(CSV));
    expectForbidden(await request(app).get('/v1/agreements').set('X-Api-Key', CHAMBER_QUOTES));
    expect((await request(app).get('/v1/agreements').set('X-Api-Key', READ_ONLY)).status).toBe(200);
  });

  it('reading an agreement, settling an upload and settling JSON check the agreement named in the path, the query and the body', async () => {
    const auth = { 'X-Api-Key': OTHER_AGREEMENT };
    expectForbidden(await request(app).get('/v1/agreements/chamber-baiyikang').set(auth), '/path/agreement');
    expectForbidden(await request(app).get('/V1/Agreements/chamber-baiyikang/').set(auth), '/path/agreement');
    expectForbidden(await request(app).post(UPLOAD).set(auth).set('Content-Type', 'text/csv').send(CSV), '/query/agreement');
    expectForbidden(await request(app).post('/v1/settlements').set(auth).send(workedExampleRequest()), '/agreement');
    expectForbidden(await request(app).post('/v1/rulesets:diff').set(auth).send({ from: 'chamber-baiyikang/2026-01-01', to: '2027-01-01', orders: [] }), '/from');
    expectForbidden(await request(app).post('/v1/rulesets:diff').set(auth).send({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [] }), '/agreement');
    // without an agreement the diff would search them all
    expectForbidden(await request(app).post('/v1/rulesets:diff').set(auth).send({ from: '2026-01-01', to: '2027-01-01', orders: [] }));
  });

  it('lists only the agreements a key may use', async () => {
    const listed = async (key: string) => ((await request(app).get('/v1/agreements').set('X-Api-Key', key)).body.agreements as { agreement: string }[]).map((a) => a.agreement);
    expect(await listed(OTHER_AGREEMENT)).toEqual([]);
    expect(await listed(UNLIMITED)).toContain('chamber-baiyikang');
  });

  it('a key may verify a quote of its agreement, not of another', async () => {
    const quote = (await request(app).post('/v1/quotes').set('X-Api-Key', CHAMBER_QUOTES).send(exampleTwoRequest()).expect(200)).body;
    expect((await request(app).post('/v1/quotes:verify').set('X-Api-Key', CHAMBER_QUOTES).send(quote)).body).toMatchObject({ valid: true });
    expectForbidden(await request(app).post('/v1/quotes:verify').set('X-Api-Key', OTHER_AGREEMENT).send(quote), '/agreement');
  });
});

describe('a signed quote records who it was issued to', () => {
  it.each([
    ['a quote', '/v1/quotes', (body: Record<string, unknown>) => body],
    ['a quote of a batch', '/v1/quotes:batch', (body: { results: { quote: Record<string, unknown> }[] }) => body.results[0]!.quote],
  ] as const)('%s: issuedTo {keyId, partnerId}, signed with the rest, in the contract', async (_name, url, quoteOf) => {
    const body = url === '/v1/quotes' ? exampleTwoRequest() : { quotes: [exampleTwoRequest()] };
    const res = await request(app).post(url).set('X-Api-Key', CHAMBER_QUOTES).send(body).expect(200);
    const quote = (quoteOf as (body: unknown) => Record<string, unknown>)(res.body);
    expect(quote['issuedTo']).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{12}$/), partnerId: 'partner-b' });
    expect(contractIssues('SignedQuote', quote)).toEqual([]);
    expect(await verifyQuoteSignature(quote, signing.keys, new Date())).toMatchObject({ status: 'valid' });
    const reissued = { ...quote, issuedTo: { ...(quote['issuedTo'] as object), partnerId: 'partner-a' } };
    expect(await verifyQuoteSignature(reissued, signing.keys, new Date())).toMatchObject({ status: 'invalid' });
    // and :verify recomputes it as before: issuedTo is not a priced figure
    expect((await request(app).post('/v1/quotes:verify').set('X-Api-Key', CHAMBER_QUOTES).send(quote)).body).toMatchObject({ valid: true, recomputed: 'match' });
  });

  it('without keys there is no issuedTo', async () => {
    const res = await request(testApp()).post('/v1/quotes').send(exampleTwoRequest()).expect(200);
    expect(res.body).not.toHaveProperty('issuedTo');
  });
});
