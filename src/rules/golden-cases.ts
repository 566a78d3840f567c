import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DomainError, OrderRefused } from '../domain/errors';
import type { QuoteInput } from '../domain/quote';
import { calculateQuote } from './calculate-quote';
import { calculateSettlement, type SettlementRequest } from './calculate-settlement';
import type { RuleCatalog } from './rule-catalog';

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
  ['settlement', (catalog, request) => calculateSettlement(catalog, request as SettlementRequest)],
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
