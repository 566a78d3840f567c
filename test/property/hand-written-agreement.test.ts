import path from 'node:path';
import fc from 'fast-check';
import { handWrittenTexts } from '../../src/bench/domain-suite';
import { priceByHand } from '../../src/bench/hand-written-pricing';
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

// The bench's hand-written pricing is an independent implementation of the bundled
// agreement; the bench compares speeds only if it gives the very same quotes.
describe('the bundled rules price exactly like the hand-written bench baseline', () => {
  it('on random orders of every channel and buyer', () => {
    fc.assert(
      fc.property(order, (input) => {
        expect(calculateQuoteSync(catalog, input)).toEqual(priceByHand(input, texts));
      }),
      { seed: 11, numRuns: 400 },
    );
  });
});
