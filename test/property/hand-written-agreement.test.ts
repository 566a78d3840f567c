import path from 'node:path';
import fc from 'fast-check';
import { handWrittenTexts } from '../../src/bench/domain-suite';
import { priceByHand } from '../../src/bench/hand-written-pricing';
import { OrderRefused } from '../../src/domain/errors';
import type { QuoteInput } from '../../src/domain/quote';
import { calculateQuoteSync } from '../../src/rules/calculate-quote';
import { RuleCatalog } from '../../src/rules/rule-catalog';

const catalog = RuleCatalog.load(path.resolve(__dirname, '../../rules'));
const texts = handWrittenTexts(catalog);

const order: fc.Arbitrary<QuoteInput> = fc.record({
  agreement: fc.constant('chamber-baiyikang'),
  channel: fc.constantFrom('chamber-supply', 'member-direct', 'group-buy', 'other'),
  date: fc.constant('2026-11-15'),
  buyer: fc.record({ id: fc.constant('B-1'), member: fc.boolean(), keyAccount: fc.boolean() }),
  lines: fc.array(fc.record({ sku: fc.constantFrom('BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'), quantity: fc.integer({ min: 1, max: 150 }) }), { minLength: 1, maxLength: 12 }),
});

/** The quote, or the refusal (its breaches and issues) when the agreement refuses the order; any other error is thrown. */
function outcome(price: () => unknown): unknown {
  try {
    return { quote: price() };
  } catch (error) {
    if (!(error instanceof OrderRefused)) throw error;
    return { refused: { code: error.code, message: error.message, breaches: error.breaches, issues: error.issues } };
  }
}

// The bench's hand-written pricing is an independent implementation of the bundled
// agreement; the bench compares speeds only if it gives the very same quotes.
describe('the bundled rules price exactly like the hand-written bench baseline', () => {
  it('on random orders of every channel and buyer (refusing the same orders with the same breaches)', () => {
    let refused = 0;
    fc.assert(
      fc.property(order, (input) => {
        const expected = outcome(() => calculateQuoteSync(catalog, input));
        if ((expected as { refused?: unknown }).refused !== undefined) refused++;
        expect(outcome(() => priceByHand(input, texts))).toEqual(expected);
      }),
      { seed: 11, numRuns: 400 },
    );
    // a member-direct order by a non-member (refused) was among them, as were priced ones
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(400);
  });

  it('refuses a member-direct order whose buyer says nothing of a member card, as the rules do', () => {
    const input: QuoteInput = { agreement: 'chamber-baiyikang', channel: 'member-direct', date: '2026-11-15', buyer: { id: 'B-1' }, lines: [{ sku: 'BYK-L02', quantity: 1 }, { sku: 'BYK-H01', quantity: 2 }] };
    const expected = outcome(() => calculateQuoteSync(catalog, input));
    expect(expected).toMatchObject({ refused: { code: 'ORDER_REFUSED', breaches: [{ code: 'MEMBER_CARD_REQUIRED', ruleId: 'member-direct-needs-card', lines: [0, 1] }] } });
    expect(outcome(() => priceByHand(input, texts))).toEqual(expected);
  });
});
