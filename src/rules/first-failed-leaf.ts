import type { FactValue } from '../domain/line-facts';
import type { FailedCondition } from './evaluator';

/**
 * A condition after evaluation, in the shape json-rules-engine reports it
 * (`RuleResult.conditions`): boolean nodes with their children, leaves with the fact's value
 * (`factResult`) and the outcome (`result`). json-rules-engine evaluates every leaf of a rule
 * (sibling conditions of equal priority run together, without short-circuit), so every leaf
 * carries a result.
 */
export interface ResultNode {
  readonly all?: readonly ResultNode[];
  readonly any?: readonly ResultNode[];
  readonly not?: ResultNode;
  readonly fact?: string;
  readonly operator?: string;
  readonly value?: unknown;
  readonly factResult?: unknown;
  readonly result?: boolean;
}

/**
 * The condition an explanation names for a failed rule: the first leaf, in document order,
 * whose result is false — or a leaf directly under `not`, reported as `not <operator>`.
 * Both evaluators explain through this one function, so they can only differ in the
 * leaf results they feed it (which the differential test compares).
 */
export function firstFailedLeaf(node: ResultNode, path: string): FailedCondition | undefined {
  if (node.fact !== undefined) {
    return node.result === false
      ? { fact: node.fact, operator: node.operator ?? '', value: node.value, factValue: (node.factResult ?? null) as FactValue, path }
      : undefined;
  }
  for (const key of ['all', 'any'] as const) {
    const children = node[key];
    if (children === undefined) continue;
    for (let i = 0; i < children.length; i++) {
      const found = firstFailedLeaf(children[i]!, `${path}/${key}/${i}`);
      if (found !== undefined) return found;
    }
  }
  if (node.not !== undefined) {
    const inner = node.not;
    if (inner.fact !== undefined) {
      return { fact: inner.fact, operator: `not ${inner.operator ?? ''}`, value: inner.value, factValue: (inner.factResult ?? null) as FactValue, path: `${path}/not` };
    }
    return firstFailedLeaf(inner, `${path}/not`);
  }
  return undefined;
}
