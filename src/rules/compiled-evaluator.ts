import { isRuleInForce, type PricingRule } from '../domain/agreement';
import type { FactName, Facts, FactValue } from '../domain/line-facts';
import type { LineEvaluation, RuleMiss, SyncConditionEvaluator } from './evaluator';
import { firstFailedLeaf, type ResultNode } from './first-failed-leaf';
import { DATE_COMPARISONS, DECIMAL_COMPARISONS, isIsoDateText, toDecimal } from './operators';
import type { ConditionJson, RuleJson } from './rule-json';
import { RulesetError, type RuleProblem } from './ruleset-error';

/** A leaf's comparison with its rule value bound at compile time; `undefined` is a missing fact. */
type LeafTest = (factValue: FactValue | undefined) => boolean;
type Holds = (facts: Facts) => boolean;

type CompiledCondition =
  | { readonly kind: 'leaf'; readonly fact: FactName; readonly operator: string; readonly value: unknown; readonly test: LeafTest }
  | { readonly kind: 'all' | 'any'; readonly children: readonly CompiledCondition[] }
  | { readonly kind: 'not'; readonly child: CompiledCondition };

interface CompiledRule {
  readonly rule: PricingRule;
  readonly condition: CompiledCondition;
  readonly holds: Holds;
}

const EMPTY: readonly RuleMiss[] = [];
/** Above this many values an `in` list is looked up in a Set (same answer: the values hold no NaN). */
const SET_LOOKUP_FROM = 8;

/**
 * Condition evaluation compiled once, at load, into synchronous closures with exactly
 * json-rules-engine 7's semantics for what the rule schema allows:
 * - `equal`/`notEqual` are `===`/`!==`; `in`/`notIn` are `value.indexOf(fact) > -1` / `=== -1`;
 * - the decimal and date operators of operators.ts, with the rule value parsed once;
 * - `all` of [] and `any` of [] are both true (json-rules-engine resolves an empty list to
 *   true whatever the operator); `not` negates its one condition;
 * - a fact the line does not have is `undefined` (json-rules-engine with allowUndefinedFacts).
 * Every leaf is pure, so short-circuiting gives json-rules-engine's outcome without its
 * per-condition promises. Explanations report the same first failed leaf: json-rules-engine
 * evaluates every leaf, and both evaluators pass the full result tree to {@link firstFailedLeaf}.
 * Anything else — an unknown fact or operator, `path`, `params`, condition priorities or
 * references, fact-valued or object values, `in` without a list — is refused at load with a
 * {@link RulesetError} rather than guessed at.
 */
export class CompiledEvaluator implements SyncConditionEvaluator {
  private readonly compiled: readonly CompiledRule[];
  private lastDate: string | undefined;
  private lastInForce: readonly CompiledRule[] = [];

  /**
   * @param rules the rules of one version, conditions as the loader flattened them (no params)
   * @param ordered the same rules as the domain sees them, in the version's rule order
   * @param knownFacts the fact names the version's conditions may read
   * @param fileOf the file of a rule, for error reports
   */
  constructor(rules: readonly RuleJson[], ordered: readonly PricingRule[], knownFacts: ReadonlySet<string>, fileOf: (ruleId: string) => string = (id) => `${id}.json`) {
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    const problems: RuleProblem[] = [];
    const compiled: CompiledRule[] = [];
    for (const rule of ordered) {
      const json = byId.get(rule.id);
      if (json === undefined) {
        problems.push({ file: fileOf(rule.id), ruleId: rule.id, reason: 'no authored conditions for this rule' });
        continue;
      }
      const report = (reason: string): void => {
        problems.push({ file: fileOf(rule.id), ruleId: rule.id, reason });
      };
      const condition = compileRoot(json.conditions, knownFacts, report);
      if (condition !== undefined) compiled.push({ rule, condition, holds: toHolds(condition) });
    }
    if (problems.length > 0) throw new RulesetError(problems);
    this.compiled = compiled;
  }

