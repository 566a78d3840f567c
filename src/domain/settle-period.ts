import type { AgreementVersion } from './agreement';
import type { SaleLineToBook } from './booked-sales';
import { DiscrepancyLog } from './discrepancy-log';
import { buildLineFacts, type Facts } from './line-facts';
import { MoneySum } from './money-sum';
import { Dec, ZERO, sum } from './money';
import { findBreaches, orderGifts, type FiredRules } from './price-quote';
import type { QuoteInput } from './quote';
import type { Registered } from './settlement-spill';
import type { SpillStore } from './spill-store';
import type {
  ClaimedFigures,
  ExternalSale,
  RecordLocator,
  SettlementIssue,
  SettlementPeriod,
  SettlementStatement,
  SettlementTransaction,
  StreamedStatement,
  TransactionLocator,
} from './settlement';
import { collectStatement } from './settlement';
import { checkClaims, claimableFigures, reconcile } from './settle/claims';
import { DeclaredFigures } from './settle/declared-figures';
import { InvoiceCheck } from './settle/invoice-check';
import { IssueList } from './settle/issue-list';
import { LinePriceCache, MAX_REMEMBERED_PRICINGS } from './settle/line-price-cache';
import { presentStatement } from './settle/present-statement';
import { PriceGuarantee } from './settle/price-guarantee';
import { priceReturnedPiece, takeReturnedParts, type PricedPiece } from './settle/priced-piece';
import { MAX_REBATE_ACCOUNTS, ProgrammeAccounts, RebateAccounts } from './settle/rebate-accounts';
import { SaleRegister } from './settle/sale-register';
import type { SettlementResult } from './settle/settlement-result';
import { checkExternalSale, checkPriorSale, checkReturn, checkTransaction, sourceOf } from './settle/transaction-checks';

export { MAX_LISTED_ISSUES } from './settle/issue-list';
export { MAX_REBATE_ACCOUNTS, programmePeriod, programmeStanding } from './settle/rebate-accounts';
export { checkSettlementPeriod } from './settle/transaction-checks';

/** A sale that passed the checks: its line facts go to the rule evaluator, then to {@link SettlementAccumulator.bookSale}. */
export interface PendingSale {
  readonly transaction: SettlementTransaction;
  readonly at: TransactionLocator;
  readonly input: QuoteInput;
  readonly facts: readonly Facts[];
  /** Its place in the order of calls, which a spilled settlement records it under. */
  readonly seq: number;
  /** A sale before the period: registered (its returns may come now) and counted in programme volumes, not in the period's figures. */
  readonly prior?: boolean;
  /** A sale whose id was seen before (refused as such): only its refusal terms are checked, nothing is booked. */
  readonly duplicate?: boolean;
}

/**
 * Accumulates a period's settlement one transaction at a time, holding only what the
 * statement and the matching of returns need (per sale: SKU, unit price, the rules that
 * fired and the units not yet returned), never the lines themselves; past
 * {@link SettlementOptions.spillAfter} transaction ids, even that goes to a spill store and
 * duplicates and returns are matched at finish (src/domain/settlement-spill.ts), so memory
 * stays flat whatever the input size. The JSON endpoint, the streaming endpoint and the
 * command line all feed one of these.
 */
export interface SettlementAccumulator {
  readonly version: AgreementVersion;
  readonly period: SettlementPeriod;
  /**
   * Checks a transaction against the period, the agreement and the transactions seen so far,
   * recording every issue. A return is booked at once (or held until the sale it returns
   * arrives); a valid sale is returned for rule evaluation, to be booked with {@link bookSale}
   * before the next call.
   */
  add(transaction: SettlementTransaction, at: TransactionLocator): PendingSale | undefined;
  /**
   * A sale dated before the period (add them first): registered, so its returns in the period
   * are priced at its prices, and counted in the volume to date of programmes (a quarter's
   * rebate), never in the period's own figures. Returned for rule evaluation like a sale.
   */
  addPrior(transaction: SettlementTransaction, at: TransactionLocator): PendingSale | undefined;
  /**
   * A transaction refused for cells that could not be read (already reported): its readable
   * fields are checked as {@link add} checks them — the period, the channel, the SKUs, the
   * signs, for a return its original — so every problem is in one answer. An unreadable value
   * is given as '' (a text) or NaN (a quantity) and is not checked again. It is never booked.
   */
  refuse(transaction: SettlementTransaction, at: TransactionLocator): void;
  /** Prices a checked sale exactly as a quote of it would be, given the rules that fired per line. */
  bookSale(pending: PendingSale, firedPerLine: readonly FiredRules[]): void;
  /**
   * Checks and books an external sale; a `refused` one (cells unreadable, already reported,
   * given as '' or NaN) is checked on what could be read and not booked.
   */
  addExternalSale(sale: ExternalSale, at: RecordLocator, refused?: boolean): void;
  /**
   * Records issues found outside the accumulator (an unreadable row, a bad cell) so all are
   * reported together; with a transaction id, that transaction counts as refused (its returns
   * then say so instead of naming an unknown transaction).
   */
  reject(issues: readonly SettlementIssue[], transactionId?: string): void;
  /**
   * The statement; throws DomainError INVALID_SETTLEMENT listing every issue when any input
   * was refused (nothing is dropped silently).
   */
  finish(claimed?: ClaimedFigures): SettlementStatement;
  /**
   * The statement as {@link finish} gives it, its discrepancies read back one at a time as it
   * is written (close them once written): memory stays flat however many there are.
   */
  finishStreamed(claimed?: ClaimedFigures): StreamedStatement;
  /**
   * Once spilled, the matching finish() does, one partition per step (none when nothing
   * spilled): a caller on a shared event loop iterates it, yielding between steps, before
   * finish(), which runs whatever steps are left.
   */
  matchSpilled(): Iterable<void>;
  /** Gives up: frees the spilled records (removes their files). finish() does it too; safe to call twice. */
  abort(): void;
}

