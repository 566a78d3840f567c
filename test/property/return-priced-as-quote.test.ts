import fc from 'fast-check';
import type { BookedLine, BookedSale } from '../../src/domain/booked-sales';
import { buildLineFacts } from '../../src/domain/line-facts';
import { Dec } from '../../src/domain/money';
import { priceQuote } from '../../src/domain/price-quote';
import type { QuoteInput } from '../../src/domain/quote';
import type { SettlementTransaction } from '../../src/domain/settlement';
import { priceReturnedPiece } from '../../src/domain/settle/priced-piece';
import { FiredRulesCache } from '../../src/rules/fired-rules-cache';
import { withMemberCard } from '../support/member-card';
import { loadCatalog } from '../support/settlement-fixtures';

// A return is priced by the quote's own line function (priceLineAt) at its sale's unit price and
// rules: returning all of a sale line gives exactly the negated figures a quote of that line gives.
const catalog = loadCatalog();
const DATE = '2026-11-15';
const ruleSet = catalog.versionOn('chamber-baiyikang', DATE);
const version = ruleSet.version;
const rules = new FiredRulesCache(ruleSet);
const scale = version.rounding.scale;
const neg = (text: string): string => new Dec(text).neg().toFixed(scale);

const line = fc.record({
  sku: fc.constantFrom(...[...version.catalog.keys()]),
  quantity: fc.integer({ min: 1, max: 500 }),
  channel: fc.constantFrom(...[...version.channels.keys()]),
  buyer: fc.record({ id: fc.constantFrom('ENT-001', 'M-007', 'CHAMBER'), member: fc.boolean(), keyAccount: fc.boolean() }),
});

describe('a return and a quote of the same line agree', () => {
  it('returning a whole sale line negates the quote line: amount, commission, rebate to the fen', async () => {
    await fc.assert(
      fc.asyncProperty(line, async ({ sku, quantity, channel, buyer }) => {
        const tx: SettlementTransaction = withMemberCard<SettlementTransaction>({ id: 'S1', date: DATE, channel, buyer, lines: [{ sku, quantity }] });
        const input: QuoteInput = { agreement: version.agreement, channel, date: DATE, buyer: tx.buyer, ...(tx.attributes === undefined ? {} : { attributes: tx.attributes }), lines: [{ sku, quantity }] };
        const fired = await rules.fire(DATE, buildLineFacts(version, input));
        const quoted = priceQuote(version, input, fired).lines[0]!;
        const sold: BookedLine = { index: 0, sku, unitPrice: new Dec(quoted.unitPrice), fired: fired[0]!, remaining: quantity };
        const sale: BookedSale = { channel, buyerId: tx.buyer.id, date: DATE, lines: () => [sold], setRemaining: () => undefined };
        const returned = { ...tx, id: 'R1', returnOf: 'S1', lines: [{ sku, quantity: -quantity }] };
        const piece = priceReturnedPiece(version, sale, sold, -quantity, returned, undefined);
        expect([piece.amount.toFixed(scale), piece.commission.toFixed(scale), piece.rebate.toFixed(scale)]).toEqual([neg(quoted.amount), neg(quoted.commission), neg(quoted.rebate)]);
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });
});
