/** One reason a rule file is refused: the file, the rule (when known) and what is wrong. */
export interface RuleProblem {
  readonly file: string;
  readonly ruleId?: string;
  readonly reason: string;
  /** How to fix it, when the reason does not already say. */
  readonly hint?: string;
}

/** Thrown when a rules directory cannot be loaded; lists every problem found, not just the first. */
export class RulesetError extends Error {
  readonly code = 'RULESET_INVALID';
  constructor(readonly problems: readonly RuleProblem[]) {
    super(`rule set refused:\n${problems.map(formatRuleProblem).join('\n')}`);
    this.name = 'RulesetError';
  }
}

/** One problem as a line a rule author reads: file, rule, reason and (indented below) the fix. */
export function formatRuleProblem(problem: RuleProblem): string {
  const line = `  ${problem.file}${problem.ruleId === undefined ? '' : ` [rule ${problem.ruleId}]`}: ${problem.reason}`;
  return problem.hint === undefined ? line : `${line}\n    fix: ${problem.hint}`;
}
