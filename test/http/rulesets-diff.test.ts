import request from 'supertest';
import { MAX_LINES_PER_DIFF } from '../../src/http/routes/rulesets';
import { contract, contractIssues, testApp } from '../support/test-app';

const app = testApp();
const T3 = { id: 'T3', channel: 'member-direct', date: '2026-11-12', buyer: { id: 'M-007', member: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] };
const T4 = { id: 'T4', channel: 'group-buy', date: '2026-11-20', buyer: { id: 'ENT-020', member: true }, lines: [{ sku: 'BYK-M02', quantity: 30 }] };

function diff(body: unknown): request.Test {
  return request(app).post('/v1/rulesets:diff').send(body as object);
}

describe('POST /v1/rulesets:diff', () => {
  it('prices the orders under both versions: per order, per SKU, totals, and the rules changed', async () => {
    const res = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [T3, T4] }).expect(200);
    expect(contractIssues('RulesetDiff', res.body)).toEqual([]);
    // T3: 3 × 298.00: 0.95 → 849.30, 0.92 → 822.48. T4: 30 × 458.00: 0.95 (beats the 3 % tier) → 13053.00, 0.92 → 12640.80
    expect(res.body.orders).toEqual([
      { id: 'T3', from: { net: '849.30', commission: '84.93', rebate: '0.00' }, to: { net: '822.48', commission: '82.25', rebate: '0.00' }, change: { net: '-26.82', commission: '-2.68', rebate: '0.00' } },
      { id: 'T4', from: { net: '13053.00', commission: '1305.30', rebate: '0.00' }, to: { net: '12640.80', commission: '1264.08', rebate: '0.00' }, change: { net: '-412.20', commission: '-41.22', rebate: '0.00' } },
    ]);
    expect(res.body.skus.map((s: { sku: string; quantity: number }) => [s.sku, s.quantity])).toEqual([['BYK-M01', 3], ['BYK-M02', 30]]);
    expect(res.body.totals).toEqual({ orders: 2, failed: 0, from: { net: '13902.30', commission: '1390.23', rebate: '0.00' }, to: { net: '13463.28', commission: '1346.33', rebate: '0.00' }, change: { net: '-439.02', commission: '-43.90', rebate: '0.00' } });
    expect(res.body.rules.changed.map((r: { ruleId: string }) => r.ruleId)).toEqual(['member-discount']);
    expect(res.body.terms).toEqual([]);
  });

  it('takes versions by rulesetVersion hash too, and reports a reversed diff with the opposite change', async () => {
    const agreements = (await request(app).get('/v1/agreements').expect(200)).body.agreements as { agreement: string; versions: { effectiveFrom: string; rulesetVersion: string }[] }[];
    const v2027 = agreements.find((a) => a.agreement === 'chamber-baiyikang')!.versions.find((v) => v.effectiveFrom === '2027-01-01')!;
    const res = await diff({ from: v2027.rulesetVersion, to: 'chamber-baiyikang/2026-01-01', orders: [T3] }).expect(200);
    expect(res.body.totals.change).toEqual({ net: '26.82', commission: '2.68', rebate: '0.00' });
  });

  it('reports an order that one version cannot price, and leaves it out of the sums', async () => {
    const res = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [T3, { ...T4, id: 'X', lines: [{ sku: 'BYK-X99', quantity: 1 }] }] }).expect(200);
    expect(contractIssues('RulesetDiff', res.body)).toEqual([]);
    expect(res.body.orders[1]).toEqual({ id: 'X', error: { from: { code: 'UNKNOWN_SKU', detail: expect.any(String) }, to: { code: 'UNKNOWN_SKU', detail: expect.any(String) } } });
    expect(res.body.totals).toMatchObject({ orders: 2, failed: 1, change: { net: '-26.82' } });
  });

  it('refuses unknown versions with 422 and bad bodies with 400, never a 500', async () => {
    const unknown = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2031-01-01', orders: [T3] }).expect(422);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_RULESET_VERSION', errors: [{ pointer: '/to' }] });
    expect((await diff({ from: '2026-01-01', to: '2027-01-01', orders: {} }).expect(400)).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await diff({ from: '2026-01-01', to: '2027-01-01', orders: [{ ...T3, lines: [{ sku: 'BYK-M01', quantity: -1 }] }] }).expect(400)).body.errors[0].pointer).toBe('/orders/0/lines/0/quantity');
    expect((await diff({ agreement: 'nope', from: '2026-01-01', to: '2027-01-01', orders: [T3] }).expect(422)).body).toMatchObject({ code: 'UNKNOWN_RULESET_VERSION' });
  });
});

describe('POST /v1/rulesets:diff limits', () => {
  const fullOrder = { ...T3, lines: Array.from({ length: 500 }, (_, i) => ({ sku: i % 2 === 0 ? 'BYK-M01' : 'BYK-M02', quantity: i + 1 })) };
  const atLimit = Array.from({ length: MAX_LINES_PER_DIFF / 500 }, (_, i) => ({ ...fullOrder, id: `O${i}` }));

  it('are stated in openapi.yaml', () => {
    expect(MAX_LINES_PER_DIFF).toBe(10_000);
    expect(contract.yamlText).toMatch(/up to 1000 orders per ruleset diff and 10000 lines in all its orders/);
  });

  it('prices the most lines allowed and refuses one line more with 400 naming /orders, before pricing anything', async () => {
    const ok = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: atLimit }).expect(200);
    expect(ok.body.totals).toMatchObject({ orders: 20, failed: 0 });
    const over = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [...atLimit, { ...T3, id: 'one-more' }] }).expect(400);
    expect(contractIssues('Problem', over.body)).toEqual([]);
    expect(over.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: '/orders', code: 'maxLinesPerDiff' }] });
  });

  it('with no orders reports the rule and term changes alone (the console tells them in words)', async () => {
    const res = await diff({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [] }).expect(200);
    expect(contractIssues('RulesetDiff', res.body)).toEqual([]);
    expect(res.body.rules.changed.map((r: { ruleId: string }) => r.ruleId)).toEqual(['member-discount']);
    expect(res.body.rules.changed[0].changes).toContainEqual({ path: '/event/params/rate', from: '0.05', to: '0.08' });
    expect(res.body).toMatchObject({ orders: [], skus: [], totals: { orders: 0, failed: 0, change: { net: '0.00', commission: '0.00', rebate: '0.00' } } });
  });
});
