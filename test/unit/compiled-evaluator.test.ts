import path from 'node:path';
import type { PricingRule } from '../../src/domain/agreement';
import { BUILT_IN_FACTS, type Facts } from '../../src/domain/line-facts';
import { commission } from '../../src/domain/terms/commission';
import { CompiledEvaluator } from '../../src/rules/compiled-evaluator';
import { JsonRulesEngineEvaluator } from '../../src/rules/json-rules-engine-evaluator';
import { loadRules } from '../../src/rules/load-rules';
import { RuleCatalog, evaluatorKindFromEnv } from '../../src/rules/rule-catalog';
import type { ConditionJson, RuleJson } from '../../src/rules/rule-json';
import { RulesetError } from '../../src/rules/ruleset-error';

function rule(id: string, conditions: unknown): RuleJson {
  return { id, clause: 'test', label: { zh: '测试', en: 'test' }, priority: 1, conditions: conditions as ConditionJson, event: { type: 'commission', params: { rate: '0.10' } } };
}

function pricingRule(json: RuleJson): PricingRule {
  return { id: json.id, clause: json.clause, label: json.label, priority: json.priority, action: commission.parse({ rate: '0.10' }), term: commission };
}

const KNOWN_FACTS: ReadonlySet<string> = new Set([...BUILT_IN_FACTS.filter((spec) => spec.params === undefined).map((spec) => spec.name), 'buyer.member', 'buyer.keyAccount']);

function compile(conditions: unknown): CompiledEvaluator {
  const json = rule('r', conditions);
  return new CompiledEvaluator([json], [pricingRule(json)], KNOWN_FACTS);
}

function holds(conditions: unknown, facts: Record<string, unknown>): boolean {
  return compile(conditions).evaluateLinesSync('2026-01-01', [facts as Facts], { explain: false })[0]!.fired.length === 1;
}

const leaf = (fact: string, operator: string, value: unknown): unknown => ({ all: [{ fact, operator, value }] });

describe('compiled operators', () => {
  it.each([
    ['equal', 'channel', 'group-buy', 'group-buy', true],
    ['equal', 'channel', 'group-buy', 'other', false],
    ['equal', 'buyer.member', true, true, true],
    ['equal', 'buyer.member', true, 'true', false],
    ['equal', 'line.quantity', 10, '10', false],
    ['notEqual', 'channel', 'chamber-supply', 'group-buy', true],
    ['notEqual', 'channel', 'chamber-supply', undefined, true],
    ['in', 'channel', ['member-direct', 'group-buy'], 'group-buy', true],
    ['in', 'channel', ['member-direct', 'group-buy'], 'other', false],
    ['in', 'line.quantity', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, true],
    ['in', 'line.quantity', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], '10', false],
    ['notIn', 'channel', ['other'], 'group-buy', true],
    ['notIn', 'channel', ['other'], 'other', false],
    ['decimalEqual', 'line.listPrice', '1288', '1288.00', true],
    ['decimalEqual', 'line.quantity', '10.00', 10, true],
    ['decimalNotEqual', 'line.quantity', '10', 11, true],
    ['decimalGreaterThanInclusive', 'line.listPrice', '1000.00', '999.99', false],
    ['decimalGreaterThanInclusive', 'line.listPrice', '1000.00', '1000', true],
    ['decimalGreaterThan', 'order.totalQuantity', 99, 100, true],
    ['decimalLessThan', 'order.totalQuantity', '100', 99, true],
    ['decimalLessThanInclusive', 'order.totalQuantity', '100', 100, true],
    ['decimalEqual', 'line.quantity', '10', 'ten', false],
    ['decimalEqual', 'line.quantity', '10', null, false],
    ['decimalEqual', 'line.quantity', '10', undefined, false],
    ['decimalNotEqual', 'line.quantity', '1e1', 3, false],
    ['dateOnOrAfter', 'date', '2026-01-01', '2026-01-01', true],
    ['dateOnOrAfter', 'date', '2026-01-01', '2025-12-31', false],
    ['dateOnOrBefore', 'date', '2026-01-01', '2025-12-31', true],
    ['dateOnOrBefore', 'date', '2026-01-01', '2025-1-1', false],
  ])('%s: %s %j against %j → %s', (operator, fact, value, factValue, expected) => {
    expect(holds(leaf(fact, operator, value), { [fact]: factValue })).toBe(expected);
  });
});

describe('compiled boolean conditions (json-rules-engine 7 semantics)', () => {
  const member = { fact: 'buyer.member', operator: 'equal', value: true };
  const elsewhere = { fact: 'channel', operator: 'equal', value: 'other' };
  const facts = { 'buyer.member': true, channel: 'group-buy' };
  it.each([
    ['all of nothing', { all: [] }, true],
    ['any of nothing (json-rules-engine resolves an empty list to true)', { any: [] }, true],
    ['not of all of nothing', { not: { all: [] } }, false],
    ['not of any of nothing', { not: { any: [] } }, false],
    ['not of a failing leaf', { not: elsewhere }, true],
    ['not of a holding leaf', { not: member }, false],
    ['any with one holding leaf', { any: [elsewhere, member] }, true],
    ['any with no holding leaf', { any: [elsewhere, { not: member }] }, false],
    ['all with one failing leaf', { all: [member, elsewhere] }, false],
    ['all nested in any nested in not', { not: { any: [{ all: [member, elsewhere] }, { all: [] }] } }, false],
  ])('%s', (_name, conditions, expected) => {
    expect(holds(conditions, facts)).toBe(expected);
  });
});

