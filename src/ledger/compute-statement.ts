import { createHash } from 'node:crypto';
import type { ClaimedFigures, ExternalSale, SettlementStatement, SettlementTransaction, TransactionLocator } from '../domain/settlement';
import { programmePeriod } from '../domain/settle-period';
import { openSettlement, type OpenSettlementOptions } from '../rules/calculate-settlement';
import type { RuleCatalog } from '../rules/rule-catalog';
import { periodOfDate, type Claim, type LedgerReader, type LedgerTransaction, type PeriodKey } from './ledger-store';

/** A period's statement as computed from the ledger, with what it was computed from. */
export interface ComputedStatement {
  readonly statement: SettlementStatement;
  readonly priorPeriodAdjustments: readonly { readonly period: PeriodKey; readonly statement: SettlementStatement }[];
  readonly ledger: { readonly transactions: number; readonly adjustments: number; readonly transactionsHash: string };
}

/** The first and last day of a month. */
export function daysOf(period: PeriodKey): { from: string; to: string } {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

/**
 * Computes a month's statement from the ledger with the stateless settlement: first, as prior
 * transactions, the sales of earlier months that the month's returns return (priced at their
 * own prices) and the earlier sales of any programme period (quarter, year) the month ends
 * part of, netted of their returns booked before the month; then the month's own
 * transactions, streamed; then its stored external sales (the price guarantee's evidence,
 * hashed into `transactionsHash` when there are any); then its claims. Prior-period adjustments booked in the month are
 * settled apart, one statement per month they are dated in.
 */
export async function computeStatement(catalog: RuleCatalog, reader: LedgerReader, agreement: string, period: PeriodKey, options: OpenSettlementOptions = {}): Promise<ComputedStatement> {
  const days = daysOf(period);
  const settlement = openSettlement(catalog, agreement, days, options);
  const hash = createHash('sha256');
  let transactions = 0;
  const adjustments: LedgerTransaction[] = [];
  try {
    const programmeStart = programmeStartOf(settlement.version.rules, days.to);
    if (programmeStart < period) {
      const netted = await returnedBefore(reader, agreement, programmeStart, period);
      for await (const tx of reader.readTransactions(agreement, programmeStart, previousPeriod(period))) {
        if (tx.returnOf !== undefined || tx.adjusted) continue;
        const sale = netOf(JSON.parse(tx.body) as SettlementTransaction, netted.get(tx.id));
        if (sale === undefined) continue;
        hash.update(`prior ${tx.id} ${tx.contentHash}\n`);
        await settlement.addPrior(sale, locatorOf(tx.id));
      }
    }
    for await (const tx of reader.readOriginals(agreement, period)) {
      if (tx.period >= programmeStart) continue; // already fed as a programme sale
      hash.update(`prior ${tx.id} ${tx.contentHash}\n`);
      await settlement.addPrior(JSON.parse(tx.body) as SettlementTransaction, locatorOf(tx.id));
    }
    for await (const tx of reader.readTransactions(agreement, period, period)) {
      if (tx.adjusted) {
        adjustments.push(tx);
        continue;
      }
      transactions++;
      hash.update(`${tx.id} ${tx.contentHash}\n`);
      await settlement.add(JSON.parse(tx.body) as SettlementTransaction, locatorOf(tx.id));
    }
    const external = await reader.externalSales(agreement, period);
    if (external !== undefined) {
      hash.update(`external ${period} ${external.contentHash}\n`);
      external.sales.forEach((body, i) => settlement.addExternalSale(JSON.parse(body) as ExternalSale, { field: (name) => `/ledger/externalSales/${period}/${i}/${name}` }));
    }
    const statement = await settlement.finish(claimedOf(await reader.claims(agreement, period)));
    const priorPeriodAdjustments = await settleAdjustments(catalog, reader, agreement, adjustments, hash, options);
    return { statement, priorPeriodAdjustments, ledger: { transactions, adjustments: adjustments.length, transactionsHash: hash.digest('hex') } };
  } finally {
    settlement.abort();
  }
}

/** Adjustments settled per month they are dated in, each with the originals of its returns. */
async function settleAdjustments(catalog: RuleCatalog, reader: LedgerReader, agreement: string, adjustments: readonly LedgerTransaction[], hash: ReturnType<typeof createHash>, options: OpenSettlementOptions): Promise<ComputedStatement['priorPeriodAdjustments']> {
  const byMonth = new Map<PeriodKey, LedgerTransaction[]>();
  for (const tx of adjustments) {
    const month = periodOfDate(tx.date);
    byMonth.set(month, [...(byMonth.get(month) ?? []), tx]);
  }
  const sections: { period: PeriodKey; statement: SettlementStatement }[] = [];
  for (const month of [...byMonth.keys()].sort()) {
    const group = byMonth.get(month)!;
    const days = daysOf(month);
    const settlement = openSettlement(catalog, agreement, days, options);
    try {
      const own = new Set(group.map((tx) => tx.id));
      const originals = await reader.findTransactions(agreement, [...new Set(group.flatMap((tx) => (tx.returnOf !== undefined && !own.has(tx.returnOf) ? [tx.returnOf] : [])))]);
      for (const original of originals) if (original.date < days.from) await settlement.addPrior(JSON.parse(original.body) as SettlementTransaction, locatorOf(original.id));
      const sameMonth = originals.filter((original) => original.date >= days.from);
      for (const tx of [...sameMonth, ...group]) {
        hash.update(`adjustment ${tx.id} ${tx.contentHash}\n`);
        await settlement.add(JSON.parse(tx.body) as SettlementTransaction, locatorOf(tx.id));
      }
      sections.push({ period: month, statement: await settlement.finish() });
    } finally {
      settlement.abort();
    }
  }
  return sections;
}

/** The earliest start (yyyy-mm) of the quarter or year programmes of the version's rules that hold `lastDay`; the month itself when it has none. */
function programmeStartOf(rules: readonly { readonly action: { readonly type: string; readonly period?: unknown } }[], lastDay: string): PeriodKey {
  let start = periodOfDate(lastDay);
  for (const rule of rules) {
    const kind = rule.action.period;
    if (rule.action.type !== 'rebate-settlement' || (kind !== 'quarter' && kind !== 'year')) continue;
    const from = periodOfDate(programmePeriod(kind, lastDay).from);
    if (from < start) start = from;
  }
  return start;
}

/** Units returned per sale id and SKU by returns booked in `from` … before `period` (returns are few: held in memory). */
async function returnedBefore(reader: LedgerReader, agreement: string, from: PeriodKey, period: PeriodKey): Promise<Map<string, Map<string, number>>> {
  const returned = new Map<string, Map<string, number>>();
  for await (const tx of reader.readTransactions(agreement, from, previousPeriod(period))) {
    if (tx.returnOf === undefined) continue;
    const units = returned.get(tx.returnOf) ?? new Map<string, number>();
    for (const line of (JSON.parse(tx.body) as SettlementTransaction).lines) units.set(line.sku, (units.get(line.sku) ?? 0) - line.quantity);
    returned.set(tx.returnOf, units);
  }
  return returned;
}

/** A sale with the units already returned taken off its lines (lines returned whole dropped); undefined when nothing is left. */
function netOf(sale: SettlementTransaction, returned: Map<string, number> | undefined): SettlementTransaction | undefined {
  if (returned === undefined) return sale;
  const left = new Map(returned);
  const lines = sale.lines.flatMap((line) => {
    const back = Math.min(left.get(line.sku) ?? 0, line.quantity);
    left.set(line.sku, (left.get(line.sku) ?? 0) - back);
    return line.quantity - back > 0 ? [{ ...line, quantity: line.quantity - back }] : [];
  });
  return lines.length === 0 ? undefined : { ...sale, lines };
}

function claimedOf(claims: readonly Claim[]): ClaimedFigures | undefined {
  if (claims.length === 0) return undefined;
  const figures: Record<string, string> = {};
  const rebates: Record<string, string> = {};
  for (const claim of claims) {
    if (claim.figure.startsWith('rebates/')) rebates[claim.figure.slice('rebates/'.length)] = claim.claimed;
    else figures[claim.figure] = claim.claimed;
  }
  return Object.keys(rebates).length === 0 ? figures : { ...figures, rebates };
}

function previousPeriod(period: PeriodKey): PeriodKey {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** Pointers into the ledger: `/ledger/<transaction id>/lines/0/sku`. */
function locatorOf(id: string): TransactionLocator {
  const base = `/ledger/${id}`;
  return {
    field: (name) => (name === '' ? base : name === 'buyer' ? `${base}/buyer/id` : `${base}/${name}`),
    lineField: (index, name) => `${base}/lines/${index}${name === '' ? '' : `/${name}`}`,
  };
}
