import { Engine } from 'json-rules-engine';
import { isRuleInForce, type PricingRule } from '../domain/agreement';
import type { Facts } from '../domain/line-facts';
import type { ConditionEvaluator, LineEvaluation, RuleMiss } from './evaluator';
import { firstFailedLeaf, type ResultNode } from './first-failed-leaf';
import { CUSTOM_OPERATORS } from './operators';
import type { RuleJson } from './rule-json';

/**
 * The reference evaluator: stock json-rules-engine with suanpan's decimal and date operators.
 * One engine per version; runs are queued one at a time because concurrent `run()` calls on
 * one Engine lose events (json-rules-engine issue 303).
 */
export class JsonRulesEngineEvaluator implements ConditionEvaluator {
  private readonly engine: Engine;
  private readonly byId: ReadonlyMap<string, PricingRule>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(rules: readonly RuleJson[], private readonly ordered: readonly PricingRule[]) {
    this.engine = createEngine(rules);
    this.byId = new Map(ordered.map((rule) => [rule.id, rule]));
  }

  evaluateLines(date: string, lines: readonly Facts[], options: { readonly explain: boolean }): Promise<LineEvaluation[]> {
    const run = this.queue.then(async () => {
      const evaluations: LineEvaluation[] = [];
      for (const facts of lines) evaluations.push(await this.evaluateLine(date, facts, options.explain));
      return evaluations;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateLine(date: string, facts: Facts, explain: boolean): Promise<LineEvaluation> {
    const outcome = await this.engine.run({ ...facts });
    const passed = new Set(outcome.results.map((result) => result.name));
    const fired = this.ordered.filter((rule) => passed.has(rule.id) && isRuleInForce(rule, date));
    if (!explain) return { fired, missed: [] };
    const missed: RuleMiss[] = [];
    for (const rule of this.ordered) {
      if (!isRuleInForce(rule, date)) {
        missed.push({ ruleId: rule.id, reason: 'not-in-force' });
      }
    }
    for (const result of outcome.failureResults) {
      const rule = this.byId.get(result.name);
      if (rule === undefined || !isRuleInForce(rule, date)) continue;
      const failedCondition = firstFailedLeaf(result.conditions as unknown as ResultNode, '');
      missed.push({ ruleId: result.name, reason: 'condition-failed', ...(failedCondition === undefined ? {} : { failedCondition }) });
    }
    const order = new Map(this.ordered.map((rule, i) => [rule.id, i]));
    missed.sort((a, b) => order.get(a.ruleId)! - order.get(b.ruleId)!);
    return { fired, missed };
  }
}

/** A json-rules-engine Engine holding the rules, with undefined facts allowed and suanpan's operators added. */
export function createEngine(rules: readonly RuleJson[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
  for (const rule of rules) {
    engine.addRule({
      name: rule.id,
      priority: rule.priority,
      conditions: structuredClone(rule.conditions) as never,
      event: { type: rule.event.type, params: { ruleId: rule.id } },
    });
  }
  return engine;
}
