import type { AgreementVersion } from '../agreement';
import type { BookedLine, BookedSale } from '../booked-sales';
import { priceLineAt, type FiredRules } from '../price-quote';
import type { SettlementTransaction } from '../settlement';
import type { OrderPricing } from '../terms/term';
import type { LineFigures } from './line-price-cache';

/** One priced piece of a line: a sale line, or the part of a return line taken from one sale line. */
export interface PricedPiece extends LineFigures {
  readonly channel: string;
  readonly buyerId: string;
  /** The day of the transaction (a return's own day, not its sale's). */
  readonly date: string;
  /** The value of the statement's `per` fact for the transaction (undefined when the statement is not split). */
  readonly group: string | undefined;
  readonly sku: string;
  readonly quantity: number;
  readonly fired: FiredRules;
}

/**
 * The parts of a sale's lines a return takes, line by line of the return: the units of each
 * returned SKU come from the sale's lines of that SKU in order, as many as are left on each.
 * Marks them returned on the sale as it goes. The return must have been checked
 * (checkReturn: enough units left).
 */
export function* takeReturnedParts(sale: BookedSale, tx: SettlementTransaction): Generator<{ readonly sold: BookedLine; readonly quantity: number; readonly invoiced: string | undefined }> {
  const soldLines = sale.lines();
  for (const line of tx.lines) {
    let toReturn = -line.quantity;
    for (const sold of soldLines) {
      if (toReturn === 0) break;
      if (sold.sku !== line.sku || sold.remaining === 0) continue;
      const take = Math.min(toReturn, sold.remaining);
      sold.remaining -= take;
      sale.setRemaining(sold);
      toReturn -= take;
      yield { sold, quantity: -take, invoiced: line.unitPrice };
    }
  }
}

/**
 * A returned part of a sale line, priced by the quote's own line function
 * ({@link priceLineAt}) at the original's unit price, with the rules that fired on the original,
 * on the original's day, under the version that priced it: its amount is round(unit price ×
 * quantity) and its commission and rebate are what a quote line at that price gives —
 * negative, as `quantity` is.
 */
export function priceReturnedPiece(version: AgreementVersion, sale: BookedSale, sold: BookedLine, quantity: number, tx: SettlementTransaction, group: string | undefined): PricedPiece {
  const { amount, commission, rebate } = priceLineAt(version, orderOfReturn(version, sale, tx), sold.sku, quantity, sold.unitPrice, sold.fired);
  return {
    channel: sale.channel,
    buyerId: sale.buyerId,
    date: tx.date,
    group,
    sku: sold.sku,
    quantity,
    unitPrice: sold.unitPrice,
    amount,
    commission,
    rebate,
    fired: sold.fired,
  };
}

/**
 * What a figure term of a returned line reads of its order: the original's channel, buyer and
 * day; the return's attributes (those that name payees: a booked sale does not keep its own).
 */
function orderOfReturn(version: AgreementVersion, sale: BookedSale, tx: SettlementTransaction): OrderPricing {
  return {
    input: { agreement: version.agreement, channel: sale.channel, date: sale.date, buyer: tx.buyer, ...(tx.attributes === undefined ? {} : { attributes: tx.attributes }), lines: [] },
    lines: [],
    policy: version.rounding,
    totalQuantity: 0,
  };
}
