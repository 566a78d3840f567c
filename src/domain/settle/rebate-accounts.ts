import type { PricingRule, Tier, TierMode } from '../agreement';
import { findTier, tierRate } from '../apply-tiers';
import { MoneySum } from '../money-sum';
import { Dec, ZERO, roundMoney, type RoundingPolicy } from '../money';
import type { SettlementPeriod } from '../settlement';
import type { RebateSettlement } from '../terms/rebate-settlement';
import { graduatedAmount } from '../terms/tiered-discount';
import type { PricedPiece } from './priced-piece';
import type { ProgrammeResult, RebateResult } from './settlement-result';

/** Default limit of key-account buyers with a settlement rebate: a chamber has dozens; each costs ≈ 300 bytes. */
export const MAX_REBATE_ACCOUNTS = 10_000;

interface RebateAccount {
  readonly buyer: string;
  readonly rule: PricingRule;
  readonly tiers: readonly Tier[];
  readonly mode: TierMode;
  readonly volume: MoneySum;
  readonly accrued: MoneySum;
}

/**
 * The statement-period volume rebates (`rebate-settlement` terms with period `statement`):
 * per key-account buyer and rule, the volume and the rebate accrued on the lines; at the end,
 * the rate its volume reaches, the final rebate and the true-up. At most `maxAccounts`
 * accounts: the lines of buyers past it are counted ({@link linesPastLimit}) and the
 * statement is refused.
 */
export class RebateAccounts {
  private readonly accounts = new Map<string, RebateAccount>();
  /** Lines of buyers past the limit (the statement is refused). */
  linesPastLimit = 0;

  constructor(
    private readonly policy: RoundingPolicy,
    readonly maxAccounts: number = MAX_REBATE_ACCOUNTS,
  ) {}

  book(piece: PricedPiece): void {
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'rebate-settlement' || action.period !== 'statement') continue;
      const key = `${piece.buyerId}\u0000${rule.id}`;
      let account = this.accounts.get(key);
      if (account === undefined) {
        if (this.accounts.size >= this.maxAccounts) {
          this.linesPastLimit++;
          continue;
        }
        account = { buyer: piece.buyerId, rule, tiers: action.tiers, mode: action.mode, volume: new MoneySum(this.policy.scale), accrued: new MoneySum(this.policy.scale) };
        this.accounts.set(key, account);
      }
      account.volume.add(piece.amount, piece.amountUnits);
      account.accrued.add(piece.rebate, piece.rebateUnits);
    }
  }

  /** Each account by buyer, then rule: its volume, accrued rebate, rate reached, final rebate (rounded) and true-up. */
  lines(): RebateResult[] {
    return [...this.accounts.values()]
      .sort((a, b) => compareText(a.buyer, b.buyer) || compareText(a.rule.id, b.rule.id))
      .map((account) => {
        const volume = account.volume.value;
        const accrued = account.accrued.value;
        const { rate, rebate } = volumeRebate(account.tiers, account.mode, volume);
        const final = roundMoney(rebate, this.policy);
        return { buyer: account.buyer, volume, accrued, rate, final, trueUp: final.minus(accrued), ruleId: account.rule.id };
      });
  }
}

interface ProgrammeAccount {
  readonly rule: PricingRule;
  readonly action: RebateSettlement;
  readonly period: SettlementPeriod;
  readonly volume: MoneySum;
}

/**
 * Programme rebates (`rebate-settlement` over a month, quarter or year holding the
 * statement's last day): the volume to date of the pieces their rule fired on — prior sales
 * included — and, on the statement that closes the programme period, the rebate.
 */
export class ProgrammeAccounts {
  private readonly accounts = new Map<string, ProgrammeAccount>();

  constructor(
    private readonly period: SettlementPeriod,
    private readonly policy: RoundingPolicy,
  ) {}

  /** Adds a piece to the programmes whose rule fired on it and whose period holds its day. */
  book(piece: PricedPiece): void {
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'rebate-settlement' || action.period === 'statement') continue;
      const programme = programmePeriod(action.period, this.period.to);
      if (piece.date < programme.from || piece.date > programme.to) continue;
      let account = this.accounts.get(rule.id);
      if (account === undefined) this.accounts.set(rule.id, (account = { rule, action, period: programme, volume: new MoneySum(this.policy.scale) }));
      account.volume.add(piece.amount, piece.amountUnits);
    }
  }

  /** Each programme by rule id: its volume to date, the tier reached, the rebate when this statement closes it (else 0). */
  lines(): ProgrammeResult[] {
    return [...this.accounts.values()]
      .sort((a, b) => compareText(a.rule.id, b.rule.id))
      .map((account) => {
        const volumeToDate = account.volume.value;
        const closes = account.period.to === this.period.to;
        const standing = programmeStanding(account.action, volumeToDate, this.policy);
        const tier = standing.tier ?? account.action.tiers[0]!;
        return { ruleId: account.rule.id, period: account.period, volumeToDate, tier: { from: tier.from, to: tier.to, rate: tier.rate }, closes, rebate: closes ? standing.rebate : ZERO };
      });
  }
}

/** Where a programme stands on a volume to date: see {@link programmeStanding}. */
export interface ProgrammeStanding {
  /** The tier the volume reaches; undefined below the first tier. */
  readonly tier?: Tier;
  /** The next tier up (its threshold still to reach); undefined at the top tier. */
  readonly nextTier?: Tier;
  /** The rebate the volume gives, rounded as the agreement rounds: what the programme pays if it closed at this volume. */
  readonly rebate: Dec;
}

/**
 * A programme rebate (`rebate-settlement` over a quarter or a year) on its volume to date: the
 * tier reached, the next threshold, and the rebate it gives — the figure the statement that
 * closes the programme period pays when the volume is final.
 * @example programmeStanding(quarterly, new Dec('386993.67'), policy).rebate // 5804.91 (1.5 % tier)
 */
export function programmeStanding(action: RebateSettlement, volumeToDate: Dec, policy: RoundingPolicy): ProgrammeStanding {
  const tier = findTier(action.tiers, volumeToDate);
  const nextTier = action.tiers.find((candidate) => candidate.from.gt(volumeToDate));
  const rebate = roundMoney(volumeRebate(action.tiers, action.mode, volumeToDate).rebate, policy);
  return { ...(tier === undefined ? {} : { tier }), ...(nextTier === undefined ? {} : { nextTier }), rebate };
}

/**
 * A volume rebate from a tier table: range — the rate of the tier reached on the whole volume;
 * graduated — each slice of the volume at its band's rate. Unrounded.
 */
export function volumeRebate(tiers: readonly Tier[], mode: TierMode, volume: Dec): { rate: Dec; rebate: Dec } {
  if (mode === 'range') {
    const rate = tierRate(tiers, volume, 'range');
    return { rate, rebate: volume.times(rate) };
  }
  return { rate: findTier(tiers, volume)?.rate ?? ZERO, rebate: graduatedAmount(tiers, volume).amount };
}

/** The calendar month, quarter or year that holds `day` (yyyy-mm-dd). */
export function programmePeriod(kind: 'month' | 'quarter' | 'year' | 'statement', day: string): SettlementPeriod {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  const [first, last] = kind === 'year' ? [1, 12] : kind === 'quarter' ? [month - ((month - 1) % 3), month - ((month - 1) % 3) + 2] : [month, month];
  const pad = (n: number): string => String(n).padStart(2, '0');
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay)}` };
}

/** Orders texts by code unit (the statement's order, independent of locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
