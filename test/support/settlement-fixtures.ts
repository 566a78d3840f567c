import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../src/domain/errors';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import type { SettlementRequest } from '../../src/rules/calculate-settlement';
import { RULES_DIR } from './test-app';

export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures/settlement');

/** The settlement worked example of docs/agreements/chamber-baiyikang.md, as the JSON request of its golden case. */
export function workedExampleRequest(): SettlementRequest {
  const file = path.join(RULES_DIR, 'chamber-baiyikang/cases/settlement-worked-example.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { request: SettlementRequest }).request;
}

/** The statement figures docs/agreements/chamber-baiyikang.md gives for its worked example (written by hand, not computed). */
export const WORKED_EXAMPLE = {
  volume: { 'chamber-supply': '33081.41', 'member-direct': '849.30', 'group-buy': '291852.00' },
  supplyPayable: '33081.41',
  commission: '32578.27',
  rebate: { buyer: 'ENT-001', volume: '291852.00', accrued: '5837.04', rate: '0.03', final: '8755.56', trueUp: '2918.52' },
  breach: { sku: 'BYK-H01', lowestFactor: '0.8', institution: '某医院', breach: true, compensation: '1932.00' },
  compensation: '1932.00',
  giftsValue: '15976.00',
  discrepancy: { transaction: 'T1', sku: 'BYK-L02', quantity: 7, invoicedUnitPrice: '33.92', agreedUnitPrice: '33.915', difference: '0.03' },
  chamberPaysSupplier: '-1428.86',
} as const;

export function loadCatalog(): RuleCatalog {
  return RuleCatalog.load(RULES_DIR);
}

/** Checks a statement (JSON) against the worked example's figures. */
export function expectWorkedExample(statement: Record<string, unknown>): void {
  expect(statement).toMatchObject({
    volume: WORKED_EXAMPLE.volume,
    supplyPayable: WORKED_EXAMPLE.supplyPayable,
    commission: WORKED_EXAMPLE.commission,
    rebates: [expect.objectContaining(WORKED_EXAMPLE.rebate)],
    priceGuarantee: [expect.objectContaining(WORKED_EXAMPLE.breach)],
    compensation: WORKED_EXAMPLE.compensation,
    giftsValue: WORKED_EXAMPLE.giftsValue,
    discrepancies: [expect.objectContaining(WORKED_EXAMPLE.discrepancy)],
    chamberPaysSupplier: WORKED_EXAMPLE.chamberPaysSupplier,
  });
}

/** The issues of a refused settlement as [pointer, code]; fails the test when it was not refused. */
export async function settlementIssues(promise: Promise<unknown>): Promise<[string, string | undefined][]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('INVALID_SETTLEMENT');
  return (error as DomainError).issues.map((issue) => [issue.pointer, issue.code]);
}

/** A settlement golden case (request and expected answer) as rules/<agreement>/cases/*.json hold it. */
interface SettlementCase {
  readonly kind: string;
  readonly request: SettlementRequest;
  readonly expect: { readonly programmes?: readonly { readonly ruleId: string; readonly period: { readonly from: string; readonly to: string }; readonly closes: boolean }[] };
}

/**
 * A golden case of the bundled rules, chosen by what it holds (never by name): a monthly
 * statement that closes a quarter programme, with the quarter's earlier months given as prior
 * transactions — so a ledger holding its priors and transactions has the whole quarter. The
 * request, and the programme's rule id and period.
 */
export function quarterClosingCase(): { request: SettlementRequest; ruleId: string; quarter: { from: string; to: string } } {
  for (const agreement of readdirSync(RULES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
    const dir = path.join(RULES_DIR, agreement, 'cases');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.json')).sort()) {
      const found = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as SettlementCase;
      if (found.kind !== 'settlement' || (found.request.priorTransactions ?? []).length === 0) continue;
      const line = found.expect.programmes?.find((p) => p.closes && monthsBetween(p.period.from, p.period.to) === 3 && p.period.to === found.request.period.to);
      if (line !== undefined && found.request.priorTransactions!.some((tx) => tx.date.slice(0, 7) === line.period.from.slice(0, 7))) return { request: found.request, ruleId: line.ruleId, quarter: line.period };
    }
  }
  throw new Error(`no settlement case in ${RULES_DIR} closes a quarter programme with its earlier months as prior transactions`);
}

/**
 * A golden case of the bundled rules, chosen by what it holds (never by name): a one-month
 * settlement with external sales whose expected price-guarantee compensation is not zero, and
 * neither prior transactions nor claims — so a ledger holding its transactions and external
 * sales has the whole month. Its request.
 */
export function externalSalesCase(): SettlementRequest {
  for (const agreement of readdirSync(RULES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
    const dir = path.join(RULES_DIR, agreement, 'cases');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.json')).sort()) {
      const found = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as SettlementCase & { expect?: { compensation?: string } };
      if (found.kind !== 'settlement' || (found.request.externalSales ?? []).length === 0) continue;
      if ((found.request.priorTransactions ?? []).length > 0 || found.request.claimed !== undefined) continue;
      if (found.request.period.from.slice(0, 7) !== found.request.period.to.slice(0, 7)) continue;
      if (/[1-9]/.test(found.expect?.compensation ?? '')) return found.request;
    }
  }
  throw new Error(`no settlement case in ${RULES_DIR} has external sales that give a price-guarantee compensation`);
}

function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}
