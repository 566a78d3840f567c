import type { AttributeValue, Buyer } from '../domain/quote';
import { DomainError } from '../domain/errors';
import { Dec, ZERO, formatAmount } from '../domain/money';
import type { QuoteInput } from '../domain/quote';
import { calculateQuoteUnder, type ExplainedQuote } from './calculate-quote';
import { diffJson } from './json-diff';
import type { RuleCatalog, RuleSet } from './rule-catalog';
import { timeSlicer } from './time-slicer';

/** An order as a diff file or request gives it (openapi.yaml DiffOrder): a quote request with an optional id. */
export interface DiffOrderJson {
  readonly id?: string;
  readonly agreement?: string;
  readonly channel: string;
  readonly date?: string;
  readonly buyer: Buyer;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly coupon?: string | null;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

/** The three figures a diff compares, as amounts. */
export interface Figures {
  readonly net: string;
  readonly commission: string;
  readonly rebate: string;
}

/** Figures under each version and the change (to − from). */
export interface FigureChange {
  readonly from: Figures;
  readonly to: Figures;
  readonly change: Figures;
}

export type OrderDiff =
  | ({ readonly id: string } & FigureChange)
  | { readonly id: string; readonly error: { readonly from?: OrderError; readonly to?: OrderError } };

export interface OrderError {
  readonly code: string;
  readonly detail: string;
}

/** What `rules diff` and `POST /v1/rulesets:diff` report. */
export interface VersionDiff {
  readonly agreement: string;
  readonly from: { readonly effectiveFrom: string; readonly rulesetVersion: string };
  readonly to: { readonly effectiveFrom: string; readonly rulesetVersion: string };
  readonly rules: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly { readonly ruleId: string; readonly changes: readonly { readonly path: string; readonly from?: unknown; readonly to?: unknown }[] }[];
  };
  /** Changes of agreement.json (catalog, channels, rounding …), effectiveFrom aside. */
  readonly terms: readonly { readonly path: string; readonly from?: unknown; readonly to?: unknown }[];
  readonly orders: readonly OrderDiff[];
  /** Per SKU over the orders priced under both versions, sorted by SKU. */
  readonly skus: readonly ({ readonly sku: string; readonly quantity: number } & FigureChange)[];
  readonly totals: FigureChange & { readonly orders: number; readonly failed: number };
}

/**
 * Resolves a version reference: `<agreement>/<effectiveFrom>`, `<effectiveFrom>` (with the
 * agreement given or only one loaded), or a rulesetVersion hash. Throws UNKNOWN_RULESET_VERSION.
 */
export function resolveVersion(catalog: RuleCatalog, ref: string, agreement?: string, pointer = '/from'): RuleSet {
  const slash = ref.indexOf('/');
  const [id, key] = slash > 0 ? [ref.slice(0, slash), ref.slice(slash + 1)] : [agreement, ref];
  const ids = id !== undefined ? [id] : catalog.agreementIds();
  const found = ids.flatMap((a) => (catalog.agreementIds().includes(a) ? catalog.versions(a) : [])).filter((v) => v.version.effectiveFrom === key || v.version.rulesetVersion === key);
  if (found.length === 1) return found[0]!;
  const known = catalog.agreementIds().flatMap((a) => catalog.versions(a).map((v) => `${a}/${v.version.effectiveFrom} (${v.version.rulesetVersion})`));
  const why = found.length === 0 ? 'no such version' : 'several agreements have it; write <agreement>/<effectiveFrom>';
  throw new DomainError('UNKNOWN_RULESET_VERSION', `${JSON.stringify(ref)}: ${why} (loaded: ${known.join(', ')})`, [{ pointer, detail: why, code: 'UNKNOWN_RULESET_VERSION' }]);
}

/**
 * Prices every order under two versions of one agreement (each order's own date, or without
 * one each version's effectiveFrom, decides which rules are in force) and reports, per order
 * and per SKU, net, commission and rebate under each and the change, plus the rules added,
 * removed or changed and the changed terms. Sums are of the rounded line figures, exactly.
 * Hands the event loop back every `sliceMs` of pricing (between two orders), so a long diff
 * holds other requests, health probes first, up for one slice at most.
 */
