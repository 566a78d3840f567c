import type { AgreementVersion } from '../agreement';
import type { Dec } from '../money';
import type { DiscrepancyList, SettlementCounts, SettlementPeriod } from '../settlement';
import type { FigureValue } from '../statement-figures';

/**
 * A period's settlement as the domain computes it: every amount a Dec, already rounded where
 * the agreement rounds (at the line; rebates and compensation once per account or SKU), every
 * total the sum of the rounded figures under it. present-statement.ts turns it into the
 * SettlementStatement the API, the CSV and the HTML show (strings at the agreement's scale).
 */
export interface SettlementResult {
  readonly version: AgreementVersion;
  readonly period: SettlementPeriod;
  /** Σ line amounts per channel, returns subtracted, in the agreement's channel order (channels without a line left out). */
  readonly volume: readonly (readonly [channel: string, amount: Dec])[];
  readonly commission: Dec;
  readonly rebates: readonly RebateResult[];
  readonly priceGuarantee: readonly PriceGuaranteeResult[];
  readonly compensation: Dec;
  readonly giftsValue: Dec;
  /** Written as they were found (presented then: they may be spilled), read back one at a time. */
  readonly discrepancies: DiscrepancyList;
  readonly figures: readonly FigureValue[];
  readonly groups?: { readonly section: string; readonly key: string; readonly rows: readonly { readonly key: string; readonly figures: readonly FigureValue[] }[] };
  readonly programmes?: readonly ProgrammeResult[];
  readonly clawbacks?: readonly ClawbackResult[];
  readonly reconciliation?: readonly ReconciliationResult[];
  readonly counts: SettlementCounts;
}

/** One key-account buyer's statement-period rebate (see RebateLine). */
export interface RebateResult {
  readonly buyer: string;
  readonly volume: Dec;
  readonly accrued: Dec;
  readonly rate: Dec;
  readonly final: Dec;
  readonly trueUp: Dec;
  readonly ruleId: string;
}

/** A programme rebate's volume to date and tier (see ProgrammeLine). */
export interface ProgrammeResult {
  readonly ruleId: string;
  readonly period: SettlementPeriod;
  readonly volumeToDate: Dec;
  readonly tier: { readonly from: Dec; readonly to?: Dec | undefined; readonly rate: Dec };
  readonly closes: boolean;
  readonly rebate: Dec;
}

/** A SKU bought elsewhere below the guaranteed factor (see PriceGuaranteeLine). */
export interface PriceGuaranteeResult {
  readonly sku: string;
  /** Lowest external unit price ÷ list price, truncated to 4 decimals. */
  readonly lowestFactor: Dec;
  readonly lowestUnitPrice: Dec;
  readonly institution: string;
  readonly compensation: Dec;
}

/** A return's commission taken back, or not (see ClawbackLine). */
export interface ClawbackResult {
  readonly transaction: string;
  readonly returnOf: string;
  readonly group?: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amount: Dec;
  readonly daysAfterSale: number;
  readonly rate: Dec;
  readonly clawback: Dec;
}

/** A line whose invoiced amount differs from the agreed one (see Discrepancy). */
export interface DiscrepancyResult {
  readonly transaction: string;
  readonly sku: string;
  readonly quantity: number;
  readonly invoicedUnitPrice: Dec;
  readonly agreedUnitPrice: Dec;
  readonly invoicedAmount: Dec;
  readonly agreedAmount: Dec;
}

/** A claimed figure beside the computed one (see ReconciliationLine). */
export interface ReconciliationResult {
  readonly figure: string;
  readonly claimed: Dec;
  readonly computed: Dec;
}
