import type { AgreementVersion, Label } from '../domain/agreement';
import type { AttributeDeclaration } from '../domain/agreement';
import type { Adjustment, AttributeValue, CouponOutcome, GiftLine, QuoteTotals } from '../domain/quote';
import type { ExplainedQuote, LineExplanation } from '../rules/calculate-quote';

/** What the quote document says once about each rule its figures name. */
export interface RuleReference {
  readonly clause: string;
  readonly label: Label;
  /** The rule's action type: price-factor, percentage-discount, tiered-discount, price-floor, commission, rebate-accrual, free-goods. */
  readonly type: string;
}

/**
 * The wire form of a quote (openapi.yaml `Quote`, without the issue fields and signature).
 * Every figure names its rule by id; what the rule is (clause, label in 中文 and English,
 * action type) is written once, in `rules`. Every object is built with its members in
 * RFC 8785 order (UTF-16 code units of the names), so the canonical JSON the quote is signed
 * over is JSON.stringify of the document, and the response body can be that same string.
 */
export interface QuoteDocument {
  readonly agreement: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly buyer: Readonly<Record<string, AttributeValue>>;
  readonly channel: string;
  readonly coupon?: CouponOutcome;
  readonly currency: string;
  readonly date: string;
  readonly effectiveFrom: string;
  readonly gifts: readonly object[];
  readonly lines: readonly object[];
  readonly rules: Readonly<Record<string, RuleReference>>;
  readonly rulesetVersion: string;
  readonly totals: QuoteTotals;
}

const referencesByVersion = new WeakMap<AgreementVersion, ReadonlyMap<string, RuleReference>>();

/** What `rules` says of each rule of `version`, built once per version (frozen: every quote shares them). */
function referencesOf(version: AgreementVersion): ReadonlyMap<string, RuleReference> {
  let references = referencesByVersion.get(version);
  if (references === undefined) {
    // members in JCS order
    references = new Map(
      version.rules.map((rule) => [rule.id, Object.freeze({ clause: rule.clause, label: Object.freeze({ en: rule.label.en, zh: rule.label.zh }), type: rule.action.type })]),
    );
    referencesByVersion.set(version, references);
  }
  return references;
}

/**
 * The wire form of a quote priced under `version`: the domain quote without its internal
 * per-line decisions, with each rule's clause, label and type moved from the figures into
 * `rules` (those of every rule the document names, in id order).
 */
export function presentQuote(quote: ExplainedQuote, version: AgreementVersion): QuoteDocument {
  const named = new Set<string>();
  const lines = quote.lines.map((line) => {
    const adjustments = line.adjustments.map((adjustment) => presentAdjustment(adjustment, named));
    const { explanation } = line;
    // members in JCS order
    return {
      adjustments,
      amount: line.amount,
      commission: line.commission,
      ...(explanation === undefined ? {} : { explanation: presentExplanation(explanation, named) }),
      floorApplied: line.floorApplied,
      listAmount: line.listAmount,
      listPrice: line.listPrice,
      quantity: line.quantity,
      rebate: line.rebate,
      sku: line.sku,
      unitPrice: line.unitPrice,
    };
  });
  const gifts = quote.gifts.map((gift) => presentGift(gift, named));
  const { totals, buyer } = quote;
  const coupon = quote.coupon;
  return {
    agreement: quote.agreement,
    ...(version.attributes.order.size === 0 ? {} : { attributes: declaredValues(quote.attributes ?? {}, version.attributes.order) }),
    buyer: { id: buyer.id, ...declaredValues(buyer, version.attributes.buyer) },
    channel: quote.channel,
    ...(coupon === undefined
      ? {}
      : { coupon: { applied: coupon.applied, code: coupon.code, ...(coupon.reasons === undefined ? {} : { reasons: coupon.reasons.map((r) => ({ detail: r.detail, reason: r.reason, ruleId: r.ruleId })) }) } }),
    currency: quote.currency,
    date: quote.date,
    effectiveFrom: quote.effectiveFrom,
    gifts,
    lines,
    rules: ruleReferences(named, version),
    rulesetVersion: quote.rulesetVersion,
    totals: { commission: totals.commission, discount: totals.discount, gifts: totals.gifts, list: totals.list, net: totals.net, rebate: totals.rebate },
  };
}

function presentAdjustment(adjustment: Adjustment, named: Set<string>): object {
  named.add(adjustment.ruleId);
  return adjustment.payee === undefined
    ? { amount: adjustment.amount, base: adjustment.base, effect: adjustment.effect, rate: adjustment.rate, ruleId: adjustment.ruleId }
    : { amount: adjustment.amount, base: adjustment.base, effect: adjustment.effect, payee: adjustment.payee, rate: adjustment.rate, ruleId: adjustment.ruleId };
}

/**
 * Every declared attribute with its value, as the pricing read it (a boolean left out is
 * false, anything else null), members in JCS order (the declaration's names are sorted).
 */
function declaredValues(given: Readonly<Record<string, AttributeValue | undefined>>, declared: ReadonlyMap<string, AttributeDeclaration>): Record<string, AttributeValue> {
  const values: Record<string, AttributeValue> = {};
  for (const name of sortedNames(declared)) {
    const value = given[name];
    values[name] = value === undefined || value === null ? (declared.get(name)!.type === 'boolean' ? false : null) : value;
  }
  return values;
}

const sortedNamesCache = new WeakMap<ReadonlyMap<string, AttributeDeclaration>, readonly string[]>();

function sortedNames(declared: ReadonlyMap<string, AttributeDeclaration>): readonly string[] {
  let names = sortedNamesCache.get(declared);
  if (names === undefined) sortedNamesCache.set(declared, (names = [...declared.keys()].sort()));
  return names;
}

function presentGift(gift: GiftLine, named: Set<string>): object {
  named.add(gift.ruleId);
  return { listPrice: gift.listPrice, quantity: gift.quantity, ruleId: gift.ruleId, sku: gift.sku, unitPrice: gift.unitPrice, value: gift.value };
}

function presentExplanation(explanation: LineExplanation, named: Set<string>): object {
  for (const id of explanation.applied) named.add(id);
  const notApplied = explanation.notApplied.map((entry) => {
    named.add(entry.ruleId);
    const { failedCondition: failed, winner, detail } = entry;
    return {
      ...(detail === undefined ? {} : { detail }),
      ...(failed === undefined ? {} : { failedCondition: { fact: failed.fact, factValue: failed.factValue, operator: failed.operator, path: failed.path, value: failed.value } }),
      reason: entry.reason,
      ruleId: entry.ruleId,
      ...(winner === undefined ? {} : { winner }),
    };
  });
  return { applied: explanation.applied, notApplied };
}

function ruleReferences(named: ReadonlySet<string>, version: AgreementVersion): Record<string, RuleReference> {
  const known = referencesOf(version);
  const references: Record<string, RuleReference> = {};
  for (const id of [...named].sort()) {
    const reference = known.get(id);
    if (reference === undefined) throw new Error(`the quote names rule ${id}, which ${version.agreement} ${version.effectiveFrom} does not have`);
    references[id] = reference;
  }
  return references;
}