describe('what the compiler refuses at load', () => {
  it.each([
    ['an operator it does not know', leaf('line.quantity', 'greaterThan', 10), 'operator "greaterThan"'],
    ['a fact path', { all: [{ fact: 'channel', operator: 'equal', value: 'x', path: '$.a' }] }, '"path"'],
    ['fact params', { all: [{ fact: 'channel', operator: 'equal', value: 'x', params: {} }] }, '"params"'],
    ['a condition priority', { all: [{ fact: 'channel', operator: 'equal', value: 'x', priority: 2 }] }, '"priority"'],
    ['a fact-valued value', leaf('channel', 'equal', { fact: 'buyer.id' }), 'fact references'],
    ['in without a list', leaf('channel', 'in', 'group-buy'), 'needs a list'],
    ['an unknown fact', leaf('order.nope', 'equal', 'x'), 'unknown fact'],
    ['a condition reference', { all: [{ condition: 'shared' }] }, 'does not support "condition"'],
    ['two boolean keys', { all: [], any: [] }, 'exactly one key'],
    ['a leaf at the root', { fact: 'channel', operator: 'equal', value: 'x' }, 'root'],
  ])('%s', (_name, conditions, reason) => {
    let thrown: unknown;
    try {
      compile(conditions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RulesetError);
    const problems = (thrown as RulesetError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'r.json', ruleId: 'r' });
    expect(problems[0]!.reason).toContain(reason);
  });

  it('names the rule file of a loaded version when a rule cannot be compiled', () => {
    const loaded = loadRules(path.resolve(__dirname, '../../rules'));
    const [version] = loaded.agreements.get('chamber-baiyikang')!;
    const broken = version!.rules.map((json) => (json.id === 'supply-price' ? { ...json, conditions: { all: [{ fact: 'channel', operator: 'equal', value: 'x', path: '$' }] } as unknown as ConditionJson } : json));
    const tampered = { dir: loaded.dir, agreements: new Map([['chamber-baiyikang', [{ ...version!, rules: broken }]]]) };
    expect(() => RuleCatalog.fromLoaded(tampered, 'compiled')).toThrow(/chamber-baiyikang\/2026-01-01\/rules\/supply-price\.json \[rule supply-price\]: \/conditions\/all\/0: the compiler does not support "path"/);
  });
});

describe('explanations', () => {
  it('names the same first failed leaf as json-rules-engine, with its path', async () => {
    const json = rule('r', { all: [{ any: [{ fact: 'channel', operator: 'equal', value: 'x' }, { fact: 'buyer.member', operator: 'equal', value: true }] }, { fact: 'line.quantity', operator: 'decimalGreaterThan', value: '100' }] });
    const facts = [{ channel: 'group-buy', 'buyer.member': true, 'line.quantity': 5 } as unknown as Facts];
    const compiled = new CompiledEvaluator([json], [pricingRule(json)], KNOWN_FACTS).evaluateLinesSync('2026-01-01', facts, { explain: true });
    const reference = await new JsonRulesEngineEvaluator([json], [pricingRule(json)]).evaluateLines('2026-01-01', facts, { explain: true });
    // json-rules-engine evaluates every leaf, so the failed leaf inside the `any` that held comes first
    expect(compiled[0]!.missed).toEqual([
      { ruleId: 'r', reason: 'condition-failed', failedCondition: { fact: 'channel', operator: 'equal', value: 'x', factValue: 'group-buy', path: '/all/0/any/0' } },
    ]);
    expect(compiled[0]!.missed).toEqual(reference[0]!.missed);
  });

  it('reports rules not in force on the date', () => {
    const json = { ...rule('r', { all: [] }), validFrom: '2027-01-01' };
    const evaluation = new CompiledEvaluator([json], [{ ...pricingRule(json), validFrom: '2027-01-01' }], KNOWN_FACTS).evaluateLinesSync('2026-01-01', [{} as Facts], { explain: true });
    expect(evaluation[0]).toEqual({ fired: [], missed: [{ ruleId: 'r', reason: 'not-in-force' }] });
  });
});

describe('choosing the evaluator', () => {
  it.each([
    [{}, 'compiled'],
    [{ SUANPAN_EVALUATOR: 'compiled' }, 'compiled'],
    [{ SUANPAN_EVALUATOR: 'json-rules-engine' }, 'json-rules-engine'],
  ])('%j → %s', (env, kind) => {
    expect(evaluatorKindFromEnv(env)).toBe(kind);
  });

  it('refuses an unknown evaluator name', () => {
    expect(() => evaluatorKindFromEnv({ SUANPAN_EVALUATOR: 'fast' })).toThrow(/SUANPAN_EVALUATOR/);
  });

  it('builds the compiled evaluator by default and json-rules-engine on request', () => {
    const dir = path.resolve(__dirname, '../../rules');
    expect(RuleCatalog.load(dir, { evaluator: 'compiled' }).versionOn('chamber-baiyikang', '2026-06-01').evaluator).toBeInstanceOf(CompiledEvaluator);
    expect(RuleCatalog.load(dir, { evaluator: 'json-rules-engine' }).versionOn('chamber-baiyikang', '2026-06-01').evaluator).toBeInstanceOf(JsonRulesEngineEvaluator);
  });
});
