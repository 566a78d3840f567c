import fc from 'fast-check';
import { OrderRefused } from '../../src/domain/errors';
import { Dec, sum } from '../../src/domain/money';
import type { AttributeValue, QuoteInput } from '../../src/domain/quote';
import { calculateQuote } from '../../src/rules/calculate-quote';
import { RuleCatalog, type RuleSet } from '../../src/rules/rule-catalog';
import { RULES_DIR } from '../support/test-app';

// Every agreement and version found under rules/ (not a list of them): the invariants hold for
// whatever a rule author writes, so they are checked on whatever is bundled.
const catalog = RuleCatalog.load(RULES_DIR);
const versions: RuleSet[] = catalog.agreementIds().flatMap((id) => [...catalog.versions(id)]);
const SEED = 20261205;

function valuesOf(type: string, values: readonly string[] | undefined): fc.Arbitrary<AttributeValue> {
  switch (type) {
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...(values ?? ['x']));
    case 'decimal':
      return fc.integer({ min: 0, max: 100_000 }).map((n) => (n / 100).toFixed(2));
    default:
      return fc.constantFrom('A-1', 'A-2', 'B-9');
  }
}

function attributes(declared: ReadonlyMap<string, { type: string; values?: readonly string[] }>): fc.Arbitrary<Record<string, AttributeValue>> {
  const record: Record<string, fc.Arbitrary<AttributeValue>> = {};
  for (const [name, declaration] of declared) record[name] = valuesOf(declaration.type, declaration.values);
  return fc.record(record);
}

/** A random, valid quote request for one version: its channels, SKUs, attributes and coupons, a date it is in force. */
function quoteFor(ruleSet: RuleSet): fc.Arbitrary<QuoteInput> {
  const version = ruleSet.version;
  const start = Date.parse(`${version.effectiveFrom}T00:00:00Z`);
  return fc.record({
    channel: fc.constantFrom(...version.channels.keys()),
    date: fc.integer({ min: 0, max: 364 }).map((days) => new Date(start + days * 86_400_000).toISOString().slice(0, 10)),
    buyer: attributes(version.attributes.buyer).map((attrs) => ({ id: 'BUYER-1', ...attrs })),
    attributes: attributes(version.attributes.order),
    coupon: fc.constantFrom(null, ...version.coupons.keys()),
    lines: fc.array(fc.record({ sku: fc.constantFrom(...version.catalog.keys()), quantity: fc.integer({ min: 1, max: 700 }) }), { minLength: 1, maxLength: 8 }),
  }).map((input) => ({ agreement: version.agreement, ...input }));
}

const anyQuote: fc.Arbitrary<QuoteInput> = fc.constantFrom(...versions).chain(quoteFor);

const total = (values: readonly string[]): string => sum(values.map((v) => new Dec(v))).toFixed(2);

/** The quote, or undefined when the agreement refuses the order (a result, not a failure). */
async function quoteOrRefusal(input: QuoteInput): Promise<Awaited<ReturnType<typeof calculateQuote>> | undefined> {
  try {
    return await calculateQuote(catalog, input, { explain: true });
  } catch (error) {
    if (error instanceof OrderRefused) {
      expect(error.breaches.length).toBeGreaterThan(0);
      return undefined;
    }
    throw error;
  }
}

describe('invariants of every bundled agreement, on random orders of its own vocabulary (fast-check)', () => {
  it('totals are the sums of the line figures; each line is explained by its adjustments', async () => {
    await fc.assert(
      fc.asyncProperty(anyQuote, async (input) => {
        const quote = await quoteOrRefusal(input);
        if (quote === undefined) return;
        expect(quote.totals.net).toBe(total(quote.lines.map((l) => l.amount)));
        expect(quote.totals.list).toBe(total(quote.lines.map((l) => l.listAmount)));
        expect(quote.totals.commission).toBe(total(quote.lines.map((l) => l.commission)));
        expect(quote.totals.rebate).toBe(total(quote.lines.map((l) => l.rebate)));
        expect(quote.totals.gifts).toBe(total(quote.gifts.map((g) => g.value)));
        for (const line of quote.lines) {
          const byEffect = (effect: string): string => total(line.adjustments.filter((a) => a.effect === effect).map((a) => a.amount));
          expect(byEffect('price')).toBe(new Dec(line.amount).minus(line.listAmount).toFixed(2));
          expect(byEffect('commission')).toBe(line.commission);
          expect(byEffect('rebate')).toBe(line.rebate);
          expect(new Dec(line.amount).gte(0)).toBe(true);
          expect(new Dec(line.commission).gte(0)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('no unit price is below what a floor that fired on the line allows', async () => {
    await fc.assert(
      fc.asyncProperty(anyQuote, async (input) => {
        const quote = await quoteOrRefusal(input);
        if (quote === undefined) return;
        const ruleSet = catalog.versionOn(input.agreement, input.date);
        quote.lines.forEach((line) => {
          const fired = [...line.explanation!.applied, ...line.explanation!.notApplied.filter((entry) => entry.reason === 'no-effect').map((entry) => entry.ruleId)];
          for (const ruleId of fired) {
            const rule = ruleSet.version.rules.find((r) => r.id === ruleId)!;
            if (rule.action.type !== 'price-floor') continue;
            expect(new Dec(line.unitPrice).gte(new Dec(line.listPrice).times(rule.action.factor))).toBe(true);
          }
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a commission cap holds: the commissions it limits never add up to more than the cap', async () => {
    await fc.assert(
      fc.asyncProperty(anyQuote, async (input) => {
        const quote = await quoteOrRefusal(input);
        if (quote === undefined) return;
        const ruleSet = catalog.versionOn(input.agreement, input.date);
        for (const rule of ruleSet.version.rules) {
          if (rule.action.type !== 'commission-cap') continue;
          const capped = quote.lines.filter((line) => line.explanation!.applied.includes(rule.id));
          if (capped.length === 0) continue;
          expect(new Dec(total(capped.map((line) => line.commission))).lte(rule.action.perOrder)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the same request gives the same quote, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(anyQuote, async (input) => {
        const first = await quoteOrRefusal(input);
        const second = await quoteOrRefusal(structuredClone(input));
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