export async function diffVersions(from: RuleSet, to: RuleSet, orders: readonly DiffOrderJson[], sliceMs = 5): Promise<VersionDiff> {
  if (from.version.agreement !== to.version.agreement) {
    throw new DomainError('UNKNOWN_RULESET_VERSION', `versions of different agreements cannot be compared (${from.version.agreement}, ${to.version.agreement})`, [
      { pointer: '/to', detail: `not a version of ${from.version.agreement}`, code: 'UNKNOWN_RULESET_VERSION' },
    ]);
  }
  const orderDiffs: OrderDiff[] = [];
  const skus = new Map<string, { quantity: number; from: Sums; to: Sums }>();
  const totals = { from: zeroSums(), to: zeroSums() };
  const slicer = timeSlicer(sliceMs);
  for (const [i, order] of orders.entries()) {
    await slicer.maybeYield();
    const id = order.id ?? `#${i + 1}`;
    const [a, b] = [await priceOrTell(from, order), await priceOrTell(to, order)];
    if ('code' in a || 'code' in b) {
      orderDiffs.push({ id, error: { ...('code' in a ? { from: a } : {}), ...('code' in b ? { to: b } : {}) } });
      continue;
    }
    orderDiffs.push({ id, ...change(sumsOf(a.lines), sumsOf(b.lines)) });
    addTo(totals.from, sumsOf(a.lines));
    addTo(totals.to, sumsOf(b.lines));
    a.lines.forEach((line, j) => {
      const entry = skus.get(line.sku) ?? { quantity: 0, from: zeroSums(), to: zeroSums() };
      entry.quantity += line.quantity;
      addTo(entry.from, sumsOf([line]));
      addTo(entry.to, sumsOf([b.lines[j]!]));
      skus.set(line.sku, entry);
    });
  }
  const failed = orderDiffs.filter((order) => 'error' in order).length;
  return {
    agreement: from.version.agreement,
    from: { effectiveFrom: from.version.effectiveFrom, rulesetVersion: from.version.rulesetVersion },
    to: { effectiveFrom: to.version.effectiveFrom, rulesetVersion: to.version.rulesetVersion },
    rules: diffRules(from, to),
    terms: renamed(diffJson({ ...from.agreementJson, effectiveFrom: undefined }, { ...to.agreementJson, effectiveFrom: undefined })),
    orders: orderDiffs,
    skus: [...skus.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([sku, entry]) => ({ sku, quantity: entry.quantity, ...change(entry.from, entry.to) })),
    totals: { orders: orders.length, failed, ...change(totals.from, totals.to) },
  };
}

/** A diff order as the quote input priced under `ruleSet`. */
export function toQuoteInputFor(ruleSet: RuleSet, order: DiffOrderJson): QuoteInput {
  return {
    agreement: ruleSet.version.agreement,
    channel: order.channel,
    date: order.date ?? ruleSet.version.effectiveFrom,
    buyer: order.buyer,
    ...(order.attributes === undefined ? {} : { attributes: order.attributes }),
    ...(order.coupon === undefined ? {} : { coupon: order.coupon }),
    lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
  };
}

type Sums = { net: Dec; commission: Dec; rebate: Dec };

async function priceOrTell(ruleSet: RuleSet, order: DiffOrderJson): Promise<ExplainedQuote | OrderError> {
  if (order.agreement !== undefined && order.agreement !== ruleSet.version.agreement) return { code: 'UNKNOWN_AGREEMENT', detail: `the order is for ${order.agreement}, not ${ruleSet.version.agreement}` };
  try {
    return await calculateQuoteUnder(ruleSet, toQuoteInputFor(ruleSet, order));
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, detail: error.message };
    throw error;
  }
}

function diffRules(from: RuleSet, to: RuleSet): VersionDiff['rules'] {
  const before = new Map(from.rules.map((rule) => [rule.id, rule]));
  const after = new Map(to.rules.map((rule) => [rule.id, rule]));
  const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
  return {
    added: sorted([...after.keys()].filter((id) => !before.has(id))),
    removed: sorted([...before.keys()].filter((id) => !after.has(id))),
    changed: sorted([...after.keys()].filter((id) => before.has(id)))
      .map((ruleId) => ({ ruleId, changes: renamed(diffJson(before.get(ruleId), after.get(ruleId))) }))
      .filter((rule) => rule.changes.length > 0),
  };
}

function renamed(differences: ReturnType<typeof diffJson>): { path: string; from?: unknown; to?: unknown }[] {
  return differences.map(({ path, left, right }) => ({ path, ...(left === undefined ? {} : { from: left }), ...(right === undefined ? {} : { to: right }) }));
}

function zeroSums(): Sums {
  return { net: ZERO, commission: ZERO, rebate: ZERO };
}

function sumsOf(lines: readonly { readonly amount: string; readonly commission: string; readonly rebate: string }[]): Sums {
  const sums = zeroSums();
  for (const line of lines) addTo(sums, { net: new Dec(line.amount), commission: new Dec(line.commission), rebate: new Dec(line.rebate) });
  return sums;
}

function addTo(target: Sums, more: Sums): void {
  target.net = target.net.plus(more.net);
  target.commission = target.commission.plus(more.commission);
  target.rebate = target.rebate.plus(more.rebate);
}

function change(from: Sums, to: Sums): FigureChange {
  const figures = (s: Sums): Figures => ({ net: formatAmount(s.net), commission: formatAmount(s.commission), rebate: formatAmount(s.rebate) });
  return { from: figures(from), to: figures(to), change: figures({ net: to.net.minus(from.net), commission: to.commission.minus(from.commission), rebate: to.rebate.minus(from.rebate) }) };
}
