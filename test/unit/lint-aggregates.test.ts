import { lintRulesDir } from '../../src/rules/lint-rules-dir';
import { copyRules } from '../support/rules-fixture';

const V2026 = 'chamber-baiyikang/2026-01-01/rules';

const newRule = (id: string, conditions: unknown): string =>
  JSON.stringify({ id, clause: 'test', label: { zh: id, en: id }, priority: 50, conditions, event: { type: 'percentage-discount', params: { rate: '0.01' } } });

async function errorsOf(conditions: unknown): Promise<string[]> {
  const rules = copyRules();
  try {
    rules.write(`${V2026}/bundle-bonus.json`, newRule('bundle-bonus', conditions));
    const report = await lintRulesDir(rules.dir);
    return report.errors.filter((problem) => problem.ruleId === 'bundle-bonus').map((problem) => problem.reason);
  } finally {
    rules.cleanup();
  }
}

describe('rules lint: rules that read order aggregates (parameterised facts)', () => {
  it('a bundle condition that orders can meet passes', async () => {
    const bundle = { all: [{ fact: 'order.distinctSkus', params: { category: 'premium', minQuantity: 10 }, operator: 'decimalGreaterThanInclusive', value: 2 }, { fact: 'channel', operator: 'equal', value: 'group-buy' }] };
    expect(await errorsOf(bundle)).toEqual([]);
  });

  it('a bundle condition that contradicts itself is refused as never firing', async () => {
    const contradiction = {
      all: [
        { fact: 'order.skuQuantity', params: { sku: 'BYK-H01' }, operator: 'decimalGreaterThan', value: 10 },
        { fact: 'order.skuQuantity', params: { sku: 'BYK-H01' }, operator: 'decimalLessThan', value: 5 },
      ],
    };
    expect(await errorsOf(contradiction)).toEqual([expect.stringContaining('can never fire')]);
  });
});
