import fc from 'fast-check';
import { calculateQuote } from '../../src/rules/calculate-quote';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { OrderRefused } from '../../src/domain/errors';
import { Dec, sum } from '../../src/domain/money';
import type { QuoteInput } from '../../src/domain/quote';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { withMemberCard } from '../support/member-card';
import { RULES_DIR } from '../support/test-app';

const catalog = RuleCatalog.load(RULES_DIR);
const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];
const CHANNELS = ['chamber-supply', 'member-direct', 'group-buy', 'other'];
const SEED = 20261126;

const quoteInput = fc.record({
  agreement: fc.constant('chamber-baiyikang'),
  channel: fc.constantFrom(...CHANNELS),
  date: fc.constantFrom('2026-01-01', '2026-11-30', '2026-12-31'),
  buyer: fc.record({ id: fc.constantFrom('ENT-001', 'M-007'), member: fc.boolean(), keyAccount: fc.boolean() }),
  lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 10 }),
}).map(withMemberCard) as fc.Arbitrary<QuoteInput>;

const total = (values: string[]): string => sum(values.map((v) => new Dec(v))).toFixed(2);

describe('quote invariants (fast-check)', () => {
  it('totals are the sums of the figures shown under them', async () => {
    await fc.assert(
      fc.asyncProperty(quoteInput, async (input) => {
        const quote = await calculateQuote(catalog, input);
        expect(quote.totals.net).toBe(total(quote.lines.map((l) => l.amount)));
        expect(quote.totals.list).toBe(total(quote.lines.map((l) => l.listAmount)));
        expect(quote.totals.commission).toBe(total(quote.lines.map((l) => l.commission)));
        expect(quote.totals.rebate).toBe(total(quote.lines.map((l) => l.rebate)));
        expect(quote.totals.gifts).toBe(total(quote.gifts.map((g) => g.value)));
        expect(quote.totals.discount).toBe(new Dec(quote.totals.list).minus(quote.totals.net).toFixed(2));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the price adjustments of each line explain list − net exactly; commission and rebate adjustments explain theirs', async () => {
    await fc.assert(
      fc.asyncProperty(quoteInput, async (input) => {
        const quote = await calculateQuote(catalog, input);
        for (const line of quote.lines) {
          const byEffect = (effect: string) => total(line.adjustments.filter((a) => a.effect === effect).map((a) => a.amount));
          expect(byEffect('price')).toBe(new Dec(line.amount).minus(line.listAmount).toFixed(2));
          expect(byEffect('commission')).toBe(line.commission);
          expect(byEffect('rebate')).toBe(line.rebate);
          for (const figure of [line.amount, line.listAmount, line.commission, line.rebate]) expect(figure).toMatch(/^-?\d+\.\d{2}$/);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the same request gives the same figures, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(quoteInput, async (input) => {
        const first = JSON.stringify(await calculateQuote(catalog, input, { explain: true }));
        const second = JSON.stringify(await calculateQuote(catalog, structuredClone(input), { explain: true }));
        expect(second).toBe(first);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a member-direct order by a non-member (member false or not said) is always refused: MEMBER_CARD_REQUIRED on every line', async () => {
    const nonMember = fc.oneof(
      fc.record({ id: fc.constantFrom('ENT-001', 'M-007'), member: fc.constant(false), keyAccount: fc.boolean() }),
      fc.record({ id: fc.constantFrom('ENT-001', 'M-007'), keyAccount: fc.boolean() }),
    );
    const refusedOrder = fc.record({
      agreement: fc.constant('chamber-baiyikang'),
      channel: fc.constant('member-direct'),
      date: fc.constantFrom('2026-01-01', '2026-11-30', '2026-12-31', '2027-01-01', '2027-06-30'),
      buyer: nonMember,
      lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 10 }),
    }) as fc.Arbitrary<QuoteInput>;
    await fc.assert(
      fc.asyncProperty(refusedOrder, async (input) => {
        const refusal = await calculateQuote(catalog, input).then(
          (quote) => ({ priced: quote.totals.net }),
          (error: unknown) => error,
        );
        expect(refusal).toBeInstanceOf(OrderRefused);
        const { code, breaches, issues } = refusal as OrderRefused;
        expect(code).toBe('ORDER_REFUSED');
        expect(breaches.map((b) => ({ code: b.code, ruleId: b.ruleId, lines: b.lines }))).toEqual([
          { code: 'MEMBER_CARD_REQUIRED', ruleId: 'member-direct-needs-card', lines: input.lines.map((_line, i) => i) },
        ]);
        expect(issues.map((issue) => [issue.pointer, issue.code])).toEqual(input.lines.map((_line, i) => [`/lines/${i}`, 'MEMBER_CARD_REQUIRED']));
        // the same order by a card holder is priced
        expect((await calculateQuote(catalog, withMemberCard(input))).lines).toHaveLength(input.lines.length);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('bigger group-buy orders never get a smaller discount rate (tier monotonicity)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SKUS), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), async (sku, a, b) => {
        const price = async (quantity: number) =>
          new Dec((await calculateQuote(catalog, { agreement: 'chamber-baiyikang', channel: 'group-buy', date: '2026-11-30', buyer: { id: 'E', member: false, keyAccount: false }, lines: [{ sku, quantity }] })).lines[0]!.unitPrice);
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect((await price(large)).lte(await price(small))).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('the lowest-price floor (fast-check over rule variants)', () => {
  // Rules whose discounts could go deeper than 8.5 折: the floor must hold every unit price up.
  const rules = copyRules();
  afterAll(() => rules.cleanup());

  it('no unit price outside chamber-supply is below list × 0.85, whatever the discount rates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 200 }) }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('member-direct', 'group-buy', 'other'),
        async (memberPercent, topTierPercent, lines, channel) => {
          rules.edit(`${VERSION_DIR}/rules/member-discount.json`, (j) => void (j.event.params.rate = new Dec(memberPercent).div(100).toFixed()));
          rules.edit(`${VERSION_DIR}/rules/group-buy-tiers.json`, (j) => void (j.event.params.tiers[3].rate = new Dec(topTierPercent).div(100).toFixed()));
          const variant = RuleCatalog.load(rules.dir);
          const quote = await calculateQuote(variant, { agreement: 'chamber-baiyikang', channel, date: '2026-11-30', buyer: { id: 'E', member: true, keyAccount: true }, lines });
          const totalQuantity = lines.reduce((n, l) => n + l.quantity, 0);
          const tierPercent = totalQuantity >= 100 ? topTierPercent : totalQuantity >= 50 ? 6 : totalQuantity >= 10 ? 3 : 0;
          const percentOff = channel === 'group-buy' ? Math.max(memberPercent, tierPercent) : channel === 'member-direct' ? memberPercent : 0;
          for (const line of quote.lines) {
            const list = new Dec(line.listPrice);
            const floor = list.times('0.85');
            const discounted = list.times(new Dec(100 - percentOff).div(100));
            const expected = Dec.max(floor, discounted);
            expect(new Dec(line.unitPrice).eq(expected)).toBe(true);
            expect(new Dec(line.unitPrice).gte(floor)).toBe(true);
            expect(line.floorApplied).toBe(discounted.lt(floor));
          }
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });
});