  /** The same answer as {@link evaluateLinesSync}, as a promise (the ConditionEvaluator contract). */
  evaluateLines(date: string, lines: readonly Facts[], options: { readonly explain: boolean }): Promise<LineEvaluation[]> {
    try {
      return Promise.resolve(this.evaluateLinesSync(date, lines, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Which rules fire on each line, without promises; `missed` is filled only with `explain`. */
  evaluateLinesSync(date: string, lines: readonly Facts[], options: { readonly explain: boolean }): LineEvaluation[] {
    const inForce = this.rulesInForce(date);
    const evaluations: LineEvaluation[] = new Array<LineEvaluation>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const facts = lines[i]!;
      const fired: PricingRule[] = [];
      for (const compiled of inForce) if (compiled.holds(facts)) fired.push(compiled.rule);
      evaluations[i] = { fired, missed: options.explain ? this.explainMisses(date, facts) : EMPTY };
    }
    return evaluations;
  }

  private rulesInForce(date: string): readonly CompiledRule[] {
    if (date !== this.lastDate) {
      this.lastInForce = this.compiled.filter((compiled) => isRuleInForce(compiled.rule, date));
      this.lastDate = date;
    }
    return this.lastInForce;
  }

  private explainMisses(date: string, facts: Facts): RuleMiss[] {
    const missed: RuleMiss[] = [];
    for (const { rule, condition, holds } of this.compiled) {
      if (!isRuleInForce(rule, date)) {
        missed.push({ ruleId: rule.id, reason: 'not-in-force' });
      } else if (!holds(facts)) {
        const failedCondition = firstFailedLeaf(toResultNode(condition, facts), '');
        missed.push({ ruleId: rule.id, reason: 'condition-failed', ...(failedCondition === undefined ? {} : { failedCondition }) });
      }
    }
    return missed;
  }
}

function compileRoot(root: ConditionJson, knownFacts: ReadonlySet<string>, report: (reason: string) => void): CompiledCondition | undefined {
  if (!isPlainObject(root) || 'fact' in root) {
    report('/conditions: the root must be one of all, any or not');
    return undefined;
  }
  return compileCondition(root, '/conditions', knownFacts, report);
}

function compileCondition(node: unknown, path: string, knownFacts: ReadonlySet<string>, report: (reason: string) => void): CompiledCondition | undefined {
  if (!isPlainObject(node)) {
    report(`${path}: a condition must be an object`);
    return undefined;
  }
  const keys = Object.keys(node);
  const boolean = keys.filter((key) => key === 'all' || key === 'any' || key === 'not');
  if (boolean.length > 0) {
    if (keys.length !== 1) {
      report(`${path}: a boolean condition has exactly one key (all, any or not); found ${keys.join(', ')}`);
      return undefined;
    }
    const key = boolean[0] as 'all' | 'any' | 'not';
    const inner = node[key];
    if (key === 'not') {
      const child = compileCondition(inner, `${path}/not`, knownFacts, report);
      return child === undefined ? undefined : { kind: 'not', child };
    }
    if (!Array.isArray(inner)) {
      report(`${path}/${key}: must be a list of conditions`);
      return undefined;
    }
    const children = inner.map((child, i) => compileCondition(child, `${path}/${key}/${i}`, knownFacts, report));
    return children.every((child) => child !== undefined) ? { kind: key, children: children as CompiledCondition[] } : undefined;
  }
  return compileLeaf(node, path, knownFacts, report);
}

function compileLeaf(node: Readonly<Record<string, unknown>>, path: string, knownFacts: ReadonlySet<string>, report: (reason: string) => void): CompiledCondition | undefined {
  const extra = Object.keys(node).filter((key) => key !== 'fact' && key !== 'operator' && key !== 'value');
  if (extra.length > 0) {
    report(`${path}: the compiler does not support ${extra.map((key) => `"${key}"`).join(', ')} in a condition`);
    return undefined;
  }
  const { fact, operator, value } = node;
  if (typeof fact !== 'string' || !knownFacts.has(fact)) {
    report(`${path}: unknown fact ${JSON.stringify(fact)}`);
    return undefined;
  }
  if (typeof operator !== 'string') {
    report(`${path}: the operator must be a string`);
    return undefined;
  }
  if (!isPrimitive(value) && !(Array.isArray(value) && value.every(isPrimitive))) {
    report(`${path}: the value must be a string, boolean, integer or a list of them (fact references are not supported)`);
    return undefined;
  }
  const test = compileTest(operator, value);
  if (typeof test === 'string') {
    report(`${path}: ${test}`);
    return undefined;
  }
  return { kind: 'leaf', fact: fact as FactName, operator, value, test };
}

/** The leaf comparison of `operator` against `value`, or why it cannot be compiled. */
function compileTest(operator: string, value: unknown): LeafTest | string {
  switch (operator) {
    case 'equal':
      return (factValue) => factValue === value;
    case 'notEqual':
      return (factValue) => factValue !== value;
    case 'contains':
      return (factValue) => Array.isArray(factValue) && factValue.indexOf(value) > -1;
    case 'doesNotContain':
      return (factValue) => Array.isArray(factValue) && factValue.indexOf(value) === -1;
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value)) return `operator ${operator} needs a list value`;
      const contains = membership(value as readonly unknown[]);
      return operator === 'in' ? contains : (factValue) => !contains(factValue);
    }
  }
  const decimalTest = DECIMAL_COMPARISONS[operator];
  if (decimalTest !== undefined) {
    const ruleDecimal = toDecimal(value);
    if (ruleDecimal === undefined) return () => false;
    return (factValue) => {
      const factDecimal = toDecimal(factValue);
      return factDecimal !== undefined && decimalTest(factDecimal.comparedTo(ruleDecimal));
    };
  }
  const dateTest = DATE_COMPARISONS[operator];
  if (dateTest !== undefined) {
    if (!isIsoDateText(value)) return () => false;
    return (factValue) => isIsoDateText(factValue) && dateTest(factValue, value);
  }
  return `the compiler does not support operator ${JSON.stringify(operator)}`;
}

