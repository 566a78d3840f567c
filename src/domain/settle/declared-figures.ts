import { isRuleInForce, type AgreementVersion, type PricingRule } from '../agreement';
import type { BookedSale } from '../booked-sales';
import { ZERO, roundMoney, type Dec } from '../money';
import type { SettlementPeriod, SettlementTransaction } from '../settlement';
import { FigureBook, payeeSource, type FigureValue, type TermTotals } from '../statement-figures';
import { inForceDuring } from './price-guarantee';
import type { PricedPiece } from './priced-piece';
import type { ClawbackResult, SettlementResult } from './settlement-result';

/**
 * The figures a statement declares (agreement.json `statement`), fed piece by piece: amounts
 * by channel, commissions by payee, clawbacks of returned commissions (`clawback` terms) and
 * accelerators (`accelerator` terms), in all and per group — the value of the statement's
 * `per` fact (an affiliate). Without a declaration it books nothing and shows no figures.
 */
export class DeclaredFigures {
  private readonly book: FigureBook | undefined;
  private readonly perFact: string | undefined;
  private readonly clawbackRules: readonly PricingRule[];
  private readonly clawbackLines: ClawbackResult[] = [];

  constructor(
    private readonly version: AgreementVersion,
    private readonly period: SettlementPeriod,
  ) {
    this.book = version.statement === undefined ? undefined : new FigureBook(version.statement, version.rounding.scale);
    this.perFact = version.statement?.per?.fact;
    this.clawbackRules = version.rules.filter((rule) => rule.action.type === 'clawback');
  }

  /** The value of the statement's `per` fact for a transaction (the affiliate of its order); undefined when not split. */
  groupOf(tx: SettlementTransaction): string | undefined {
    const perFact = this.perFact;
    if (perFact === undefined) return undefined;
    if (perFact === 'buyer.id') return tx.buyer.id;
    const value = tx.attributes?.[perFact.slice('order.'.length)];
    return value === undefined || value === null ? '' : String(value);
  }

  /** A sale piece: its amount by channel, its commission by payee. */
  bookSale(piece: PricedPiece): void {
    if (this.book === undefined) return;
    this.book.addAmount(piece.group, piece.channel, piece.amount);
    this.addCommissions(this.book, piece);
  }

  /**
   * A returned piece: its (negative) amount; its commission taken back in the commission
   * figure, or — under a clawback term in force on the return's day — shown as a clawback when
   * the return came within the term's days of its sale, and not taken back at all when later.
   */
  bookReturn(piece: PricedPiece, tx: SettlementTransaction, sale: BookedSale): void {
    const clawbackRule = this.clawbackRules.find((rule) => isRuleInForce(rule, tx.date));
    if (clawbackRule === undefined) {
      this.bookSale(piece);
      return;
    }
    this.book?.addAmount(piece.group, piece.channel, piece.amount);
    const days = daysBetween(sale.date, tx.date);
    const within = clawbackRule.action.type === 'clawback' && days <= clawbackRule.action.withinDays;
    const taken = within ? piece.commission.neg() : ZERO;
    this.book?.addClawback(piece.group, taken);
    const rate = piece.fired.find((rule) => rule.action.type === 'commission');
    this.clawbackLines.push({
      transaction: tx.id,
      returnOf: tx.returnOf ?? '',
      ...(piece.group === undefined ? {} : { group: piece.group }),
      sku: piece.sku,
      quantity: piece.quantity,
      amount: piece.amount,
      daysAfterSale: days,
      rate: rate === undefined || rate.action.type !== 'commission' ? ZERO : rate.action.rate,
      clawback: taken,
    });
  }

  /**
   * The accelerators, once the input is in: per group, its volume over business channels; at
   * an accelerator's threshold, the extra rate on all of it (rounded). Call once.
   */
  bookAccelerators(): void {
    const book = this.book;
    if (book === undefined) return;
    const business = [...this.version.channels.values()].filter((channel) => channel.business).map((channel) => channel.id);
    for (const rule of this.version.rules) {
      const action = rule.action;
      if (action.type !== 'accelerator' || !inForceDuring(rule, this.period)) continue;
      for (const group of book.groupKeys()) {
        const groupVolume = book.groupAmount(group, business);
        if (groupVolume.gte(action.threshold)) book.addAccelerator(group, roundMoney(groupVolume.times(action.rate), this.version.rounding));
      }
    }
  }

  /** The whole period's figures (its net last), given the term totals they may name. */
  figures(totals: TermTotals): FigureValue[] {
    return this.book?.figures('', totals) ?? [];
  }

  /** The figures per group, when the statement declares `per`. */
  groups(totals: TermTotals): SettlementResult['groups'] {
    const per = this.version.statement?.per;
    const book = this.book;
    if (book === undefined || per === undefined) return undefined;
    return { section: per.section, key: per.key, rows: book.groupKeys().map((key) => ({ key, figures: book.figures(key, totals) })) };
  }

  /** The clawback lines, when the agreement has a clawback term (undefined otherwise). */
  clawbacks(): readonly ClawbackResult[] | undefined {
    return this.clawbackRules.length === 0 ? undefined : this.clawbackLines;
  }

  /**
   * A piece's commission by payee source: all of it to the one payee its commission terms
   * name, or, when they name several, each term's own figure (the first takes the rounding rest).
   */
  private addCommissions(book: FigureBook, piece: PricedPiece): void {
    const sources: { source: string; figure: Dec }[] = [];
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'commission') continue;
      sources.push({ source: payeeSource(action.payee), figure: roundMoney(piece.amount.times(action.rate), this.version.rounding) });
    }
    if (sources.length === 0) return;
    if (sources.every((entry) => entry.source === sources[0]!.source)) {
      book.addCommission(piece.group, sources[0]!.source, piece.commission);
      return;
    }
    let rest = piece.commission;
    for (const entry of sources.slice(1)) {
      book.addCommission(piece.group, entry.source, entry.figure);
      rest = rest.minus(entry.figure);
    }
    book.addCommission(piece.group, sources[0]!.source, rest);
  }
}

/** Whole days from one yyyy-mm-dd to another. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
