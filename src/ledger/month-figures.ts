import type { AgreementVersion, Label, PricingRule, Tier } from '../domain/agreement';
import { Dec, formatAmount, formatRate, ZERO } from '../domain/money';
import { programmePeriod, programmeStanding } from '../domain/settle-period';
import { inForceDuring } from '../domain/settle/price-guarantee';
import type { SettlementStatement } from '../domain/settlement';
import type { StatementFigure } from '../domain/statement-figures';
import type { RebateSettlement } from '../domain/terms/rebate-settlement';
import { daysOf } from './compute-statement';
import { nextPeriod, periodOfDate, type PeriodKey, type PeriodState } from './ledger-store';

/** A declared statement figure of a month; the declared net is marked `net`. */
export interface PeriodFigure extends StatementFigure {
  readonly net?: true;
}

/** Why a month's figures could not be computed (its days span two rule versions, …). */
export interface FiguresProblem {
  readonly code: string;
  readonly detail: string;
}

export interface ProgrammeTier {
  readonly from: string;
  readonly to?: string;
  readonly rate: string;
}

/** A programme (a quarter or year `rebate-settlement` term) to date, as of one month's statement. */
export interface ProgrammeToDate {
  /** The term's rule id. */
  readonly programme: string;
  readonly label: Label;
  readonly kind: 'quarter' | 'year';
  /** `2026-Q2`, `2026`. */
  readonly period: string;
  /** The programme's calendar months. */
  readonly months: readonly PeriodKey[];
  /** The month whose statement counted the volume: the programme's volume up to its end. */
  readonly asOf: PeriodKey;
  readonly volumeToDate: string;
  /** What the term gives on the volume to date (paid by the statement of the programme's last month). */
  readonly rebateToDate: string;
  readonly tier?: ProgrammeTier;
  readonly nextTier?: ProgrammeTier;
}

/** A programme as listed: to date, with the state of its months. */
export interface ProgrammeView extends ProgrammeToDate {
  /** Closed when every month of the programme is closed. */
  readonly state: PeriodState;
  /** True when the programme's last month is closed: the figures are final. */
  readonly final: boolean;
}

/** What a month's statement gives a listing: its declared figures and its programmes to date. */
export interface MonthFigures {
  readonly figures: readonly PeriodFigure[];
  readonly programmes: readonly ProgrammeToDate[];
}

/**
 * A month's listing figures read off its statement (stored or just computed), never
 * recomputed: the declared figures in their declared order, the net last and marked; and, for
 * each quarter or year programme term of the version in force that month, its volume to date
 * (the statement's programme line; nothing fired on yet: zero) with the tier reached, the next
 * threshold and the rebate the term gives on it (programmeStanding, as the closing statement
 * pays it). `version` is the statement's version; undefined when it is no longer loaded (the
 * figures are then shown unmarked and without programmes).
 */
export function monthFigures(statement: SettlementStatement, version: AgreementVersion | undefined, period: PeriodKey): MonthFigures {
  const netId = version?.statement?.net?.id;
  const figures = statement.figures.map((figure): PeriodFigure => (figure.id === netId ? { ...figure, net: true } : figure));
  if (version === undefined) return { figures, programmes: [] };
  const days = daysOf(period);
  const scale = version.rounding.scale;
  const present = (tier: Tier): ProgrammeTier => ({ from: formatAmount(tier.from, scale), ...(tier.to === undefined ? {} : { to: formatAmount(tier.to, scale) }), rate: formatRate(tier.rate) });
  const programmes = programmeRules(version, days).map(({ rule, action, kind }): ProgrammeToDate => {
    const range = programmePeriod(kind, days.to);
    const line = statement.programmes?.find((candidate) => candidate.ruleId === rule.id && candidate.period.from === range.from);
    const volume = line === undefined ? ZERO : new Dec(line.volumeToDate);
    const standing = programmeStanding(action, volume, version.rounding);
    return {
      programme: rule.id,
      label: rule.label,
      kind,
      period: kind === 'year' ? range.from.slice(0, 4) : `${range.from.slice(0, 4)}-Q${(Number(range.from.slice(5, 7)) + 2) / 3}`,
      months: monthsFrom(periodOfDate(range.from), periodOfDate(range.to)),
      asOf: period,
      volumeToDate: formatAmount(volume, scale),
      rebateToDate: formatAmount(standing.rebate, scale),
      ...(standing.tier === undefined ? {} : { tier: present(standing.tier) }),
      ...(standing.nextTier === undefined ? {} : { nextTier: present(standing.nextTier) }),
    };
  });
  return { figures, programmes };
}

/**
 * The programmes of a listing: for each programme period, as of the last listed month that has
 * figures, with its state from every month of the ledger (a month the ledger does not have is
 * open). Ascending by programme period start, then rule id.
 */
export function listProgrammes(months: readonly MonthFigures[], states: ReadonlyMap<PeriodKey, PeriodState>): ProgrammeView[] {
  const latest = new Map<string, ProgrammeToDate>();
  for (const month of months) for (const programme of month.programmes) latest.set(`${programme.months[0]} ${programme.programme}`, programme);
  return [...latest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, programme]) => ({
      ...programme,
      state: programme.months.every((month) => states.get(month) === 'closed') ? 'closed' : 'open',
      final: states.get(programme.months[programme.months.length - 1]!) === 'closed',
    }));
}

/** The quarter and year `rebate-settlement` terms of a version in force during the days. */
function programmeRules(version: AgreementVersion, days: { from: string; to: string }): { rule: PricingRule; action: RebateSettlement; kind: 'quarter' | 'year' }[] {
  return version.rules.flatMap((rule) => {
    const action = rule.action;
    if (action.type !== 'rebate-settlement' || (action.period !== 'quarter' && action.period !== 'year')) return [];
    return inForceDuring(rule, days) ? [{ rule, action, kind: action.period }] : [];
  });
}

function monthsFrom(first: PeriodKey, last: PeriodKey): PeriodKey[] {
  const months: PeriodKey[] = [];
  for (let month = first; month <= last; month = nextPeriod(month)) months.push(month);
  return months;
}
