import fc from 'fast-check';
import type { PricingRule } from '../../src/domain/agreement';
import { BUILT_IN_FACTS, type FactName, type Facts } from '../../src/domain/line-facts';
import { commission } from '../../src/domain/terms/commission';
import { CompiledEvaluator } from '../../src/rules/compiled-evaluator';
import type { LineEvaluation } from '../../src/rules/evaluator';
import { JsonRulesEngineEvaluator } from '../../src/rules/json-rules-engine-evaluator';
import type { ConditionJson, ConditionValue, RuleJson } from '../../src/rules/rule-json';

// Every fact a condition can name without params, and two declared buyer attributes.
const FACT_NAMES: readonly FactName[] = [...BUILT_IN_FACTS.filter((spec) => spec.params === undefined).map((spec) => spec.name), 'buyer.member', 'buyer.keyAccount'];
const KNOWN_FACTS: ReadonlySet<string> = new Set(FACT_NAMES);

// The operators of rules/schema/rule.schema.json (its leafCondition.operator enum).
const OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'decimalEqual',
  'decimalNotEqual',
  'decimalGreaterThan',
  'decimalGreaterThanInclusive',
  'decimalLessThan',
  'decimalLessThanInclusive',
  'dateOnOrAfter',
  'dateOnOrBefore',
] as const;

// Values of the right and the wrong types for every fact, shared by rules and facts so that
// conditions hold often enough to matter.
const STRINGS = ['chamber-supply', 'group-buy', 'member-direct', 'other', 'BYK-H01', 'BYK-L02', 'premium', 'economy', 'ENT-001', '', 'true'];
const DECIMAL_TEXTS = ['0', '1', '10', '10.0', '10.00', '49', '50', '99.99', '100', '1288.00', '-3', '0010', '1e3', ' 10', '12.'];
const DATES = ['2025-12-31', '2026-01-01', '2026-06-15', '2026-13-45', '2026-1-1', '20260101'];
const INTEGERS = [0, 1, 9, 10, 49, 50, 100, 120, -10, 1288];

const scalarValue: fc.Arbitrary<string | boolean | number> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...DECIMAL_TEXTS),
  fc.constantFrom(...DATES),
  fc.boolean(),
  fc.constantFrom(...INTEGERS),
  fc.integer({ min: -1000, max: 1000 }),
);

const factValue = fc.oneof(
  scalarValue,
  fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 }),
  fc.constantFrom(null, undefined, 0.5, 10.000001, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);

const leaf: fc.Arbitrary<ConditionJson> = fc
  .record({ fact: fc.constantFrom(...FACT_NAMES), operator: fc.constantFrom(...OPERATORS) })
  .chain(({ fact, operator }) => {
    const list = fc.array(scalarValue, { maxLength: 12 });
    // in/notIn take a list (the compiler refuses anything else, see compiled-evaluator.test.ts);
    // every other operator gets a scalar or, now and then, a list (which never matches).
    const value: fc.Arbitrary<ConditionValue> = operator === 'in' || operator === 'notIn' ? list : fc.oneof({ weight: 5, arbitrary: scalarValue }, { weight: 1, arbitrary: list });
    return value.map((v) => ({ fact, operator, value: v }));
  });

const { condition: nested } = fc.letrec<{ condition: ConditionJson; boolean: ConditionJson }>((tie) => ({
  condition: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('boolean')),
  boolean: fc.oneof(
    fc.array(tie('condition'), { maxLength: 4 }).map((all) => ({ all })),
    fc.array(tie('condition'), { maxLength: 4 }).map((any) => ({ any })),
    tie('condition').map((not) => ({ not })),
  ),
}));

const rootCondition: fc.Arbitrary<ConditionJson> = fc.oneof(
  fc.array(nested, { maxLength: 5 }).map((all) => ({ all })),
  fc.array(nested, { maxLength: 5 }).map((any) => ({ any })),
  nested.map((not) => ({ not })),
);

const optionalDate = fc.option(fc.constantFrom('2025-12-31', '2026-01-01', '2026-06-15'), { nil: undefined });

