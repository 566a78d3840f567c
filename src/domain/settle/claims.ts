import type { AgreementVersion } from '../agreement';
import { Dec, ZERO, isDecimalText } from '../money';
import type { ClaimedFigures, SettlementIssue } from '../settlement';
import type { FigureValue } from '../statement-figures';
import { compareText } from './rebate-accounts';
import type { RebateResult, ReconciliationResult } from './settlement-result';

/** The built-in totals a claim may name besides the declared figures. */
const BUILT_IN_CLAIMS = ['commission', 'compensation'] as const;

/** The figures a claim may name: the declared ones (their net included) and the built-in totals. */
export function claimableFigures(version: AgreementVersion): string[] {
  const declared = version.statement === undefined ? [] : [...version.statement.figures.map((figure) => figure.id), ...(version.statement.net === undefined ? [] : [version.statement.net.id])];
  return [...new Set([...declared, ...BUILT_IN_CLAIMS])];
}

/** The problems of the other party's claimed figures: an unknown figure, an amount that is not one at the agreement's scale. */
export function checkClaims(claimed: ClaimedFigures | undefined, scale: number, claimable: readonly string[]): SettlementIssue[] {
  if (claimed === undefined) return [];
  const issues: SettlementIssue[] = [];
  const check = (pointer: string, value: unknown): void => {
    if (typeof value !== 'string' || !isClaimAmount(value, scale)) issues.push({ pointer, code: 'INVALID_AMOUNT', detail: `claimed ${JSON.stringify(value)} is not an amount with at most ${scale} decimals` });
  };
  for (const [figure, value] of Object.entries(claimed)) {
    if (figure === 'rebates' || value === undefined) continue;
    if (!claimable.includes(figure)) issues.push({ pointer: `/claimed/${figure}`, code: 'UNKNOWN_FIGURE', detail: `figure ${JSON.stringify(figure)} is not one of ${claimable.join(', ')}, rebates/<buyer>` });
    else check(`/claimed/${figure}`, value);
  }
  for (const [buyer, value] of Object.entries(claimed.rebates ?? {})) check(`/claimed/rebates/${buyer}`, value);
  return issues;
}

/** What the statement computed that a claim can be set beside. */
export interface ComputedFigures {
  readonly figures: readonly FigureValue[];
  readonly commission: Dec;
  readonly compensation: Dec;
  readonly rebates: readonly RebateResult[];
}

/**
 * Each claimed figure beside the computed one, in the order of `claimable`, then the final
 * rebate per claimed buyer by id (a buyer without a rebate computes 0). Claims must have
 * passed {@link checkClaims}.
 */
export function reconcile(computed: ComputedFigures, claimed: ClaimedFigures, claimable: readonly string[]): ReconciliationResult[] {
  const valueOf = (figure: string): Dec =>
    computed.figures.find((value) => value.declaration.id === figure)?.value ?? (figure === 'commission' ? computed.commission : computed.compensation);
  const lines: ReconciliationResult[] = [];
  for (const figure of claimable) {
    const value = claimed[figure];
    if (typeof value === 'string') lines.push({ figure, claimed: new Dec(value), computed: valueOf(figure) });
  }
  const finals = new Map<string, Dec>();
  for (const rebate of computed.rebates) finals.set(rebate.buyer, (finals.get(rebate.buyer) ?? ZERO).plus(rebate.final));
  for (const buyer of Object.keys(claimed.rebates ?? {}).sort(compareText)) {
    lines.push({ figure: `rebates/${buyer}`, claimed: new Dec(claimed.rebates![buyer]!), computed: finals.get(buyer) ?? ZERO });
  }
  return lines;
}

function isClaimAmount(text: string, scale: number): boolean {
  return isDecimalText(text) && new Dec(text).decimalPlaces() <= scale;
}
