import { paramsObject } from './schema-refs';
import type { RefusalTerm } from './term';

export interface Refusal {
  readonly type: 'refusal';
  /** The stable code the refusal answers with, e.g. MINIMUM_ORDER. */
  readonly code: string;
}

/**
 * A refusal: when its conditions hold on any line, the order is not priced; the answer lists
 * every breach of the order (rule, clause, code, line) in one 422.
 */
export const refusal: RefusalTerm<Refusal> = {
  type: 'refusal',
  stage: 'refusal',
  summary: { zh: '拒绝：最低订购量、数量上限、禁止组合', en: 'Refusal: minimum order, quantity limit, forbidden combination' },
  paramsSchema: paramsObject({ code: { type: 'string', pattern: '^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$', maxLength: 64, description: 'The stable code of the refusal, e.g. MINIMUM_ORDER' } }, ['code']),
  parse: (params) => ({ type: 'refusal', code: params['code'] as string }),
  rateText: () => '',
  dependsOn: () => [],
  code: (action) => action.code,
};