/** `list.indexOf(x) > -1`: strict equality, as json-rules-engine's `in`. */
function membership(list: readonly unknown[]): LeafTest {
  if (list.length >= SET_LOOKUP_FROM) {
    const set = new Set(list);
    return (factValue) => set.has(factValue);
  }
  return (factValue) => list.indexOf(factValue) > -1;
}

function toHolds(condition: CompiledCondition): Holds {
  switch (condition.kind) {
    case 'leaf': {
      const { fact, test } = condition;
      return (facts) => test(facts[fact]);
    }
    case 'not': {
      const child = toHolds(condition.child);
      return (facts) => !child(facts);
    }
    case 'all':
    case 'any': {
      const children = condition.children.map(toHolds);
      if (children.length === 0) return () => true;
      if (children.length === 1) return children[0]!;
      const wanted = condition.kind === 'all';
      return (facts) => {
        for (const child of children) if (child(facts) !== wanted) return !wanted;
        return wanted;
      };
    }
  }
}

/** The condition evaluated in full, in json-rules-engine's result shape (for explanations). */
function toResultNode(condition: CompiledCondition, facts: Facts): ResultNode {
  switch (condition.kind) {
    case 'leaf': {
      const factResult = facts[condition.fact];
      return { fact: condition.fact, operator: condition.operator, value: condition.value, factResult, result: condition.test(factResult) };
    }
    case 'not':
      return { not: toResultNode(condition.child, facts) };
    case 'all':
      return { all: condition.children.map((child) => toResultNode(child, facts)) };
    case 'any':
      return { any: condition.children.map((child) => toResultNode(child, facts)) };
  }
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