export interface SettlementOptions {
  /**
   * How many unit prices and line figures to remember (default 50,000 each); 0 prices every
   * sale with priceQuote afresh (the straightforward path the differential test compares with).
   */
  readonly rememberedPricings?: number;
  /**
   * Opens where records spill once {@link spillAfter} transaction ids are registered; without
   * it nothing spills and memory grows with the input (about 100 bytes a sale).
   */
  readonly openSpill?: () => SpillStore;
  /**
   * Transaction ids registered in memory before the accumulator spills (default 200,000,
   * about 20 MB): past it, every id, booked sale and held return goes to the spill and
   * duplicates and returns are matched at finish, one partition at a time. 0 spills at once.
   */
  readonly spillAfter?: number;
  /** Hash partitions of the spill (default 256): memory at finish holds one at a time. */
  readonly spillPartitions?: number;
  /** Write buffer per partition, bytes (default 16 KiB: 4 MiB for the default partitions). */
  readonly spillBufferBytes?: number;
  /**
   * Invoice discrepancies kept in memory (default 10,000, about 5 MB): past it they go to a
   * spill store of their own (opened with {@link openSpill}) and are read back as the
   * statement is written. Without openSpill they all stay in memory.
   */
  readonly discrepanciesInMemory?: number;
  /**
   * Key-account buyers (buyer and rebate rule) with a settlement rebate at most (default
   * 10,000): past it the statement is refused with REBATE_ACCOUNTS_OVER_LIMIT and the counts.
   */
  readonly maxRebateAccounts?: number;
}

const DISCREPANCIES_IN_MEMORY = 10_000;

/**
 * Starts the settlement of `period` under one agreement version. Every figure is computed
 * from the agreement's prices (invoiced prices only feed the discrepancy list); amounts are
 * rounded at the line with the version's rounding policy and every total is the sum of the
 * rounded figures under it. Rebate tiers and the price-guarantee factor come from the
 * version's settlement rules (`rebate-settlement`, `price-guarantee`), never from code.
 *
 * This is the composition root of src/domain/settle/: the checks (transaction-checks.ts), the
 * ids, duplicates and return matching (sale-register.ts), the sale line pricing and its cache
 * (line-price-cache.ts), returns priced by the quote's line function (priced-piece.ts), the
 * rebates and programmes (rebate-accounts.ts), the price guarantee, the declared figures with
 * clawbacks and accelerators (declared-figures.ts), invoice discrepancies, claims; the result
 * in decimals (settlement-result.ts) and its presenter (present-statement.ts).
 *
 * @example
 *   const acc = createSettlementAccumulator(version, { from: '2026-11-01', to: '2026-11-30' });
 *   const pending = acc.add(t1, locator); if (pending) acc.bookSale(pending, firedPerLine);
 *   acc.finish().commission // "32578.27" for the first bundled agreement's settlement worked example (docs/agreements/)
 */
