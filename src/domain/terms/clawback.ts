import { paramsObject } from './schema-refs';
import type { SettlementTerm } from './term';

export interface Clawback {
  readonly type: 'clawback';
  readonly withinDays: number;
}

/** A clawback: a return within N days of its sale takes back the sale's commission at the sale's rate, in the return's period. */
export const clawback: SettlementTerm<Clawback> = {
  type: 'clawback',
  stage: 'settlement',
  summary: { zh: '佣金追回：售出后若干天内退货追回佣金', en: 'Clawback: a return within N days takes the commission back' },
  paramsSchema: paramsObject({ withinDays: { type: 'integer', minimum: 0, maximum: 3660 } }, ['withinDays']),
  parse: (params) => ({ type: 'clawback', withinDays: params['withinDays'] as number }),
  rateText: () => '',
  dependsOn: () => [],
};
