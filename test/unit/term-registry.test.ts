import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Dec } from '../../src/domain/money';
import { TERMS } from '../../src/domain/terms/registry';
import type { PriceTerm } from '../../src/domain/terms/term';
import { calculateQuote } from '../../src/rules/calculate-quote';
import { loadRules } from '../../src/rules/load-rules';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RulesetError } from '../../src/rules/ruleset-error';
import { RULES_DIR } from '../support/test-app';

// A term type no agreement has: the unit price rounded down to a whole multiple of `step`
// (a "price point" term). One module — this object — and one registry line (TERMS.with).
interface PricePoint {
  readonly type: 'price-point';
  readonly step: Dec;
}

const pricePoint: PriceTerm<PricePoint> = {
  type: 'price-point',
  stage: 'price',
  defaultStep: 'price-point',
  summary: { zh: '价格尾数取整', en: 'Price point: the unit price rounded down to a multiple of step' },
  paramsSchema: { type: 'object', additionalProperties: false, required: ['step'], properties: { step: { $ref: 'rule.schema.json#/$defs/nonNegativeDecimal' } } },
  parse: (params) => ({ type: 'price-point', step: new Dec(params['step'] as string) }),
  rateText: (action) => action.step.toFixed(),
  dependsOn: () => [],
  outcomes: (action, lines) =>
    lines.map((line) => ({ kind: 'unit-price', unitPrice: line.unitPrice.div(action.step).floor().times(action.step), rate: action.step.toFixed() })),
};

const AGREEMENT = {
  agreement: 'fixture-shop',
  effectiveFrom: '2026-01-01',
  title: { zh: '测试', en: 'Fixture shop' },
  parties: { supplier: { id: 's', name: { zh: '供', en: 'Supplier' } }, partner: { id: 'p', name: { zh: '商', en: 'Partner' } } },
  currency: 'CNY',
  rounding: { mode: 'half-up', scale: 2, at: 'line' },
  channels: [{ id: 'shop', business: true, label: { zh: '店', en: 'Shop' } }],
  catalog: [{ sku: 'S-1', name: { zh: '物', en: 'Thing' }, category: 'things', listPrice: '19.99' }],
  pricingSteps: ['channel-price', 'price-point'],
};

const rule = (id: string, event: object): object => ({ id, clause: '1', label: { zh: id, en: id }, priority: 100, conditions: { all: [{ fact: 'channel', operator: 'equal', value: 'shop' }] }, event });

describe('a new term type is one module and one registry line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'suanpan-terms-'));
    mkdirSync(path.join(dir, 'fixture-shop/2026-01-01/rules'), { recursive: true });
    cpSync(path.join(RULES_DIR, 'schema'), path.join(dir, 'schema'), { recursive: true });
    writeFileSync(path.join(dir, 'fixture-shop/2026-01-01/agreement.json'), JSON.stringify(AGREEMENT));
    writeFileSync(path.join(dir, 'fixture-shop/2026-01-01/rules/shop-price.json'), JSON.stringify(rule('shop-price', { type: 'price-factor', params: { factor: '0.9' } })));
    writeFileSync(path.join(dir, 'fixture-shop/2026-01-01/rules/price-points.json'), JSON.stringify(rule('price-points', { type: 'price-point', params: { step: '0.50' } })));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads and prices rules of the new type once it is registered', async () => {
    const catalog = RuleCatalog.fromLoaded(loadRules(dir, { lock: 'ignore', terms: TERMS.with(pricePoint) }));
    const quote = await calculateQuote(catalog, { agreement: 'fixture-shop', channel: 'shop', date: '2026-03-01', buyer: { id: 'B' }, lines: [{ sku: 'S-1', quantity: 3 }] });
    // 19.99 × 0.9 = 17.991, 3 × 17.991 = 53.973 → 53.97 (−6.00 off 59.97); price point 17.50, 3 × 17.50 = 52.50 (−1.47)
    expect(quote.lines[0]).toMatchObject({
      unitPrice: '17.50',
      amount: '52.50',
      adjustments: [
        { ruleId: 'shop-price', effect: 'price', base: '59.97', rate: '0.9', amount: '-6.00' },
        { ruleId: 'price-points', effect: 'price', base: '53.97', rate: '0.5', amount: '-1.47' },
      ],
    });
  });

  it('is refused, naming the file and the rule, while it is not registered', () => {
    let thrown: unknown;
    try {
      loadRules(dir, { lock: 'ignore' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RulesetError);
    expect((thrown as RulesetError).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: 'fixture-shop/2026-01-01/rules/price-points.json', ruleId: 'price-points', reason: expect.stringContaining('/event/type') })]),
    );
  });
});
