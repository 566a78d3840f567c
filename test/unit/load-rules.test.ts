import { loadRules } from '../../src/rules/load-rules';
import { RulesetError, type RuleProblem } from '../../src/rules/ruleset-error';
import { RulesHolder } from '../../src/rules/rules-holder';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { RULES_DIR } from '../support/test-app';

const R = `${VERSION_DIR}/rules`;

function problemsOf(setup: (rules: ReturnType<typeof copyRules>) => void): RuleProblem[] {
  const rules = copyRules();
  try {
    setup(rules);
    loadRules(rules.dir);
  } catch (error) {
    if (error instanceof RulesetError) return [...error.problems];
    throw error;
  } finally {
    rules.cleanup();
  }
  return [];
}

describe('loading the bundled rules', () => {
  it('loads the agreement with its catalog, channels and rules', () => {
    const loaded = loadRules(RULES_DIR);
    const [version] = loaded.agreements.get('chamber-baiyikang')!;
    expect(version!.version.catalog.get('BYK-L02')!.listPrice.toFixed(2)).toBe('39.90');
    expect([...version!.version.channels.keys()]).toEqual(['chamber-supply', 'member-direct', 'group-buy', 'other']);
    expect(version!.version.rules.map((r) => r.id)).toEqual([
      'supply-price',
      'group-buy-tiers',
      'member-discount',
      'lowest-price-floor',
      'member-direct-needs-card',
      'chamber-commission',
      'key-account-rebate',
      'premium-gifts',
      'price-guarantee',
      'rebate-settlement-tiers',
    ]);
  });

  it('versions a rule set by the content of its files', () => {
    const rules = copyRules();
    try {
      const before = loadRules(rules.dir).agreements.get('chamber-baiyikang')![0]!.version.rulesetVersion;
      expect(loadRules(rules.dir).agreements.get('chamber-baiyikang')![0]!.version.rulesetVersion).toBe(before);
      rules.edit(`${R}/chamber-commission.json`, (json) => {
        json.event.params.rate = '0.12';
      });
      expect(loadRules(rules.dir).agreements.get('chamber-baiyikang')![0]!.version.rulesetVersion).not.toBe(before);
    } finally {
      rules.cleanup();
    }
  });
});

