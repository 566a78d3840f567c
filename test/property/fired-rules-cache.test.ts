import fc from 'fast-check';
import { buildLineFacts } from '../../src/domain/line-facts';
import type { QuoteInput } from '../../src/domain/quote';
import { isSyncEvaluator } from '../../src/rules/evaluator';
import { FiredRulesCache } from '../../src/rules/fired-rules-cache';
import { loadCatalog } from '../support/settlement-fixtures';

const SEED = 20261128;
const ruleSet = loadCatalog().versionOn('chamber-baiyikang', '2026-11-30');
const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];

/** A sale's lines (a SKU may repeat: lines of one call with the same facts) on a day of the month, by one of a few buyers. */
const sale = fc.record({
  day: fc.constantFrom('2026-11-01', '2026-11-15', '2026-11-30'),
  channel: fc.constantFrom('chamber-supply', 'member-direct', 'group-buy'),
  buyer: fc.record({ id: fc.constantFrom('ENT-001', 'M-007', 'CHAMBER'), member: fc.boolean(), keyAccount: fc.boolean() }),
  lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 4 }),
});

const ids = (fired: readonly (readonly { readonly id: string }[])[]): string[][] => fired.map((rules) => rules.map((rule) => rule.id));

describe('FiredRulesCache', () => {
  it.each([50_000, 3, 1])('answers what the evaluator answers for each line, with at most %i remembered (lines known before a reset included), sync and async', async (maxEntries) => {
    const evaluator = ruleSet.evaluator;
    if (!isSyncEvaluator(evaluator)) throw new Error('the bundled rules compile to a synchronous evaluator');
    await fc.assert(
      fc.asyncProperty(fc.array(sale, { minLength: 1, maxLength: 30 }), async (sales) => {
        const cache = new FiredRulesCache(ruleSet, maxEntries);
        for (const [i, s] of sales.entries()) {
          const input: QuoteInput = { agreement: 'chamber-baiyikang', channel: s.channel, date: s.day, buyer: s.buyer, lines: s.lines };
          const facts = buildLineFacts(ruleSet.version, input);
          const expected = ids(evaluator.evaluateLinesSync(s.day, facts, { explain: false }).map((evaluation) => evaluation.fired));
          const fired = i % 2 === 0 ? cache.fireNow(s.day, facts)! : await cache.fire(s.day, facts);
          expect(ids(fired)).toEqual(expected);
          // asked again: the lists remembered, the same list for lines with the same facts
          const again = cache.fireNow(s.day, facts)!;
          expect(ids(again)).toEqual(expected);
          if (maxEntries >= 4) again.forEach((rules, j) => expect(rules).toBe(fired[j]));
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
