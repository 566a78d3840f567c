import { formatAmount, formatRate, formatUnitPrice } from '../money';
import type { Discrepancy, StreamedStatement } from '../settlement';
import type { FigureValue, StatementFigure } from '../statement-figures';
import type { DiscrepancyResult, SettlementResult } from './settlement-result';

/**
 * The statement as the API, the CSV and the HTML show it: every amount of the domain's
 * {@link SettlementResult} written as a decimal string with exactly the agreement's scale
 * (`formatAmount`), unit prices exact with at least that scale (`formatUnitPrice`), rates and
 * factors as their shortest exact decimal (`formatRate`). Nothing is rounded here: the
 * domain rounded where the agreement says. The members come in the order the wire shows them.
 *
 * @example presentStatement(result).commission // "32578.27" for the first bundled agreement's settlement worked example (docs/agreements/)
 */
export function presentStatement(result: SettlementResult): StreamedStatement {
  const { version } = result;
  const scale = version.rounding.scale;
  const money = (value: SettlementResult['commission']): string => formatAmount(value, scale);
  const figures = (values: readonly FigureValue[]): StatementFigure[] => values.map((value) => presentFigure(value, scale));
  const statement: StreamedStatement = {
    agreement: version.agreement,
    period: { from: result.period.from, to: result.period.to },
    rulesetVersion: version.rulesetVersion,
    effectiveFrom: version.effectiveFrom,
    currency: version.currency,
    parties: Object.fromEntries([...version.parties.values()].map((party) => [party.role, { id: party.id, name: party.name }])),
    volume: Object.fromEntries(result.volume.map(([channel, amount]) => [channel, money(amount)])),
    commission: money(result.commission),
    rebates: result.rebates.map((line) => ({
      buyer: line.buyer,
      volume: money(line.volume),
      accrued: money(line.accrued),
      rate: formatRate(line.rate),
      final: money(line.final),
      trueUp: money(line.trueUp),
      ruleId: line.ruleId,
    })),
    priceGuarantee: result.priceGuarantee.map((line) => ({
      sku: line.sku,
      lowestFactor: formatRate(line.lowestFactor),
      lowestUnitPrice: formatUnitPrice(line.lowestUnitPrice, scale),
      institution: line.institution,
      breach: true as const,
      compensation: money(line.compensation),
    })),
    compensation: money(result.compensation),
    giftsValue: money(result.giftsValue),
    discrepancies: result.discrepancies,
    figures: figures(result.figures),
    ...(result.groups === undefined
      ? {}
      : { groups: { section: result.groups.section, key: result.groups.key, rows: result.groups.rows.map((row) => ({ key: row.key, figures: figures(row.figures) })) } }),
    ...(result.programmes === undefined
      ? {}
      : {
          programmes: result.programmes.map((line) => ({
            ruleId: line.ruleId,
            period: line.period,
            volumeToDate: money(line.volumeToDate),
            tier: { from: money(line.tier.from), ...(line.tier.to === undefined ? {} : { to: money(line.tier.to) }), rate: formatRate(line.tier.rate) },
            closes: line.closes,
            rebate: money(line.rebate),
          })),
        }),
    ...(result.clawbacks === undefined
      ? {}
      : {
          clawbacks: result.clawbacks.map(({ amount, rate, clawback, ...line }) => ({
            transaction: line.transaction,
            returnOf: line.returnOf,
            ...(line.group === undefined ? {} : { group: line.group }),
            sku: line.sku,
            quantity: line.quantity,
            amount: money(amount),
            daysAfterSale: line.daysAfterSale,
            rate: formatRate(rate),
            clawback: money(clawback),
          })),
        }),
    counts: { ...result.counts },
  };
  if (result.reconciliation === undefined) return statement;
  return {
    ...statement,
    reconciliation: result.reconciliation.map((line) => ({
      figure: line.figure,
      claimed: money(line.claimed),
      computed: money(line.computed),
      difference: money(line.claimed.minus(line.computed)),
    })),
  };
}

/** One declared figure as the statement shows it: its amount at the agreement's scale. */
export function presentFigure(figure: FigureValue, scale: number): StatementFigure {
  const { declaration } = figure;
  return {
    id: declaration.id,
    label: declaration.label,
    ...(declaration.payer === undefined ? {} : { payer: declaration.payer }),
    ...(declaration.payee === undefined ? {} : { payee: declaration.payee }),
    amount: formatAmount(figure.value, scale),
  };
}

/** An invoice discrepancy as the statement lists it (presented when found: the list may be spilled). */
export function presentDiscrepancy(found: DiscrepancyResult, scale: number): Discrepancy {
  return {
    transaction: found.transaction,
    sku: found.sku,
    quantity: found.quantity,
    invoicedUnitPrice: formatUnitPrice(found.invoicedUnitPrice, scale),
    agreedUnitPrice: formatUnitPrice(found.agreedUnitPrice, scale),
    invoicedAmount: formatAmount(found.invoicedAmount, scale),
    agreedAmount: formatAmount(found.agreedAmount, scale),
    difference: formatAmount(found.invoicedAmount.minus(found.agreedAmount), scale),
  };
}
