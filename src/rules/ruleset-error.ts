/** One reason a rule file is refused: the file, the rule (when known) and what is wrong. */
export interface RuleProblem {
  readonly file: string;
  readonly ruleId?: string;
  readonly reason: string;
}

/** Thrown when a rules directory cannot be loaded; lists every problem found, not just the first. */
export class RulesetError extends Error {
  readonly code = 'RULESET_INVALID';
  constructor(readonly problems: readonly RuleProblem[]) {
    super(`rule set refused:\n${problems.map(formatRuleProblem).join('\n')}`);
    this.name = 'RulesetError';
  }
}

export function formatRuleProblem(problem: RuleProblem): string {
  return `  ${problem.file}${problem.ruleId === undefined ? '' : ` [rule ${problem.ruleId}]`}: ${problem.reason}`;
}
