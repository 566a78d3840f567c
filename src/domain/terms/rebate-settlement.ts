import type { Tier, TierMode } from '../agreement';
import { formatRate } from '../money';
import { PAYEE, TIERS, paramsObject } from './schema-refs';
import { checkTierTable, lintTierRates, parseTiers } from './tiers';
import type { PayeeJson, SettlementTerm } from './term';

/** The programme period a settlement term runs over. */
export type ProgrammePeriod = 'month' | 'quarter' | 'year' | 'statement';

export interface RebateSettlement {
  readonly type: 'rebate-settlement';
  readonly basis: 'period.volume';
  readonly mode: TierMode;
  readonly tiers: readonly Tier[];
  /** `statement` (default): the period settled; month, quarter or year: the calendar programme period. */
  readonly period: ProgrammePeriod;
  readonly payee?: PayeeJson;
}

/**
 * A volume rebate at settlement: the rate of the volume tier reached over the programme
 * period, on the whole volume (range: retroactive) or slice by slice (graduated).
 */
export const rebateSettlement: SettlementTerm<RebateSettlement> = {
  type: 'rebate-settlement',
  stage: 'settlement',
  summary: { zh: '结算返点：按期间业务额阶梯', en: 'Volume rebate at settlement, by the period\'s volume tiers' },
  paramsSchema: paramsObject(
    {
      basis: { const: 'period.volume' },
      mode: { enum: ['range', 'graduated'], description: 'range: retroactive, the rate of the tier reached applies to the whole volume; graduated: each slice its own rate' },
      tiers: TIERS,
      period: { enum: ['statement', 'month', 'quarter', 'year'], description: 'The programme period: the statement\'s own period (default) or a calendar month, quarter or year' },
      payee: PAYEE,
    },
    ['basis', 'mode', 'tiers'],
  ),
  parse: (params) => ({
    type: 'rebate-settlement',
    basis: 'period.volume',
    mode: params['mode'] as TierMode,
    tiers: parseTiers(params['tiers']),
    period: (params['period'] as ProgrammePeriod | undefined) ?? 'statement',
    ...(params['payee'] === undefined ? {} : { payee: params['payee'] as PayeeJson }),
  }),
  check: (action) => checkTierTable(action.tiers, false),
  lint: (action) => lintTierRates(action.tiers),
  rateText: (action) => formatRate(action.tiers[0]!.rate),
  dependsOn: () => [],
};
