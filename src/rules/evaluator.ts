import type { PricingRule } from '../domain/agreement';
import type { Facts, FactValue } from '../domain/line-facts';

/** The first leaf condition that did not hold, as a partner reads it in an explanation. */
export interface FailedCondition {
  readonly fact: string;
  readonly operator: string;
  readonly value: unknown;
  readonly factValue: FactValue;
  /** Where the leaf sits in the rule's conditions, as a JSON pointer. */
  readonly path: string;
}

/** Why a rule of the version was not among the fired rules of a line. */
export interface RuleMiss {
  readonly ruleId: string;
  readonly reason: 'condition-failed' | 'not-in-force';
  readonly failedCondition?: FailedCondition;
}

/** The outcome of a line's facts against every rule of a version. */
export interface LineEvaluation {
  /** Rules whose conditions held and that are in force, in the version's rule order. */
  readonly fired: readonly PricingRule[];
  /** Filled only when an explanation was asked for. */
  readonly missed: readonly RuleMiss[];
}

/**
 * Decides which rules of one agreement version fire for each line. The reference
 * implementation is json-rules-engine; a faster one must give the same answers.
 */
export interface ConditionEvaluator {
  evaluateLines(date: string, lines: readonly Facts[], options: { readonly explain: boolean }): Promise<LineEvaluation[]>;
}

/** An evaluator that can also answer synchronously: the quote path then never yields to the event loop. */
export interface SyncConditionEvaluator extends ConditionEvaluator {
  evaluateLinesSync(date: string, lines: readonly Facts[], options: { readonly explain: boolean }): LineEvaluation[];
}

/** True when `evaluator` offers {@link SyncConditionEvaluator.evaluateLinesSync}. */
export function isSyncEvaluator(evaluator: ConditionEvaluator): evaluator is SyncConditionEvaluator {
  return typeof (evaluator as Partial<SyncConditionEvaluator>).evaluateLinesSync === 'function';
}
