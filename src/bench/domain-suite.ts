import { deepStrictEqual } from 'node:assert';
import path from 'node:path';
import type { QuoteInput } from '../domain/quote';
import { calculateQuote, calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog, type RuleSet } from '../rules/rule-catalog';
import { priceByHand, type HandWrittenTexts } from './hand-written-pricing';
import { measureSideBySide, type BenchOptions } from './measure';
import { benchOrders, seededRandom } from './orders';
import { ratioRow, type BenchRow } from './report';

/** The bundled rules directory, from dist/bench or src/bench alike. */
export const RULES_DIR = path.resolve(__dirname, '../../rules');

/** The agreement the hand-written baseline prices (by definition: it is a copy of that agreement's terms in code). */
const BASELINE_AGREEMENT = 'chamber-baiyikang';

/** Rule texts the hand-written baseline prints, taken once from the loaded rules (texts, not logic). */
export function handWrittenTexts(catalog: RuleCatalog): HandWrittenTexts {
  const version = catalog.versionOn(BASELINE_AGREEMENT, '2026-11-15').version;
  const byId = new Map(version.rules.map((rule) => [rule.id, rule]));
  return { rulesetVersion: version.rulesetVersion, clause: (id) => byId.get(id)!.clause, label: (id) => byId.get(id)!.label };
}

/** Cycles through a fixed list of orders, one per call. */
export function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

/**
 * Quotes per second through the domain core for 10-line orders: hand-written pricing, the
 * compiled rules and stock json-rules-engine, measured side by side after checking that all
 * three return the same quotes.
 */
export async function domainSuite(options: BenchOptions): Promise<BenchRow[]> {
  const compiled = RuleCatalog.load(RULES_DIR, { evaluator: 'compiled' });
  const reference = RuleCatalog.load(RULES_DIR, { evaluator: 'json-rules-engine' });
  const texts = handWrittenTexts(compiled);
  const orders = benchOrders(60, 10);
  for (const order of orders) {
    const expected = await calculateQuote(reference, order);
    deepStrictEqual(calculateQuoteSync(compiled, order), expected, 'compiled and json-rules-engine quotes differ');
    deepStrictEqual(priceByHand(order, texts), expected, 'the hand-written baseline does not price like the rules');
  }
  const next = (): (() => QuoteInput) => cycle(orders);
  const [hand, fast, slow] = [next(), next(), next()];
  const rates = await measureSideBySide(
    [
      { name: 'hand', call: () => priceByHand(hand(), texts) },
      { name: 'compiled', call: () => calculateQuoteSync(compiled, fast()) },
      { name: 'jre', call: () => calculateQuote(reference, slow()) },
    ],
    options,
  );
  const [handRate, compiledRate, jreRate] = [rates.get('hand')!, rates.get('compiled')!, rates.get('jre')!];
  const others = await otherAgreementRows(compiled, next(), options);
  return [
    ratioRow('domain quote, 10 lines, compiled rules (cost vs hand-written)', compiledRate, handRate, 'quotes/s', { text: '≤ 1.25×', holds: (r) => r <= 1.25 }, handRate / compiledRate),
    ratioRow('domain quote, 10 lines, stock json-rules-engine (cost vs hand-written)', jreRate, handRate, 'quotes/s', { text: 'reference' }, handRate / jreRate),
    ratioRow('compiled speed-up over stock json-rules-engine', compiledRate, jreRate, 'quotes/s', { text: 'informative' }),
    ...others,
  ];
}

/**
 * One row per other agreement under rules/ (found there, not listed): 10-line orders of its own
 * channels, SKUs and attributes through the compiled core, against the baseline agreement's
 * orders measured side by side. There is no hand-written pricer of these agreements; the row
 * says what their richer terms (order-level amounts, caps, aggregates) cost.
 */
async function otherAgreementRows(catalog: RuleCatalog, baselineOrders: () => QuoteInput, options: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const agreement of catalog.agreementIds()) {
    if (agreement === BASELINE_AGREEMENT) continue;
    const versions = catalog.versions(agreement);
    const orders = pricedOrders(catalog, versions[versions.length - 1]!, 60, 10);
    if (orders.length === 0) continue;
    const own = cycle(orders);
    const rates = await measureSideBySide(
      [
        { name: 'baseline', call: () => calculateQuoteSync(catalog, baselineOrders()) },
        { name: agreement, call: () => calculateQuoteSync(catalog, own()) },
      ],
      options,
    );
    rows.push(ratioRow(`domain quote, 10 lines, ${agreement} (cost vs the baseline agreement's quotes)`, rates.get(agreement)!, rates.get('baseline')!, 'quotes/s', { text: 'informative' }, rates.get('baseline')! / rates.get(agreement)!));
  }
  return rows;
}

/** `count` random orders of a version's own vocabulary that it prices (refused ones are skipped), seeded. */
function pricedOrders(catalog: RuleCatalog, ruleSet: RuleSet, count: number, linesPerOrder: number): QuoteInput[] {
  const version = ruleSet.version;
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const channels = [...version.channels.keys()];
  const skus = [...version.catalog.keys()];
  const coupons = [null, ...version.coupons.keys()];
  const value = (type: string, values: readonly string[] | undefined): string | boolean => (type === 'boolean' ? random() < 0.5 : type === 'enum' ? pick(values ?? ['x']) : type === 'decimal' ? '100.00' : pick(['A-1', 'A-2']));
  const attributes = (declared: RuleSet['version']['attributes']['buyer']): Record<string, string | boolean> =>
    Object.fromEntries([...declared].map(([name, declaration]) => [name, value(declaration.type, declaration.values)]));
  const orders: QuoteInput[] = [];
  for (let tries = 0; orders.length < count && tries < count * 20; tries++) {
    const order: QuoteInput = {
      agreement: version.agreement,
      channel: pick(channels),
      date: version.effectiveFrom,
      buyer: { id: 'BENCH-BUYER', ...attributes(version.attributes.buyer) },
      attributes: attributes(version.attributes.order),
      coupon: pick(coupons),
      lines: Array.from({ length: linesPerOrder }, () => ({ sku: pick(skus), quantity: 1 + Math.floor(random() * 40) })),
    };
    try {
      calculateQuoteSync(catalog, order);
      orders.push(order);
    } catch {
      // refused by the agreement (a minimum order, a limit): not a quote to time
    }
  }
  return orders;
}
