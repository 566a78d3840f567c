import request from 'supertest';
import { testApp } from '../support/test-app';

// Issue 12 item 12: a quote with a contract fault and a fault of the agreement's (an unknown SKU
// on another line) hears about both in one answer, not one round after the other.
const app = testApp();

describe('every problem of a quote in one answer', () => {
  it('lists the contract fault and the unknown SKU together', async () => {
    const res = await request(app)
      .post('/v1/quotes')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ agreement: 'chamber-baiyikang', channel: 'group-buy', date: '2026-12-01', buyer: { id: 'ENT-001' }, lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }, { sku: 'BYK-L01', quantity: 0 }] }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code])).toEqual([
      ['/lines/1/quantity', 'minimum'],
      ['/lines/0/sku', 'UNKNOWN_SKU'],
    ]);
  });

  it('does not report again a field the contract already named', async () => {
    const res = await request(app)
      .post('/v1/quotes')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ agreement: 'chamber-baiyikang', channel: 'group-buy', date: '2026-12-01', buyer: { id: 'ENT-001' }, lines: [{ sku: 42, quantity: 1 }] }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/lines/0/sku']);
  });
});
