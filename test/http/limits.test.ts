import request from 'supertest';
import { MAX_LINES_PER_BATCH, checkBatchLines } from '../../src/http/quote-request';
import { listen, send } from '../support/raw-http';
import { contract, exampleTwoRequest, testApp } from '../support/test-app';

/** The limits as openapi.yaml states them, tested at the boundary over HTTP. */
const schemas = (contract.document['components'] as { schemas: Record<string, any> }).schemas;
const LIMITS = {
  linesPerQuote: schemas['QuoteRequest'].properties.lines.maxItems as number,
  quotesPerBatch: schemas['QuoteBatchRequest'].properties.quotes.maxItems as number,
  quantityMin: schemas['QuoteLineRequest'].properties.quantity.minimum as number,
  quantityMax: schemas['QuoteLineRequest'].properties.quantity.maximum as number,
  idLength: schemas['Id'].maxLength as number,
  decimalLength: schemas['Decimal'].maxLength as number,
};
const app = testApp();
const quote = (change: (q: any) => void = () => {}): any => {
  const q: any = exampleTwoRequest();
  change(q);
  return q;
};

describe('limits', () => {
  it('are the documented ones', () => {
    expect(LIMITS).toEqual({ linesPerQuote: 500, quotesPerBatch: 1000, quantityMin: 1, quantityMax: 1_000_000, idLength: 64, decimalLength: 40 });
    expect(contract.yamlText).toMatch(/request bodies up to 5 MB/);
    expect(MAX_LINES_PER_BATCH).toBe(10_000);
    expect(contract.yamlText).toMatch(/up to 1000 quotes per batch and 10000 lines in all its quotes/);
  });

  describe('lines per batch', () => {
    const fullQuote = quote((q) => (q.lines = Array.from({ length: 500 }, (_, i) => ({ sku: i % 2 === 0 ? 'BYK-L01' : 'BYK-H01', quantity: i + 1 }))));
    const atLimit = { quotes: Array.from({ length: MAX_LINES_PER_BATCH / 500 }, () => fullQuote) };

    it('accepts the limit and refuses one line more, before pricing anything', async () => {
      expect(() => checkBatchLines(atLimit)).not.toThrow();
      const over = await request(app).post('/v1/quotes:batch').send({ quotes: [...atLimit.quotes, quote((q) => (q.lines = [{ sku: 'BYK-L01', quantity: 1 }]))] });
      expect(over.status).toBe(400);
      expect(over.body.errors).toEqual([expect.objectContaining({ pointer: '/quotes', code: 'maxLinesPerBatch' })]);
    });

    it('answers other requests while it prices a big batch', async () => {
      const server = await listen(testApp());
      try {
        let batchDone = false;
        // 20 quotes of 500 lines: the batch lets other requests in between its quotes, so the
        // liveness probe sent just after it is answered before the batch (whatever the speed)
        const batch = send(server.port, { method: 'POST', path: '/v1/quotes:batch', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(atLimit) }, 60_000).then((res) => {
          batchDone = true;
          return res;
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
        const live = await send(server.port, { method: 'GET', path: '/livez' });
        expect(live.status).toBe(200);
        expect(batchDone).toBe(false);
        const res = await batch;
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).results.every((r: { status: number }) => r.status === 200)).toBe(true);
      } finally {
        await server.close();
      }
    });
  });

  it.each([
    ['lines per quote', (n: number) => quote((q) => (q.lines = Array.from({ length: n }, () => ({ sku: 'BYK-L01', quantity: 1 })))), LIMITS.linesPerQuote, '/lines'],
    ['quantity', (n: number) => quote((q) => (q.lines[0].quantity = n)), LIMITS.quantityMax, '/lines/0/quantity'],
    ['buyer id length', (n: number) => quote((q) => (q.buyer.id = 'B'.repeat(n))), LIMITS.idLength, '/buyer/id'],
  ])('%s: the limit is accepted, one more is a 400 naming the field', async (_name, build, limit, pointer) => {
    expect((await request(app).post('/v1/quotes').send(build(limit))).status).toBe(200);
    const over = await request(app).post('/v1/quotes').send(build(limit + 1));
    expect(over.status).toBe(400);
    expect(over.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it.each([0, -1, 1.5, 1e21])('refuses quantity %p', async (quantity) => {
    expect((await request(app).post('/v1/quotes').send(quote((q) => (q.lines[0].quantity = quantity)))).status).toBe(400);
  });

  it('quotes per batch: the limit is priced, one more is a 400', async () => {
    const small = quote((q) => (q.lines = [{ sku: 'BYK-L01', quantity: 1 }]));
    const ok = await request(app).post('/v1/quotes:batch').send({ quotes: Array.from({ length: LIMITS.quotesPerBatch }, () => small) });
    expect(ok.status).toBe(200);
    expect(ok.body.results).toHaveLength(LIMITS.quotesPerBatch);
    const over = await request(app).post('/v1/quotes:batch').send({ quotes: Array.from({ length: LIMITS.quotesPerBatch + 1 }, () => small) });
    expect(over.status).toBe(400);
    expect(over.body.errors[0].pointer).toBe('/quotes');
  });

  it('body size: 5 MB is read, one byte more is a 413', async () => {
    const limit = 5 * 1024 * 1024;
    const padded = (size: number): string => {
      const text = JSON.stringify(quote());
      return `${text.slice(0, -1)}${' '.repeat(size - text.length)}}`;
    };
    const atLimit = await request(app).post('/v1/quotes').set('Content-Type', 'application/json').send(padded(limit));
    expect(atLimit.status).toBe(200);
    const over = await request(app).post('/v1/quotes').set('Content-Type', 'application/json').send(padded(limit + 1));
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
