import { deepStrictEqual } from 'node:assert';
import path from 'node:path';
import type { QuoteInput } from '../domain/quote';
import { calculateQuote, calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog } from '../rules/rule-catalog';
import { priceByHand, type HandWrittenTexts } from './hand-written-pricing';
import { measureSideBySide, type BenchOptions } from './measure';
import { benchOrders } from './orders';
import { ratioRow, type BenchRow } from './report';

/** The bundled rules directory, from dist/bench or src/bench alike. */
export const RULES_DIR = path.resolve(__dirname, '../../rules');

/** Rule texts the hand-written baseline prints, taken once from the loaded rules (texts, not logic). */
export function handWrittenTexts(catalog: RuleCatalog): HandWrittenTexts {
  const version = catalog.versionOn('chamber-baiyikang', '2026-11-15').version;
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
  return [
    ratioRow('domain quote, 10 lines, compiled rules (cost vs hand-written)', compiledRate, handRate, 'quotes/s', { text: '≤ 1.25×', holds: (r) => r <= 1.25 }, handRate / compiledRate),
    ratioRow('domain quote, 10 lines, stock json-rules-engine (cost vs hand-written)', jreRate, handRate, 'quotes/s', { text: 'reference' }, handRate / jreRate),
    ratioRow('compiled speed-up over stock json-rules-engine', compiledRate, jreRate, 'quotes/s', { text: 'informative' }),
  ];
}