describe('a bad rule file is refused with the file, the rule and the reason', () => {
  const cases: [string, (rules: ReturnType<typeof copyRules>) => void, { file?: string; ruleId?: string; reason: RegExp }][] = [
    ['an unknown field', (r) => r.edit(`${R}/chamber-commission.json`, (j) => void (j.discount = 1)), { file: `${R}/chamber-commission.json`, ruleId: 'chamber-commission', reason: /unknown field "discount"/ }],
    [
      "json-rules-engine's text-comparing greaterThan",
      (r) => r.edit(`${R}/chamber-commission.json`, (j) => void j.conditions.all.push({ fact: 'line.listPrice', operator: 'greaterThanInclusive', value: '1000.00' })),
      { ruleId: 'chamber-commission', reason: /greaterThanInclusive compares decimal strings as text.*use decimalGreaterThanInclusive/ },
    ],
    ['a rate that is not a decimal string', (r) => r.edit(`${R}/chamber-commission.json`, (j) => void (j.event.params.rate = 0.1)), { ruleId: 'chamber-commission', reason: /rate: must be string/ }],
    ['a rate above 1', (r) => r.edit(`${R}/chamber-commission.json`, (j) => void (j.event.params.rate = '1.5')), { ruleId: 'chamber-commission', reason: /rate: must be a rate or factor from 0 to 1/ }],
    ['an unknown action type', (r) => r.edit(`${R}/chamber-commission.json`, (j) => void (j.event.type = 'bonus')), { ruleId: 'chamber-commission', reason: /event\/type/ }],
    [
      'overlapping tiers',
      (r) => r.edit(`${R}/group-buy-tiers.json`, (j) => void (j.event.params.tiers[2].from = '40')),
      { ruleId: 'group-buy-tiers', reason: /tier 2 and tier 3 overlap/ },
    ],
    ['a gap between tiers', (r) => r.edit(`${R}/group-buy-tiers.json`, (j) => void (j.event.params.tiers[2].from = '60')), { ruleId: 'group-buy-tiers', reason: /gap between tier 2 and tier 3/ }],
    ['a decimal fact compared with equal', (r) => r.edit(`${R}/premium-gifts.json`, (j) => void j.conditions.all.push({ fact: 'line.quantity', operator: 'equal', value: 20 })), { ruleId: 'premium-gifts', reason: /decimal operator/ }],
    ['a channel the agreement does not have', (r) => r.edit(`${R}/supply-price.json`, (j) => void (j.conditions.all[0].value = 'chamber-suply')), { ruleId: 'supply-price', reason: /"chamber-suply" does not exist/ }],
    ['a boolean fact compared with a string', (r) => r.edit(`${R}/member-discount.json`, (j) => void (j.conditions.all[0].value = 'true')), { ruleId: 'member-discount', reason: /must be a boolean/ }],
    ['a file named after another rule', (r) => r.edit(`${R}/supply-price.json`, (j) => void (j.id = 'supply-price-2')), { ruleId: 'supply-price-2', reason: /must be named supply-price-2.json/ }],
    ['invalid JSON', (r) => r.write(`${R}/supply-price.json`, '{ "id": "supply-price", '), { file: `${R}/supply-price.json`, reason: /is not valid JSON/ }],
    ['exclusivity on a commission', (r) => r.edit(`${R}/chamber-commission.json`, (j) => void (j.exclusivity = { group: 'x', policy: 'best-for-buyer' })), { ruleId: 'chamber-commission', reason: /exclusivity applies to price steps only/ }],
    ['a list price with one decimal', (r) => r.edit(`${VERSION_DIR}/agreement.json`, (j) => void (j.catalog[0].listPrice = '1288.0')), { file: `${VERSION_DIR}/agreement.json`, reason: /listPrice/ }],
    ['a SKU listed twice', (r) => r.edit(`${VERSION_DIR}/agreement.json`, (j) => void j.catalog.push(j.catalog[0])), { reason: /SKU BYK-H01 is listed twice/ }],
  ];

  it.each(cases)('%s', (_name, setup, expected) => {
    const problems = problemsOf(setup);
    const { reason, ...rest } = expected;
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ ...rest, reason: expect.stringMatching(reason) })]));
  });

  it('lists every problem, not just the first', () => {
    const problems = problemsOf((r) => {
      r.edit(`${R}/chamber-commission.json`, (j) => void (j.event.params.rate = '2'));
      r.edit(`${R}/supply-price.json`, (j) => void (j.priority = 0));
    });
    expect(new Set(problems.map((p) => p.ruleId))).toEqual(new Set(['chamber-commission', 'supply-price']));
  });
});

describe('RulesHolder keeps serving the last good rules', () => {
  it('keeps the old catalog and reports the failure when a reload is refused', () => {
    const rules = copyRules();
    try {
      const holder = new RulesHolder(rules.dir);
      expect(holder.load().ok).toBe(true);
      const good = holder.current();
      rules.write(`${R}/supply-price.json`, 'not json');
      const result = holder.load();
      expect(result.ok).toBe(false);
      expect(holder.current()).toBe(good);
      expect(holder.status()).toMatchObject({ ready: true, lastError: { problems: [expect.objectContaining({ file: `${R}/supply-price.json` })] } });
    } finally {
      rules.cleanup();
    }
  });

  it('selects the version in force by date and refuses dates before the first', () => {
    const catalog = RuleCatalog.load(RULES_DIR);
    expect(catalog.versionOn('chamber-baiyikang', '2026-01-01').version.effectiveFrom).toBe('2026-01-01');
    expect(() => catalog.versionOn('chamber-baiyikang', '2025-12-31')).toThrow(expect.objectContaining({ code: 'NO_RULESET_IN_FORCE' }));
    expect(() => catalog.versionOn('acme', '2026-01-01')).toThrow(expect.objectContaining({ code: 'UNKNOWN_AGREEMENT' }));
  });
});
