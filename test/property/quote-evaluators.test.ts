import path from 'node:path';
import fc from 'fast-check';
import type { QuoteInput } from '../../src/domain/quote';
import { calculateQuote, calculateQuoteSync } from '../../src/rules/calculate-quote';
import { listGoldenCases } from '../../src/rules/golden-cases';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { quoteOrRefusal } from '../support/member-card';

const RULES_DIR = path.resolve(__dirname, '../../rules');
const compiled = RuleCatalog.load(RULES_DIR, { evaluator: 'compiled' });
const reference = RuleCatalog.load(RULES_DIR, { evaluator: 'json-rules-engine' });

const order: fc.Arbitrary<QuoteInput> = fc.record({
  agreement: fc.constant('chamber-baiyikang'),
  channel: fc.constantFrom('chamber-supply', 'member-direct', 'group-buy', 'other'),
  date: fc.constantFrom('2026-01-01', '2026-11-15'),
  buyer: fc.record({ id: fc.constantFrom('ENT-001', 'M-007'), member: fc.boolean(), keyAccount: fc.boolean() }),
  lines: fc.array(fc.record({ sku: fc.constantFrom('BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'), quantity: fc.integer({ min: 1, max: 120 }) }), {
    minLength: 1,
    maxLength: 12,
  }),
});

describe('a quote is the same with either evaluator, sync or async', () => {
  const requests = listGoldenCases(RULES_DIR)
    .filter((c) => c.goldenCase.kind === 'quote' && c.goldenCase.expectError === undefined)
    .map((c) => [c.file, c.goldenCase.request as QuoteInput] as const);

  it.each(requests)('%s, explained', async (_file, request) => {
    const expected = await calculateQuote(reference, request, { explain: true });
    expect(calculateQuoteSync(compiled, request, { explain: true })).toEqual(expected);
    expect(await calculateQuote(compiled, request, { explain: true })).toEqual(expected);
  });

  it('random orders of the bundled agreement (the same refusals too)', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(order, fc.boolean(), async (input, explain) => {
        const expected = await quoteOrRefusal(() => calculateQuote(reference, input, { explain }));
        if ('refused' in expected) refused++;
        expect(await quoteOrRefusal(() => calculateQuoteSync(compiled, input, { explain }))).toEqual(expected);
      }),
      { seed: 5, numRuns: 300 },
    );
    // member-direct orders by non-members (refused) were among them, as were priced ones
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(300);
  });

  it('calculateQuoteSync refuses an asynchronous evaluator instead of blocking on it', () => {
    expect(() => calculateQuoteSync(reference, requests[0]![1])).toThrow(/asynchronous/);
  });
});
