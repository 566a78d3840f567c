import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DomainError, OrderRefused } from '../domain/errors';
import { wireStatement } from '../domain/settlement';
import type { QuoteInput } from '../domain/quote';
import { calculateQuote } from './calculate-quote';
import { calculateSettlement, type SettlementRequest } from './calculate-settlement';
import type { RuleCatalog } from './rule-catalog';
import type { RuleProblem } from './ruleset-error';

/** A golden case file: a request and the figures it must give (a subset of the response). */
export interface GoldenCase {
  readonly name: string;
  readonly kind: string;
  readonly request: unknown;
  readonly expect?: unknown;
  readonly expectError?: { readonly code: string; readonly issues?: readonly unknown[]; readonly breaches?: readonly unknown[] };
}

export interface GoldenCaseFile {
  readonly agreement: string;
  readonly file: string;
  readonly goldenCase: GoldenCase;
}

/** One place where the actual result differs from the expected one. */
export interface CaseDifference {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Computes the actual outcome of a case of one kind (quote, settlement, …). */
export type CaseRunner = (catalog: RuleCatalog, request: unknown) => Promise<unknown>;

const runners = new Map<string, CaseRunner>([
  ['quote', (catalog, request) => calculateQuote(catalog, request as QuoteInput)],
  ['settlement', async (catalog, request) => wireStatement(await calculateSettlement(catalog, request as SettlementRequest))],
]);

/** Lets another capability (settlement, …) run golden cases of its kind. */
export function registerCaseRunner(kind: string, runner: CaseRunner): void {
  runners.set(kind, runner);
}

/** Every `rules/<agreement>/cases/*.json`, sorted by agreement and file name. */
export function listGoldenCases(rulesDir: string): GoldenCaseFile[] {
  const found: GoldenCaseFile[] = [];
  for (const agreement of readdirSync(rulesDir).sort()) {
    const casesDir = path.join(rulesDir, agreement, 'cases');
    let names: string[];
    try {
      names = readdirSync(casesDir).filter((name) => name.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(casesDir, name);
      found.push({ agreement, file: path.relative(rulesDir, file), goldenCase: JSON.parse(readFileSync(file, 'utf8')) as GoldenCase });
    }
  }
  return found;
}

/** Runs one case; an empty list of differences means it passes. */
export async function runGoldenCase(catalog: RuleCatalog, goldenCase: GoldenCase): Promise<CaseDifference[]> {
  const runner = runners.get(goldenCase.kind);
  if (runner === undefined) return [{ path: 'kind', expected: [...runners.keys()], actual: goldenCase.kind }];
  let actual: unknown;
  try {
    actual = await runner(catalog, goldenCase.request);
  } catch (error) {
    if (goldenCase.expectError !== undefined && error instanceof DomainError) {
      return compareSubset(goldenCase.expectError, { code: error.code, issues: error.issues, ...(error instanceof OrderRefused ? { breaches: error.breaches } : {}) }, 'error');
    }
    return [{ path: '', expected: goldenCase.expectError ?? 'a result', actual: error instanceof Error ? `${error.name}: ${error.message}` : error }];
  }
  if (goldenCase.expectError !== undefined) return [{ path: 'error', expected: goldenCase.expectError, actual: 'a result' }];
  return compareSubset(goldenCase.expect, actual, '');
}

/**
 * Compares an expected subset with an actual value: every key of an expected object must
 * match; arrays must have the same length and match element by element; scalars are
 * compared exactly (decimal strings as strings, so "0.10" ≠ "0.1").
 */
export function compareSubset(expected: unknown, actual: unknown, at: string): CaseDifference[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path: at, expected, actual }];
    if (actual.length !== expected.length) return [{ path: `${at}.length`, expected: expected.length, actual: actual.length }];
    return expected.flatMap((item, i) => compareSubset(item, actual[i], `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [{ path: at, expected, actual }];
    return Object.entries(expected).flatMap(([key, value]) => compareSubset(value, (actual as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`));
  }
  return Object.is(expected, actual) ? [] : [{ path: at, expected, actual }];
}

/**
 * The version a case exercises, `<agreement>/<effectiveFrom>`: the version of the case's
 * agreement in force on its date (a quote's `date`, a settlement's `period.from`). Undefined
 * when the case has no date (a quote priced "today" pins no version) or no version is in force
 * then (a case of the refusal before the first version).
 */
export function caseVersionKey(catalog: RuleCatalog, caseFile: GoldenCaseFile): string | undefined {
  const request = (caseFile.goldenCase.request ?? {}) as { agreement?: unknown; date?: unknown; period?: { from?: unknown } };
  const agreement = typeof request.agreement === 'string' ? request.agreement : caseFile.agreement;
  const date = typeof request.date === 'string' ? request.date : typeof request.period?.from === 'string' ? request.period.from : undefined;
  if (date === undefined || !catalog.agreementIds().includes(agreement)) return undefined;
  const first = catalog.versions(agreement)[0];
  if (first === undefined || date < first.version.effectiveFrom) return undefined;
  return `${agreement}/${catalog.versionOn(agreement, date).version.effectiveFrom}`;
}

/**
 * What stops versions from being recorded in rules.lock.json: a version with no golden case
 * dated in it, or one of its cases failing. `keys` are `<agreement>/<effectiveFrom>`; an empty
 * answer means every one of them may be recorded.
 */
export async function checkVersionCases(catalog: RuleCatalog, rulesDir: string, keys: readonly string[]): Promise<RuleProblem[]> {
  if (keys.length === 0) return [];
  const cases = listGoldenCases(rulesDir);
  const problems: RuleProblem[] = [];
  for (const key of keys) {
    const own = cases.filter((caseFile) => caseVersionKey(catalog, caseFile) === key);
    if (own.length === 0) {
      const agreement = key.slice(0, key.indexOf('/'));
      problems.push({
        file: `${key}/`,
        reason: `version ${key} has no golden case, so it is not recorded in rules.lock.json`,
        hint: `add rules/${agreement}/cases/*.json whose request is dated while ${key} is in force, with the figures worked out by hand, and run the lint again`,
      });
      continue;
    }
    for (const caseFile of own) {
      const differences = await runGoldenCase(catalog, caseFile.goldenCase);
      if (differences.length === 0) continue;
      const first = differences[0]!;
      problems.push({
        file: caseFile.file,
        reason: `golden case "${caseFile.goldenCase.name}" of version ${key} fails (${first.path === '' ? '(result)' : first.path}: expected ${JSON.stringify(first.expected)}, got ${JSON.stringify(first.actual)}${differences.length > 1 ? `; and ${differences.length - 1} more` : ''}), so ${key} is not recorded in rules.lock.json`,
        hint: '`npx suanpan rules test` shows every difference; fix the rules or, if the figures changed on purpose, the case',
      });
    }
  }
  return problems;
}
