import { checkQuoteInput, buildLineFacts, type Facts } from '../domain/line-facts';
import { findBreaches, priceQuote } from '../domain/price-quote';
import type { CouponOutcome, Quote, QuoteInput, RuleDecision } from '../domain/quote';
import { isSettlementRule, type AgreementVersion, type Label, type PricingRule } from '../domain/agreement';
import { OrderRefused } from '../domain/errors';
import { isSyncEvaluator, type FailedCondition, type LineEvaluation } from './evaluator';
import type { RuleCatalog, RuleSet } from './rule-catalog';

/** Why each rule of the version did or did not change a line (`?explain=true`). */
export interface LineExplanation {
  readonly applied: readonly string[];
  readonly notApplied: readonly {
    readonly ruleId: string;
    readonly label: Label;
    readonly reason: 'condition-failed' | 'not-in-force' | RuleDecision['reason'];
    readonly failedCondition?: FailedCondition;
    readonly winner?: string;
    readonly detail?: string;
  }[];
}

export type ExplainedQuote = Omit<Quote, 'lines'> & { readonly lines: readonly (Quote['lines'][number] & { readonly explanation?: LineExplanation })[] };

/**
 * Prices a quote request with the rules in force on its date: selects the version, checks
 * the input against its catalog and channels, evaluates the conditions of each line, and
 * runs the pricing procedure of the domain core. With a synchronous evaluator (the compiled
 * default) nothing is awaited; the result is the same with either evaluator.
 */
export async function calculateQuote(catalog: RuleCatalog, input: QuoteInput, options: { readonly explain?: boolean } = {}): Promise<ExplainedQuote> {
  return calculateQuoteUnder(catalog.versionOn(input.agreement, input.date), input, options);
}

/**
 * Prices a quote request under one given version, whatever its date selects: what
 * verification (the version a quote pins) and `rules diff` (two versions side by side) need.
 */
export async function calculateQuoteUnder(ruleSet: RuleSet, input: QuoteInput, options: { readonly explain?: boolean } = {}): Promise<ExplainedQuote> {
  const { facts, explain } = prepareQuote(ruleSet, input, options);
  const evaluator = ruleSet.evaluator;
  const misses = { explain: missesNeeded(input, explain) };
  const evaluations = isSyncEvaluator(evaluator) ? evaluator.evaluateLinesSync(input.date, facts, misses) : await evaluator.evaluateLines(input.date, facts, misses);
  return finishQuote(ruleSet.version, input, evaluations, explain);
}

/**
 * {@link calculateQuote} without a promise: the hot path of the HTTP service and the batch
 * endpoint. Throws when the version's evaluator is asynchronous (SUANPAN_EVALUATOR=json-rules-engine).
 */
export function calculateQuoteSync(catalog: RuleCatalog, input: QuoteInput, options: { readonly explain?: boolean } = {}): ExplainedQuote {
  const ruleSet = catalog.versionOn(input.agreement, input.date);
  const { facts, explain } = prepareQuote(ruleSet, input, options);
  const evaluator = ruleSet.evaluator;
  if (!isSyncEvaluator(evaluator)) throw new Error(`the evaluator of ${ruleSet.version.agreement} ${ruleSet.version.effectiveFrom} is asynchronous; use calculateQuote`);
  return finishQuote(ruleSet.version, input, evaluator.evaluateLinesSync(input.date, facts, { explain: missesNeeded(input, explain) }), explain);
}

function prepareQuote(ruleSet: RuleSet, input: QuoteInput, options: { readonly explain?: boolean }): { facts: Facts[]; explain: boolean } {
  checkQuoteInput(ruleSet.version, input);
  return { facts: buildLineFacts(ruleSet.version, input), explain: options.explain === true };
}

/** The rules that did not fire are needed to explain the lines, or why a coupon did not apply. */
function missesNeeded(input: QuoteInput, explain: boolean): boolean {
  return explain || (input.coupon !== undefined && input.coupon !== null);
}

function finishQuote(version: AgreementVersion, input: QuoteInput, evaluations: readonly LineEvaluation[], explain: boolean): ExplainedQuote {
  const fired = evaluations.map((evaluation) => evaluation.fired);
  const breaches = findBreaches(version, fired);
  if (breaches.length > 0) throw new OrderRefused(breaches);
  const quote = priceQuote(version, input, fired);
  const priced = quote.coupon === undefined || quote.coupon.applied ? quote : { ...quote, coupon: couponReasons(version, quote.coupon, evaluations) };
  return explain ? { ...priced, lines: explainLines(version, quote, evaluations) } : priced;
}

/**
 * A coupon that did not apply, with a reason for each rule of its code: the minimum the
 * pricing found short, or the first condition that failed on the first line it failed on.
 */
function couponReasons(version: AgreementVersion, coupon: CouponOutcome, evaluations: readonly LineEvaluation[]): CouponOutcome {
  const reasons = [...(coupon.reasons ?? [])];
  for (const ruleId of version.coupons.get(coupon.code)?.ruleIds ?? []) {
    if (reasons.some((reason) => reason.ruleId === ruleId)) continue;
    for (const evaluation of evaluations) {
      const miss = evaluation.missed.find((candidate) => candidate.ruleId === ruleId);
      if (miss === undefined) continue;
      const failed = miss.failedCondition;
      reasons.push({
        ruleId,
        reason: miss.reason,
        detail: failed === undefined ? miss.reason : `${failed.fact} is ${JSON.stringify(failed.factValue)}, the rule needs ${failed.operator} ${JSON.stringify(failed.value)}`,
      });
      break;
    }
  }
  return { ...coupon, reasons };
}

function explainLines(version: AgreementVersion, quote: Quote, evaluations: readonly LineEvaluation[]): ExplainedQuote['lines'] {
  const labels = new Map(version.rules.filter(isLineRule).map((rule) => [rule.id, rule.label]));
  return quote.lines.map((line, i) => {
    const notApplied = [
      ...line.decisions.map((decision) => ({ ...decision, label: labels.get(decision.ruleId)! })),
      ...evaluations[i]!.missed.filter((miss) => labels.has(miss.ruleId)).map((miss) => ({ ...miss, label: labels.get(miss.ruleId)! })),
    ];
    const skipped = new Set(line.decisions.map((decision) => decision.ruleId));
    const explanation: LineExplanation = {
      applied: evaluations[i]!.fired.filter(isLineRule).map((rule) => rule.id).filter((id) => !skipped.has(id)),
      notApplied,
    };
    return { ...line, explanation };
  });
}

function isLineRule(rule: PricingRule): boolean {
  return !isSettlementRule(rule);
}
