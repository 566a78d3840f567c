import { listGoldenCases, runGoldenCase, type CaseDifference, type GoldenCaseFile } from './golden-cases';
import { lintCatalog } from './lint-rules';
import type { RuleCatalog } from './rule-catalog';
import type { RuleProblem } from './ruleset-error';
import { timeSlicer, yieldToEventLoop } from './time-slicer';

/** The outcome of one golden case. */
export interface GoldenCaseOutcome {
  readonly caseFile: GoldenCaseFile;
  readonly differences: readonly CaseDifference[];
}

/** Runs every golden case under `rulesDir` against `catalog`, in file order. */
export async function runAllGoldenCases(catalog: RuleCatalog, rulesDir: string): Promise<GoldenCaseOutcome[]> {
  const outcomes: GoldenCaseOutcome[] = [];
  const slicer = timeSlicer();
  for (const caseFile of listGoldenCases(rulesDir)) {
    await slicer.maybeYield();
    outcomes.push({ caseFile, differences: await runGoldenCase(catalog, caseFile.goldenCase) });
  }
  return outcomes;
}

/**
 * Everything a rules directory must pass before it is served, beyond what loading checks
 * (schema, semantics, lock): the lint ({@link lintCatalog}) and every golden case. Returns
 * the problems; an empty list means the catalog may be swapped in.
 */
export async function validateCatalog(catalog: RuleCatalog, rulesDir: string): Promise<RuleProblem[]> {
  const problems: RuleProblem[] = [...(await lintCatalog(catalog)).errors];
  await yieldToEventLoop();
  let outcomes: GoldenCaseOutcome[];
  try {
    outcomes = await runAllGoldenCases(catalog, rulesDir);
  } catch (error) {
    return [...problems, { file: rulesDir, reason: `golden cases cannot be read: ${error instanceof Error ? error.message : String(error)}` }];
  }
  for (const { caseFile, differences } of outcomes) {
    if (differences.length === 0) continue;
    const shown = differences.slice(0, 5).map(describeDifference).join('; ');
    problems.push({
      file: caseFile.file,
      reason: `golden case "${caseFile.goldenCase.name}" fails: ${shown}${differences.length > 5 ? `; and ${differences.length - 5} more` : ''}`,
      hint: "if the figures changed on purpose (a new version is in force on the case's date), update the case's expected figures; otherwise fix the rules",
    });
  }
  return problems;
}

/** One difference as `path: expected X, got Y` (values as JSON, so "0.10" and "0.1" differ visibly). */
export function describeDifference(difference: CaseDifference): string {
  return `${difference.path === '' ? '(result)' : difference.path}: expected ${JSON.stringify(difference.expected)}, got ${JSON.stringify(difference.actual)}`;
}
