import type { FactName, FactValue, Facts } from '../domain/line-facts';
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

/** Fired rules by a line's date, then by the value of each fact the rules read, in {@link referencedFacts} order. */
type FiredByFacts = Map<FactValue, FiredByFacts | FiredRules>;

/**
 * Remembers which rules fired for a line, keyed by its date (rules have validity dates) and
 * the values of the facts the rules read. A settlement prices up to millions of lines whose
 * keys repeat (a channel, a buyer's flags, a category), so most lines skip the evaluator;
 * a miss asks the version's evaluator, so the answer is always the evaluator's. The key is
 * looked up value by value in nested maps, not joined into a string: no string per line.
 */
export class FiredRulesCache {
  private readonly facts: readonly FactName[];
  private known: FiredByFacts = new Map();
  private size = 0;

  constructor(
    private readonly ruleSet: RuleSet,
    private readonly maxEntries = 50_000,
  ) {
    this.facts = referencedFacts(ruleSet);
  }

  /** The rules that fire on each line, in line order. */
  async fire(date: string, lines: readonly Facts[]): Promise<FiredRules[]> {
    const fired = this.knownOf(date, lines);
    const missing = missingOf(fired);
    if (missing.length > 0) this.remember(date, lines, fired, missing, await this.ruleSet.evaluator.evaluateLines(date, missing.map((i) => lines[i]!), { explain: false }));
    return fired as FiredRules[];
  }

  /**
   * {@link fire} without a promise, when it can answer at once: every line is remembered, or
   * the version's evaluator is synchronous (the compiled one is); undefined otherwise. A
   * settlement fires rules for every transaction of a month, and a promise each is garbage.
   */
  fireNow(date: string, lines: readonly Facts[]): FiredRules[] | undefined {
    const fired = this.knownOf(date, lines);
    const missing = missingOf(fired);
    if (missing.length > 0) {
      const evaluator = this.ruleSet.evaluator;
      if (!isSyncEvaluator(evaluator)) return undefined;
      this.remember(date, lines, fired, missing, evaluator.evaluateLinesSync(date, missing.map((i) => lines[i]!), { explain: false }));
    }
    return fired as FiredRules[];
  }

  /** What is remembered for each line (undefined where nothing is). */
  private knownOf(date: string, lines: readonly Facts[]): (FiredRules | undefined)[] {
    const fired: (FiredRules | undefined)[] = [];
    for (const facts of lines) fired.push(this.find(date, facts));
    return fired;
  }

  private find(date: string, facts: Facts): FiredRules | undefined {
    let node = this.known.get(date);
    for (const fact of this.facts) {
      if (node === undefined) return undefined;
      node = (node as FiredByFacts).get(facts[fact]);
    }
    return node as FiredRules | undefined;
  }

  /** Fills in the missing lines' rules and remembers them (forgetting everything first past maxEntries). */
  private remember(date: string, lines: readonly Facts[], fired: (FiredRules | undefined)[], missing: readonly number[], evaluations: readonly { readonly fired: FiredRules }[]): void {
    if (this.size + missing.length > this.maxEntries) {
      this.known = new Map();
      this.size = 0;
    }
    missing.forEach((lineIndex, j) => this.store(date, lines[lineIndex]!, evaluations[j]!.fired));
    // lines of one call with the same facts get the same list, the one remembered
    for (const lineIndex of missing) fired[lineIndex] = this.find(date, lines[lineIndex]!);
  }

  private store(date: string, facts: Facts, rules: FiredRules): void {
    const path = [date, ...this.facts.map((fact) => facts[fact])];
    let node = this.known;
    for (let i = 0; i < path.length - 1; i++) {
      let next = node.get(path[i]!) as FiredByFacts | undefined;
      if (next === undefined) node.set(path[i]!, (next = new Map()));
      node = next;
    }
    if (!node.has(path[path.length - 1]!)) this.size++;
    node.set(path[path.length - 1]!, rules);
  }
}

/** The lines with nothing remembered. */
function missingOf(fired: readonly (FiredRules | undefined)[]): number[] {
  const missing: number[] = [];
  for (let i = 0; i < fired.length; i++) if (fired[i] === undefined) missing.push(i);
  return missing;
}