const ruleSet: fc.Arbitrary<RuleJson[]> = fc
  .array(fc.record({ conditions: rootCondition, priority: fc.integer({ min: 1, max: 1000 }), validFrom: optionalDate, validTo: optionalDate }), { minLength: 1, maxLength: 6 })
  .map((drafts) =>
    drafts.map((draft, i) => ({
      id: `rule-${i}`,
      clause: 'test',
      label: { zh: '测试', en: 'test' },
      priority: draft.priority,
      ...(draft.validFrom === undefined ? {} : { validFrom: draft.validFrom }),
      ...(draft.validTo === undefined ? {} : { validTo: draft.validTo }),
      conditions: draft.conditions,
      event: { type: 'commission', params: { rate: '0.10' } },
    })),
  );

/** A line's facts: every fact present or missing, with a value of any type. */
const lineFacts: fc.Arbitrary<Facts> = fc
  .tuple(...FACT_NAMES.map((name) => fc.option(factValue, { nil: undefined, freq: 6 }).map((value) => [name, value] as const)))
  .map((entries) => Object.fromEntries(entries.filter(([, value], i) => value !== undefined || i % 2 === 0)) as unknown as Facts);

function toPricingRules(rules: readonly RuleJson[]): PricingRule[] {
  // reversed, so the version's rule order differs from the authoring order
  return [...rules].reverse().map((rule) => ({
    id: rule.id,
    clause: rule.clause,
    label: rule.label,
    priority: rule.priority,
    ...(rule.validFrom === undefined ? {} : { validFrom: rule.validFrom }),
    ...(rule.validTo === undefined ? {} : { validTo: rule.validTo }),
    action: commission.parse({ rate: '0.10' }),
    term: commission,
  }));
}

function outcome(evaluations: readonly LineEvaluation[]): unknown {
  return evaluations.map((evaluation) => ({ fired: evaluation.fired.map((rule) => rule.id), missed: evaluation.missed }));
}

describe('the compiled evaluator gives json-rules-engine’s answers', () => {
  it('on random rule sets of the schema’s grammar and random facts: same fired rules, same explanations', async () => {
    await fc.assert(
      fc.asyncProperty(ruleSet, fc.array(lineFacts, { minLength: 1, maxLength: 4 }), fc.constantFrom('2025-12-31', '2026-01-01', '2026-03-01'), async (rules, lines, date) => {
        const ordered = toPricingRules(rules);
        const reference = new JsonRulesEngineEvaluator(rules, ordered);
        const compiled = new CompiledEvaluator(rules, ordered, KNOWN_FACTS);
        for (const explain of [false, true]) {
          const expected = outcome(await reference.evaluateLines(date, lines, { explain }));
          expect(outcome(compiled.evaluateLinesSync(date, lines, { explain }))).toEqual(expected);
          expect(outcome(await compiled.evaluateLines(date, lines, { explain }))).toEqual(expected);
        }
      }),
      { seed: 20260101, numRuns: 400 },
    );
  });

  it('on facts built from every combination of the facts a leaf names', async () => {
    // exhaustive over one leaf: every operator × fact × value of the pools, against each pool value
    const values = [...STRINGS, ...DECIMAL_TEXTS, ...DATES, true, false, ...INTEGERS, null, undefined, 0.5, Number.NaN];
    const fact: FactName = 'line.quantity';
    const rules: RuleJson[] = [];
    OPERATORS.forEach((operator, o) => {
      const scalars = values.filter((v): v is string | boolean | number => typeof v === 'string' || typeof v === 'boolean' || Number.isInteger(v));
      scalars.forEach((value, v) => {
        rules.push({
          id: `leaf-${o}-${v}`,
          clause: 'test',
          label: { zh: '测试', en: 'test' },
          priority: 1,
          conditions: { all: [{ fact, operator, value: operator === 'in' || operator === 'notIn' ? [value] : value }] },
          event: { type: 'commission', params: { rate: '0.10' } },
        });
      });
    });
    const ordered = toPricingRules(rules);
    const lines = values.map((value) => ({ [fact]: value }) as unknown as Facts);
    const expected = outcome(await new JsonRulesEngineEvaluator(rules, ordered).evaluateLines('2026-01-01', lines, { explain: true }));
    expect(outcome(new CompiledEvaluator(rules, ordered, KNOWN_FACTS).evaluateLinesSync('2026-01-01', lines, { explain: true }))).toEqual(expected);
  });
});
