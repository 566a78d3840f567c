import fc from 'fast-check';
import request from 'supertest';
import { createAppParts } from '../../src/app';
import { RulesHolder } from '../../src/rules/rules-holder';
import { duplicateMemberIn, firstDuplicateMember } from '../../src/trust/duplicate-members';
import { workedExampleRequest } from '../support/settlement-fixtures';
import { RULES_DIR, contract, contractIssues, recordingLogger, testApp } from '../support/test-app';

const joined = testApp();
const rules = new RulesHolder(RULES_DIR);
rules.load();
/** Express alone: the path of the requests the quote lane leaves to it (chunked, compressed…). */
const expressOnly = createAppParts({ rules, logger: recordingLogger(), contract, today: () => '2026-11-26' }).express;

const QUOTE = '{"agreement":"chamber-baiyikang","channel":"group-buy","date":"2026-12-01","buyer":{"id":"ENT-001"},"lines":[{"sku":"BYK-L01","quantity":30,"quantity":1}]}';

function expectRepeated(res: request.Response, pointer: string): void {
  expect(res.status).toBe(400);
  expect(contractIssues('Problem', res.body)).toEqual([]);
  expect(res.body.code).toBe('VALIDATION_FAILED');
  expect(res.body.errors).toEqual([{ pointer, detail: 'this member name appears twice in its object', code: 'duplicateMember' }]);
}

describe('a body that names a member twice is refused (400 naming its pointer), not priced with the last value', () => {
  it.each([
    ['the quote lane', joined],
    ['Express', expressOnly],
  ])('POST /v1/quotes through %s', async (_path, app) => {
    const res = await request(app).post('/v1/quotes').set('Content-Type', 'application/json').send(QUOTE);
    expectRepeated(res, '/lines/0/quantity');
  });

  it.each([
    ['the quote lane', joined],
    ['Express', expressOnly],
  ])('POST /v1/quotes:batch through %s: the whole batch, the pointer from its root', async (_path, app) => {
    const res = await request(app).post('/v1/quotes:batch').set('Content-Type', 'application/json').send(`{"quotes":[${QUOTE.replace(',"quantity":1', '')},${QUOTE}]}`);
    expectRepeated(res, '/quotes/1/lines/0/quantity');
  });

  it('a member repeated at the top of a quote, whatever its spelling (\\u escapes are decoded)', async () => {
    const res = await request(joined).post('/v1/quotes').set('Content-Type', 'application/json').send(QUOTE.replace('"channel":"group-buy"', '"channel":"group-buy","ch\\u0061nnel":"chamber-supply"'));
    expectRepeated(res, '/channel');
  });

  it('still prices the same quote without the repetition', async () => {
    const res = await request(joined).post('/v1/quotes').set('Content-Type', 'application/json').send(QUOTE.replace(',"quantity":1', ''));
    expect(res.status).toBe(200);
    expect(res.body.lines[0].quantity).toBe(30);
  });

  it('a settlement whose body repeats "transactions" (the first list would be dropped)', async () => {
    const body = JSON.stringify(workedExampleRequest());
    const repeated = `${body.slice(0, -1)},"transactions":[]}`;
    const res = await request(joined).post('/v1/settlements').set('Content-Type', 'application/json').send(repeated);
    expectRepeated(res, '/transactions');
  });

  it('a diff whose order repeats a quantity', async () => {
    const res = await request(joined)
      .post('/v1/rulesets:diff')
      .set('Content-Type', 'application/json')
      .send('{"from":"2026-01-01","to":"2027-01-01","orders":[{"channel":"member-direct","buyer":{"id":"M-1","member":true},"lines":[{"sku":"BYK-M01","quantity":3,"quantity":1}]}]}');
    expectRepeated(res, '/orders/0/lines/0/quantity');
  });

  it('an NDJSON settlement row that repeats a field is a DUPLICATE_MEMBER problem of that row', async () => {
    const ndjson = [
      '{"transaction":"T1","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":30,"quantity":1,"unitPrice":"1094.80"}',
      '{"transaction":"T2","date":"2026-11-03","channel":"chamber-supply","buyer":"CHAMBER","sku":"BYK-H01","quantity":1,"unitPrice":"1094.80"}',
    ].join('\n');
    const res = await request(joined)
      .post('/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30')
      .set('Content-Type', 'application/x-ndjson')
      .send(ndjson);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/rows/1', code: 'DUPLICATE_MEMBER', detail: expect.stringContaining('/quantity') })]);
  });
});

describe('duplicateMemberIn (the fast path)', () => {
  it('agrees with firstDuplicateMember on any JSON, with or without a repeated name', () => {
    const member = fc.tuple(fc.constantFrom('a', 'b', '\\u0061', 'a"', 'c:d', '\\\\'), fc.jsonValue());
    // objects written by hand, so names may repeat; values may hold strings with colons and quotes
    const objectText: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc.array(member).map((members) => `{${members.map(([name, value]) => `"${name.replace(/"/g, '\\"')}" : ${JSON.stringify(value)}`).join(',')}}`),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'x'), tie('node'))).map((members) => `{ ${members.map(([name, text]) => `"${name}":${text}`).join(' , ')} }`),
        fc.array(tie('node')).map((items) => `[${items.join(',')}]`),
      ),
    })).node;
    fc.assert(
      fc.property(objectText, (json) => {
        const value: unknown = JSON.parse(json);
        expect(duplicateMemberIn(json, value)).toBe(firstDuplicateMember(json));
      }),
      { numRuns: 500 },
    );
  });

  it('counts members at any depth JSON.parse reads', () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    expect(duplicateMemberIn(deep, JSON.parse(deep))).toBeUndefined();
  });
});
