import type { DiscrepancyLog } from '../discrepancy-log';
import { Dec, roundMoney, type RoundingPolicy } from '../money';
import type { MatchingKey } from '../settlement-spill';
import { presentDiscrepancy } from './present-statement';
import type { PricedPiece } from './priced-piece';

/** At most this many invoiced prices are remembered per line pricing (a supplier invoices a handful). */
const MAX_REMEMBERED_INVOICED = 16;

/**
 * Compares invoiced unit prices with the agreement's: a line whose invoiced amount,
 * round(invoiced unit price × quantity), differs from its agreed amount is a discrepancy,
 * presented as it is found and kept in the {@link DiscrepancyLog} (which spills past its limit).
 * What an invoiced price gives for a remembered line pricing is remembered with it.
 */
export class InvoiceCheck {
  constructor(
    private readonly policy: RoundingPolicy,
    private readonly log: DiscrepancyLog,
  ) {}

  /**
   * Checks one piece against the unit price invoiced on its line (none: nothing to check).
   * `call`: the input call it is recorded under; `foundAt`: where a spilled run's matching found it.
   */
  check(transaction: string, piece: PricedPiece, invoiced: string | undefined, call: number, foundAt: MatchingKey | undefined): void {
    if (invoiced === undefined) return;
    const agrees = piece.invoicedAgrees;
    if (agrees?.get(invoiced) === true) return;
    const invoicedUnitPrice = new Dec(invoiced);
    const invoicedAmount = roundMoney(invoicedUnitPrice.times(piece.quantity), this.policy);
    const equal = invoicedAmount.eq(piece.amount);
    if (agrees !== undefined && agrees.size < MAX_REMEMBERED_INVOICED) agrees.set(invoiced, equal);
    if (equal) return;
    const discrepancy = presentDiscrepancy(
      { transaction, sku: piece.sku, quantity: piece.quantity, invoicedUnitPrice, agreedUnitPrice: piece.unitPrice, invoicedAmount, agreedAmount: piece.amount },
      this.policy.scale,
    );
    if (foundAt !== undefined) this.log.recordFound(foundAt, discrepancy);
    else this.log.record(call, discrepancy);
  }
}
