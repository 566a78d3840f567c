import { checkQuoteInput, buildLineFacts, type Facts } from '../domain/line-facts';
import { priceQuote } from '../domain/price-quote';
import type { Quote, QuoteInput, RuleDecision } from '../domain/quote';
import { STEP_OF_ACTION, type AgreementVersion, type Label, type PricingRule } from '../domain/agreement';
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
  const evaluations = isSyncEvaluator(evaluator) ? evaluator.evaluateLinesSync(input.date, facts, { explain }) : await evaluator.evaluateLines(input.date, facts, { explain });
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
  return finishQuote(ruleSet.version, input, evaluator.evaluateLinesSync(input.date, facts, { explain }), explain);
}

function prepareQuote(ruleSet: RuleSet, input: QuoteInput, options: { readonly explain?: boolean }): { facts: Facts[]; explain: boolean } {
  checkQuoteInput(ruleSet.version, input);
  return { facts: buildLineFacts(ruleSet.version, input), explain: options.explain === true };
}

function finishQuote(version: AgreementVersion, input: QuoteInput, evaluations: readonly LineEvaluation[], explain: boolean): ExplainedQuote {
  const quote = priceQuote(
    version,
    input,
    evaluations.map((evaluation) => evaluation.fired),
  );
  if (!explain) return quote;
  const labels = new Map(version.rules.filter(isLineRule).map((rule) => [rule.id, rule.label]));
  const lines = quote.lines.map((line, i) => {
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
  return { ...quote, lines };
}

function isLineRule(rule: PricingRule): boolean {
  return STEP_OF_ACTION[rule.action.type] !== 'settlement';
}