export function createSettlementAccumulator(version: AgreementVersion, period: SettlementPeriod, options: SettlementOptions = {}): SettlementAccumulator {
  const policy = version.rounding;
  const issues = new IssueList();
  const record = (issue: SettlementIssue): void => issues.record(issue);
  const cache = new LinePriceCache(version, options.rememberedPricings ?? MAX_REMEMBERED_PRICINGS);
  const discrepancies = new DiscrepancyLog(options.openSpill, options.discrepanciesInMemory ?? DISCREPANCIES_IN_MEMORY);
  const invoices = new InvoiceCheck(policy, discrepancies);
  /** The list handed to a streamed statement: closed by whoever writes it, not by abort. */
  let handedOut = false;
  const volume = new Map<string, MoneySum>();
  const commission = new MoneySum(policy.scale);
  let giftsValue: Dec = ZERO;
  const rebates = new RebateAccounts(policy, options.maxRebateAccounts ?? MAX_REBATE_ACCOUNTS);
  const programmes = new ProgrammeAccounts(period, policy);
  const guarantee = new PriceGuarantee(version, period);
  const declared = new DeclaredFigures(version, period);
  const counts = { transactions: 0, returns: 0, lines: 0, externalSales: 0 };

  /** Adds one priced piece (a sale line, a returned part) to every total it feeds. */
  const book = (piece: PricedPiece): void => {
    programmes.book(piece);
    let channelVolume = volume.get(piece.channel);
    if (channelVolume === undefined) volume.set(piece.channel, (channelVolume = new MoneySum(policy.scale)));
    channelVolume.add(piece.amount, piece.amountUnits);
    commission.add(piece.commission, piece.commissionUnits);
    rebates.book(piece);
    guarantee.book(piece);
  };

  /** Books a return against its sale, or records why it cannot be (a refused return is only checked). */
  const matchReturn = (tx: SettlementTransaction, at: TransactionLocator, original: Registered | undefined, refused: boolean): void => {
    const problems = checkReturn(tx, at, original, refused);
    problems.forEach(record);
    if (problems.length > 0 || refused || typeof original !== 'object') return;
    const group = declared.groupOf(tx);
    for (const { sold, quantity, invoiced } of takeReturnedParts(original, tx)) {
      const piece = priceReturnedPiece(version, original, sold, quantity, tx, group);
      book(piece);
      declared.bookReturn(piece, tx, original);
      invoices.check(tx.id, piece, invoiced, issues.call, issues.findingAt);
    }
  };

  const register = new SaleRegister(
    issues,
    options,
    { number: (fired) => cache.entry(fired).id, rules: (n) => cache.rulesOf(n) },
    { matchReturn, restart: () => discrepancies.forgetFound() },
  );

  const nextCall = (): void => {
    issues.nextCall();
    register.beforeCall();
  };

  const countTransaction = (tx: SettlementTransaction): void => {
    counts.transactions++;
    counts.lines += tx.lines.length;
    if (tx.returnOf !== undefined) counts.returns++;
  };

  const pendingSale = (tx: SettlementTransaction, at: TransactionLocator): PendingSale => {
    const input: QuoteInput = {
      agreement: version.agreement,
      channel: tx.channel,
      date: tx.date,
      buyer: tx.buyer,
      ...(tx.attributes === undefined ? {} : { attributes: tx.attributes }),
      ...(tx.coupon === undefined ? {} : { coupon: tx.coupon }),
      lines: tx.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    };
    return { transaction: tx, at, input, facts: buildLineFacts(version, input), seq: issues.call };
  };

  const admit = (tx: SettlementTransaction, at: TransactionLocator, found: SettlementIssue[], refused: boolean): PendingSale | undefined => {
    const admitted = register.admit(tx, at, found, refused);
    if (admitted === undefined) return undefined;
    return admitted === 'duplicate' ? { ...pendingSale(tx, at), duplicate: true } : pendingSale(tx, at);
  };

  /** The period's result in decimals, once every input is in and checked. */
  const settle = (claimed: ClaimedFigures | undefined): SettlementResult => {
    const volumeByChannel: (readonly [string, Dec])[] = [];
    for (const channel of version.channels.values()) {
      const amount = volume.get(channel.id);
      if (amount !== undefined) volumeByChannel.push([channel.id, amount.value]);
    }
    const rebateLines = rebates.lines();
    const guaranteeLines = guarantee.lines();
    const compensation = sum(guaranteeLines.map((line) => line.compensation));
    const programmeLines = programmes.lines();
    const rebatePaid = sum(programmeLines.map((line) => line.rebate));
    declared.bookAccelerators();
    const totals = { compensation, giftsValue, rebatePaid };
    const figures = declared.figures(totals);
    const commissionTotal = commission.value;
    const groups = declared.groups(totals);
    const clawbacks = declared.clawbacks();
    return {
      version,
      period,
      volume: volumeByChannel,
      commission: commissionTotal,
      rebates: rebateLines,
      priceGuarantee: guaranteeLines,
      compensation,
      giftsValue,
      discrepancies: discrepancies.list(),
      figures,
      ...(groups === undefined ? {} : { groups }),
      ...(programmeLines.length === 0 ? {} : { programmes: programmeLines }),
      ...(clawbacks === undefined ? {} : { clawbacks }),
      ...(claimed === undefined ? {} : { reconciliation: reconcile({ figures, commission: commissionTotal, compensation, rebates: rebateLines }, claimed, claimableFigures(version)) }),
      counts: { ...counts },
    };
  };

  const close = (): void => {
    register.close();
    if (!handedOut) discrepancies.close();
  };

  return {
    version,
    period,
    reject(found, transactionId) {
      nextCall();
      found.forEach(record);
      if (transactionId === undefined) return;
      counts.transactions++;
      register.refuseId(transactionId);
    },

    add(tx, at) {
      nextCall();
      countTransaction(tx);
      const found = checkTransaction(version, period, tx, at, false);
      return admit(tx, at, found, found.length > 0);
    },

    addPrior(tx, at) {
      nextCall();
      // once spilled, a repeated id is found at finish, as for the period's own sales
      const found = checkPriorSale(version, period, tx, at, !register.spilling && register.has(tx.id));
      found.forEach(record);
      register.admitPrior(tx.id, at, found.length > 0);
      return found.length > 0 ? undefined : { ...pendingSale(tx, at), prior: true };
    },

    refuse(tx, at) {
      nextCall();
      countTransaction(tx);
      const found = checkTransaction(version, period, tx, at, true);
      // without a readable id there is nothing to register, nor a return to match
      if (tx.id === '') found.forEach(record);
      else admit(tx, at, found, true);
    },

    bookSale(pending, firedPerLine) {
      const tx = pending.transaction;
      const lines = pending.input.lines;
      const breaches = findBreaches(version, firedPerLine);
      if (breaches.length > 0) {
        // refused as a quote of it would be: every breach listed, the sale not booked (its returns say so)
        for (const breach of breaches) {
          for (const line of breach.lines) {
            record({ pointer: pending.at.lineField(line, '').replace(/\/$/, ''), code: 'ORDER_REFUSED', detail: `transaction ${tx.id}: refused by rule ${breach.ruleId} (clause ${breach.clause}, ${breach.code}): ${breach.label.en}`, transaction: tx.id, ...sourceOf(pending.at) });
          }
        }
        register.refuseSale(pending.seq, tx.id, pending.at, pending.duplicate === true);
        return;
      }
      if (pending.duplicate === true) return;
      const entries = lines.map((_, j) => cache.entry(firedPerLine[j] ?? []));
      const figures = cache.priceLines(pending.input, firedPerLine, entries);
      const group = declared.groupOf(tx);
      const booked: SaleLineToBook[] = [];
      for (let j = 0; j < lines.length; j++) {
        const line = lines[j]!;
        const priced = figures[j]!;
        // every field written out (no spread): one object shape for every line
        const piece: PricedPiece = {
          channel: tx.channel,
          buyerId: tx.buyer.id,
          date: tx.date,
          group,
          sku: line.sku,
          quantity: line.quantity,
          unitPrice: priced.unitPrice,
          amount: priced.amount,
          commission: priced.commission,
          rebate: priced.rebate,
          amountUnits: priced.amountUnits,
          commissionUnits: priced.commissionUnits,
          rebateUnits: priced.rebateUnits,
          invoicedAgrees: priced.invoicedAgrees,
          fired: entries[j]!.rules,
        };
        if (pending.prior === true) {
          programmes.book(piece);
        } else {
          book(piece);
          declared.bookSale(piece);
          invoices.check(tx.id, piece, tx.lines[j]!.unitPrice, issues.call, issues.findingAt);
        }
        booked.push(piece);
      }
      if (pending.prior !== true && entries.some((entry) => entry.givesGoods)) {
        for (const gift of orderGifts(version, lines, firedPerLine)) giftsValue = giftsValue.plus(gift.value);
      }
      register.book(pending.seq, tx, pending.at, booked);
    },

    addExternalSale(sale, at, refused = false) {
      issues.nextCall();
      counts.externalSales++;
      const found = checkExternalSale(version, period, sale, at, refused);
      found.forEach(record);
      if (found.length > 0 || refused) return;
      guarantee.noteExternalSale(sale.sku, new Dec(sale.unitPrice), sale.institution);
    },

    finish(claimed) {
      return collectStatement(this.finishStreamed(claimed));
    },

    finishStreamed(claimed) {
      try {
        register.finishMatching();
        checkClaims(claimed, policy.scale, claimableFigures(version)).forEach(record);
        if (rebates.linesPastLimit > 0) {
          const max = rebates.maxAccounts;
          record({
            pointer: '/',
            code: 'REBATE_ACCOUNTS_OVER_LIMIT',
            detail: `more than ${max} key-account buyers earn a settlement rebate in the period (the statement holds at most ${max}): ${rebates.linesPastLimit} line(s) of the buyers past the limit were not counted; settle the period in parts`,
          });
        }
        issues.throwIfAny();
        const statement = presentStatement(settle(claimed));
        handedOut = true;
        return statement;
      } finally {
        close();
      }
    },

    matchSpilled() {
      return register.matchSpilled();
    },

    abort() {
      close();
    },
  };
}
