import request from 'supertest';
import { contract } from '../support/test-app';
import { MEMBER_DIRECT_2026, trustApp } from '../support/trust-app';

/** :verify refuses what it cannot judge safely (too deep) and never echoes an unbounded value. */
describe('POST /v1/quotes:verify limits', () => {
  const { app } = trustApp();

  async function issued(): Promise<Record<string, any>> {
    return (await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2026).expect(200)).body;
  }

  it.each([
    ['an array', (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`],
    ['an object', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
  ])('answers 400 naming the pointer when a member nests %s 100,000 deep, not 500', async (_what, nested) => {
    const quote = await issued();
    const text = JSON.stringify({ ...quote, totals: '__DEEP__' }).replace('"__DEEP__"', nested(100_000));
    const res = await request(app).post('/v1/quotes:verify').set('Content-Type', 'application/json').send(text);
    expect(res.status).toBe(400);
    expect(contract.validate('Problem', res.body)).toEqual([]);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ code: 'maxDepth' }] });
    expect(res.body.errors[0].pointer).toMatch(/^\/totals(\/(0|a))+$/);
    // Express routes paths case-insensitively, with a trailing slash: the check holds there too
    for (const path of ['/V1/QUOTES:VERIFY', '/v1/quotes:verify/?x=1']) {
      expect((await request(app).post(path).set('Content-Type', 'application/json').send(text)).status).toBe(400);
    }
  });

  it('judges a document nested as deep as the limit', async () => {
    const quote = await issued();
    const text = JSON.stringify({ ...quote, extra: '__DEEP__' }).replace('"__DEEP__"', `${'['.repeat(31)}1${']'.repeat(31)}`);
    const res = await request(app).post('/v1/quotes:verify').set('Content-Type', 'application/json').send(text).expect(200);
    expect(res.body).toMatchObject({ recomputed: 'mismatch', differences: [{ path: '/extra' }] });
  });

  it('truncates the values it echoes: a differing member of 1 MB comes back short', async () => {
    const quote = await issued();
    const huge = 'x'.repeat(1_000_000);
    const res = await request(app).post('/v1/quotes:verify').send({ ...quote, quoteId: huge, totals: { ...quote.totals, net: huge }, note: { long: [huge, huge] } }).expect(200);
    expect(contract.validate('QuoteVerification', res.body)).toEqual([]);
    expect(res.text.length).toBeLessThan(5_000);
    const net = res.body.differences.find((d: { path: string }) => d.path === '/totals/net');
    expect(net).toMatchObject({ recomputed: quote.totals.net, truncated: true });
    expect(net.quoted).toMatch(/^x{100,}…$/);
    expect(res.body.differences.find((d: { path: string }) => d.path === '/note')).toMatchObject({ truncated: true });
    expect(typeof res.body.quoteId === 'string' && res.body.quoteId.length).toBeLessThan(300);
  });
});
