import request from 'supertest';
import { createApp, type App } from '../../src/app';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RulesHolder } from '../../src/rules/rules-holder';
import { contract, contractIssues, recordingLogger } from '../support/test-app';
import { vocabularyFixture } from '../support/vocabulary-fixture';

// The open vocabulary over HTTP, on a made-up agreement (test/support/vocabulary-fixture.ts):
// declared attributes, coupons, order-level amounts, a capped commission to an order's agent,
// refusals. Every figure below is worked by hand in the comments.
let fixture: ReturnType<typeof vocabularyFixture>;
let app: App;

beforeAll(() => {
  fixture = vocabularyFixture();
  const rules = new RulesHolder(fixture.dir, (dir) => RuleCatalog.load(dir, { lock: 'ignore' }));
  const loaded = rules.load();
  if (!loaded.ok) throw new Error(JSON.stringify(loaded));
  app = createApp({ rules, logger: recordingLogger(), contract, today: () => '2026-09-01' });
});
afterAll(() => fixture.cleanup());

const order = (overrides: object = {}): object => ({
  agreement: 'school-supplies',
  channel: 'school',
  date: '2026-09-01',
  buyer: { id: 'SCHOOL-1', publicSchool: true },
  attributes: { agent: 'AG-7', region: 'north' },
  coupon: 'BACK2SCHOOL',
  lines: [
    { sku: 'P-1', quantity: 200 },
    { sku: 'B-1', quantity: 10 },
  ],
  ...overrides,
});

const post = (body: object) => request(app).post('/v1/quotes?sign=false').set('Content-Type', 'application/json').send(JSON.stringify(body));

describe('quotes under an agreement that declares its own vocabulary', () => {
  it('prices channel price → graduated order discount → coupon → capped commission, every share allocated', async () => {
    const res = await post(order());
    expect(res.status).toBe(200);
    expect(contractIssues('Quote', res.body)).toEqual([]);
    // 0.90 × list: pens 200 × 2.25 = 450.00, backpacks 10 × 108.00 = 1080.00 (1530.00)
    // volume: (1530.00 − 1000.00) × 5 % = 26.50 → 7.79 and 18.71 (450 : 1080)
    // coupon: 1503.50 ≥ 500.00, 30.00 → 8.82 and 21.18 (442.21 : 1061.29)
    // commission 10 %: 43.34 + 104.01 = 147.35 > 100.00 → 29.41 and 70.59 (43.34 : 104.01)
    expect(res.body.lines).toEqual([
      expect.objectContaining({
        sku: 'P-1',
        unitPrice: '2.25',
        amount: '433.39',
        commission: '29.41',
        adjustments: [
          { ruleId: 'public-school-price', effect: 'price', base: '500.00', rate: '0.9', amount: '-50.00' },
          { ruleId: 'order-volume', effect: 'price', base: '450.00', rate: '0.05', amount: '-7.79' },
          { ruleId: 'back-to-school', effect: 'price', base: '442.21', rate: '30', amount: '-8.82' },
          { ruleId: 'agent-commission', effect: 'commission', base: '433.39', rate: '0.1', amount: '43.34', payee: 'AG-7' },
          { ruleId: 'agent-cap', effect: 'commission', base: '43.34', rate: '100', amount: '-13.93', payee: 'AG-7' },
        ],
      }),
      expect.objectContaining({ sku: 'B-1', unitPrice: '108.00', amount: '1040.11', commission: '70.59' }),
    ]);
    expect(res.body.totals).toMatchObject({ list: '1700.00', net: '1473.50', discount: '226.50', commission: '100.00' });
    expect(res.body.coupon).toEqual({ code: 'BACK2SCHOOL', applied: true });
    expect(res.body.buyer).toEqual({ id: 'SCHOOL-1', publicSchool: true });
    expect(res.body.attributes).toEqual({ agent: 'AG-7', region: 'north' });
  });

  it('a known coupon whose minimum is not reached is no error: priced without it, the quote says why', async () => {
    const res = await post(order({ lines: [{ sku: 'N-1', quantity: 20 }] }));
    expect(res.status).toBe(200);
    // 20 × 8.00 × 0.90 = 144.00 < 500.00
    expect(res.body.totals.net).toBe('144.00');
    expect(res.body.coupon).toEqual({ code: 'BACK2SCHOOL', applied: false, reasons: [{ ruleId: 'back-to-school', reason: 'below-minimum', detail: 'order.amount 144.00 is below the minimum 500.00' }] });
  });

  it('a coupon whose conditions fail says which condition', async () => {
    const res = await post(order({ channel: 'retail', lines: [{ sku: 'B-1', quantity: 10 }] }));
    expect(res.status).toBe(200);
    expect(res.body.coupon).toMatchObject({ applied: false, reasons: [{ ruleId: 'back-to-school', reason: 'condition-failed', detail: expect.stringContaining('channel is "retail"') }] });
  });

  it('an unknown coupon is a 422 UNKNOWN_COUPON naming /coupon', async () => {
    const res = await post(order({ coupon: 'FREE-STUFF' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_COUPON', errors: [{ pointer: '/coupon', code: 'UNKNOWN_COUPON' }] });
  });

  it('an undeclared attribute or a wrong type is a 400 naming each field', async () => {
    const res = await post(order({ buyer: { id: 'S', publicSchool: 'yes', vip: true }, attributes: { agent: 'AG-7', region: 'east' } }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_ATTRIBUTE');
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/attributes/region', '/buyer/publicSchool', '/buyer/vip']);
  });

  it('refuses an order with every breach listed: 422 ORDER_REFUSED, one breach per rule with its lines', async () => {
    const res = await post(order({ lines: [{ sku: 'B-1', quantity: 51 }] }));
    expect(res.status).toBe(422);
    expect(contractIssues('Problem', res.body)).toEqual([]);
    expect(res.body.code).toBe('ORDER_REFUSED');
    expect(res.body.breaches).toEqual([{ code: 'QUANTITY_LIMIT', ruleId: 'backpack-limit', clause: '1', label: { zh: 'backpack-limit', en: 'backpack-limit' }, lines: [0] }]);
    const both = await post(order({ lines: [{ sku: 'B-1', quantity: 51 }, { sku: 'B-1', quantity: 60 }] }));
    expect(both.body.breaches).toEqual([expect.objectContaining({ code: 'QUANTITY_LIMIT', lines: [0, 1] })]);
    const small = await post(order({ lines: [{ sku: 'P-1', quantity: 9 }] }));
    expect(small.body.breaches).toEqual([expect.objectContaining({ code: 'MINIMUM_ORDER', lines: [0] })]);
  });

  it('GET /v1/agreements/{id} shows the declarations a caller needs', async () => {
    const res = await request(app).get('/v1/agreements/school-supplies?date=2026-09-01');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: 'Asia/Shanghai',
      attributes: { buyer: { publicSchool: { type: 'boolean' } }, order: { agent: { type: 'string' }, region: { type: 'enum', values: ['north', 'south'] } } },
      coupons: [{ code: 'BACK2SCHOOL' }],
      pricingSteps: ['channel-price', 'volume', 'coupon'],
    });
  });
});
