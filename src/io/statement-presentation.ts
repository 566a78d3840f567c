import type { AgreementVersion, Label } from '../domain/agreement';
import { Dec } from '../domain/money';

/** A volume tier as the statement shows it: decimal strings; `to` absent on the top tier. */
export interface TierText {
  readonly from: string;
  readonly to?: string;
  readonly rate: string;
}

/**
 * What a statement people read takes from its agreement beside the statement itself: the
 * title, how many decimals money has, how a price factor reads (8.5 折 or 85 %), the channels'
 * labels and each rebate rule's tiers (for the chart of each buyer's position on them).
 * Nothing here changes a figure.
 */
export interface StatementPresentation {
  readonly title?: Label;
  /** Decimals of money (agreement.json `rounding.scale`). */
  readonly scale: number;
  readonly priceFactors: 'percent' | 'zhe';
  readonly channels: Readonly<Record<string, Label>>;
  /** By rule id: the tiers of each settlement rebate rule. */
  readonly rebateTiers: Readonly<Record<string, readonly TierText[]>>;
}

/** The presentation of a statement settled under `version`. */
export function statementPresentation(version: AgreementVersion): StatementPresentation {
  const rebateTiers: Record<string, readonly TierText[]> = {};
  for (const rule of version.rules) {
    const action = rule.action as { type: string; tiers?: readonly { from: Dec; to?: Dec; rate: Dec }[] };
    if (action.type !== 'rebate-settlement' || action.tiers === undefined) continue;
    rebateTiers[rule.id] = action.tiers.map((tier) => ({ from: tier.from.toFixed(), ...(tier.to === undefined ? {} : { to: tier.to.toFixed() }), rate: tier.rate.toFixed() }));
  }
  return {
    title: version.title,
    scale: version.rounding.scale,
    priceFactors: version.priceFactors,
    channels: Object.fromEntries([...version.channels.values()].map((channel) => [channel.id, channel.label])),
    rebateTiers,
  };
}

/** The presentation of a statement from the agreement version it was settled under, when that version is loaded. */
export function presentationIn(
  catalog: { versionByHash(agreement: string, rulesetVersion: string): { readonly version: AgreementVersion } | undefined },
  statement: { readonly agreement: string; readonly rulesetVersion: string },
): StatementPresentation | undefined {
  const loaded = catalog.versionByHash(statement.agreement, statement.rulesetVersion);
  return loaded === undefined ? undefined : statementPresentation(loaded.version);
}

/**
 * The presentation of a statement read alone (its agreement version no longer loaded): money
 * with the decimals of its commission, factors in percent, channels by id, no tier chart.
 */
export function plainPresentation(statement: { readonly commission: string }): StatementPresentation {
  return { scale: decimalsOf(statement.commission), priceFactors: 'percent', channels: {}, rebateTiers: {} };
}

/** The number of decimals a decimal string is written with ("33.915" → 3). */
export function decimalsOf(value: string): number {
  const point = value.indexOf('.');
  return point < 0 ? 0 : value.length - point - 1;
}

const SYMBOLS: Readonly<Record<string, string>> = { CNY: '¥', USD: 'US$', EUR: '€', HKD: 'HK$', GBP: '£' };

/**
 * A decimal string as an amount a person reads: thousands separators, at least `scale`
 * decimals (never fewer than the string has: no digit is dropped), the currency's sign.
 *
 * @example formatMoney('-1428.86', 'CNY', 2) // '-¥1,428.86'
 * @example formatMoney('33.915', 'CNY', 2) // '¥33.915'
 */
export function formatMoney(value: string, currency: string, scale: number): string {
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  const negative = value.startsWith('-');
  return `${negative ? '-' : ''}${symbol}${groupDigits(negative ? value.slice(1) : value, scale)}`;
}

/** A decimal string with thousands separators and at least `scale` decimals ("291852" → "291,852.00"). */
export function groupDigits(value: string, scale: number): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = fraction.padEnd(scale, '0');
  return decimals === '' ? grouped : `${grouped}.${decimals}`;
}

/** A rate (a fraction) in percent: "0.03" → "3 %", "0.025" → "2.5 %". */
export function formatPercent(rate: string): string {
  return `${new Dec(rate).times(100).toFixed()} %`;
}

/** A price factor (the fraction of list paid) as 折 with the percent beside it ("0.85" → "8.5 折 (85 %)"), or in percent. */
export function formatFactor(factor: string, style: 'percent' | 'zhe'): string {
  return style === 'zhe' ? `${new Dec(factor).times(10).toFixed()} 折 (${formatPercent(factor)})` : formatPercent(factor);
}
