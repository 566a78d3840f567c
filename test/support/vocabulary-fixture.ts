import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RULES_DIR } from './test-app';

/**
 * A rules directory holding one small agreement of a made-up trade (a stationery wholesaler
 * and schools) that uses the open vocabulary: declared buyer and order attributes, a coupon
 * list, its own pricing steps, an order-amount tier table, a fixed amount off the order, a
 * commission to the order's agent with a cap per order, and two refusals. Tests use it instead
 * of the bundled agreements, which rule authors may change.
 *
 * Catalog: P-1 pen 2.50 (writing), N-1 notebook 8.00 (paper), B-1 backpack 120.00 (bags).
 */
export function vocabularyFixture(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-vocabulary-'));
  cpSync(path.join(RULES_DIR, 'schema'), path.join(dir, 'schema'), { recursive: true });
  const version = path.join(dir, 'school-supplies/2026-01-01');
  mkdirSync(path.join(version, 'rules'), { recursive: true });
  writeFileSync(
    path.join(version, 'agreement.json'),
    JSON.stringify({
      agreement: 'school-supplies',
      effectiveFrom: '2026-01-01',
      title: { zh: '文具供货', en: 'School supplies' },
      parties: { supplier: { id: 'wholesaler', name: { zh: '批发商', en: 'Wholesaler' } }, agent: { id: 'agent', name: { zh: '代理', en: 'Agent' } } },
      timeZone: 'Asia/Shanghai',
      currency: 'CNY',
      rounding: { mode: 'half-up', scale: 2, at: 'line' },
      channels: [
        { id: 'school', business: true, label: { zh: '学校', en: 'School' } },
        { id: 'retail', business: false, label: { zh: '零售', en: 'Retail' } },
      ],
      catalog: [
        { sku: 'P-1', name: { zh: '笔', en: 'Pen' }, category: 'writing', listPrice: '2.50' },
        { sku: 'N-1', name: { zh: '本', en: 'Notebook' }, category: 'paper', listPrice: '8.00' },
        { sku: 'B-1', name: { zh: '书包', en: 'Backpack' }, category: 'bags', listPrice: '120.00' },
      ],
      attributes: {
        buyer: { publicSchool: { type: 'boolean' } },
        order: { agent: { type: 'string' }, region: { type: 'enum', values: ['north', 'south'] } },
      },
      coupons: [{ code: 'BACK2SCHOOL', label: { zh: '开学立减 30 元', en: '30.00 off for the new term' } }],
      pricingSteps: ['channel-price', 'volume', 'coupon'],
    }),
  );
  const rule = (id: string, conditions: unknown, event: unknown, extra: object = {}): void => {
    writeFileSync(path.join(version, 'rules', `${id}.json`), JSON.stringify({ id, clause: '1', label: { zh: id, en: id }, priority: 100, conditions, event, ...extra }));
  };
  const school = { fact: 'channel', operator: 'equal', value: 'school' };
  rule('public-school-price', { all: [school, { fact: 'buyer.publicSchool', operator: 'equal', value: true }] }, { type: 'price-factor', params: { factor: '0.90' } });
  rule(
    'order-volume',
    { all: [school] },
    { type: 'tiered-discount', params: { basis: 'order.amount', mode: 'graduated', tiers: [{ from: '0', to: '1000', rate: '0' }, { from: '1000', rate: '0.05' }] } },
    { step: 'volume' },
  );
  rule('back-to-school', { all: [school, { fact: 'order.coupon', operator: 'equal', value: 'BACK2SCHOOL' }] }, { type: 'fixed-amount-off', params: { amount: '30.00', per: 'order', minimum: { basis: 'order.amount', value: '500.00' } } }, { step: 'coupon' });
  rule('agent-commission', { all: [school] }, { type: 'commission', params: { rate: '0.10', payee: { attribute: 'order.agent' } } });
  rule('agent-cap', { all: [school] }, { type: 'commission-cap', params: { perOrder: '100.00', payee: { attribute: 'order.agent' } } });
  rule('minimum-order', { all: [school, { fact: 'order.totalQuantity', operator: 'decimalLessThan', value: 10 }] }, { type: 'refusal', params: { code: 'MINIMUM_ORDER' } });
  rule('backpack-limit', { all: [{ fact: 'line.sku', operator: 'equal', value: 'B-1' }, { fact: 'line.quantity', operator: 'decimalGreaterThan', value: 50 }] }, { type: 'refusal', params: { code: 'QUANTITY_LIMIT' } });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
