import type { FactName, Facts } from '../domain/line-facts';
import type { FiredRules } from '../domain/price-quote';
import { isSyncEvaluator } from './evaluator';
import type { RuleSet } from './rule-catalog';
import { isLeaf, type ConditionJson } from './rule-json';

/** The facts the conditions of a version's rules read; no other fact can change which rules fire. */
export function referencedFacts(ruleSet: RuleSet): FactName[] {
  const facts = new Set<FactName>();
  const walk = (condition: ConditionJson): void => {
    if (isLeaf(condition)) facts.add(condition.fact as FactName);
    else if ('all' in condition) condition.all.forEach(walk);
    else if ('any' in condition) condition.any.forEach(walk);
    else walk(condition.not);
  };
  for (const rule of ruleSet.rules) walk(rule.conditions);
  return [...facts].sort();
}

/**
 * Remembers which rules fired for a line, keyed by its date (rules have validity dates) and
 * the values of the facts the rules read. A settlement prices up to millions of lines whose
 * keys repeat (a channel, a buyer's flags, a category), so most lines skip the evaluator;
 * a miss asks the version's evaluator, so the answer is always the evaluator's.
 */
export class FiredRulesCache {
  private readonly facts: readonly FactName[];
  private readonly known = new Map<string, FiredRules>();

  constructor(
    private readonly ruleSet: RuleSet,
    private readonly maxEntries = 50_000,
  ) {
    this.facts = referencedFacts(ruleSet);
  }

  /** The rules that fire on each line, in line order. */
  async fire(date: string, lines: readonly Facts[]): Promise<FiredRules[]> {
    const keys = lines.map((facts) => this.key(date, facts));
    const missing = this.missing(keys);
    if (missing.length > 0) this.remember(keys, missing, await this.ruleSet.evaluator.evaluateLines(date, missing.map((i) => lines[i]!), { explain: false }));
    return keys.map((key) => this.known.get(key)!);
  }

  /**
   * {@link fire} without a promise, when it can answer at once: every line is remembered, or
   * the version's evaluator is synchronous (the compiled one is); undefined otherwise. A
   * settlement fires rules for every transaction of a month, and a promise each is garbage.
   */
  fireNow(date: string, lines: readonly Facts[]): FiredRules[] | undefined {
    const fired: FiredRules[] = [];
    for (const facts of lines) {
      const known = this.known.get(this.key(date, facts));
      if (known === undefined) break;
      fired.push(known);
    }
    if (fired.length === lines.length) return fired;
    const keys = lines.map((facts) => this.key(date, facts));
    const missing = this.missing(keys);
    if (missing.length > 0) {
      const evaluator = this.ruleSet.evaluator;
      if (!isSyncEvaluator(evaluator)) return undefined;
      this.remember(keys, missing, evaluator.evaluateLinesSync(date, missing.map((i) => lines[i]!), { explain: false }));
    }
    return keys.map((key) => this.known.get(key)!);
  }

  private missing(keys: readonly string[]): number[] {
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) if (!this.known.has(keys[i]!)) missing.push(i);
    return missing;
  }

  private remember(keys: readonly string[], missing: readonly number[], evaluations: readonly { readonly fired: FiredRules }[]): void {
    if (this.known.size + missing.length > this.maxEntries) this.known.clear();
    missing.forEach((lineIndex, j) => this.known.set(keys[lineIndex]!, evaluations[j]!.fired));
  }

  private key(date: string, facts: Facts): string {
    let key = date;
    for (const fact of this.facts) key += `\u0000${String(facts[fact])}`;
    return key;
  }
}
