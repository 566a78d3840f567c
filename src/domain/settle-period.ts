import { isRuleInForce, type AgreementVersion, type PricingRule, type Tier, type TierMode } from './agreement';
import { findTier, tierRate } from './apply-tiers';
import { IdNumbers } from './id-numbers';
import { BookedSales, type BookedLine, type BookedSale, type SaleLineToBook } from './booked-sales';
import { DiscrepancyLog } from './discrepancy-log';
import { KeyedItems, SettlementSpill, mergeInInputOrder, type MatchingKey, type Registered } from './settlement-spill';
import type { SpillStore } from './spill-store';
import { DomainError } from './errors';
import { isIsoDate } from './iso-date';
import { buildLineFacts, type Facts } from './line-facts';
import { MoneySum, minorUnits } from './money-sum';
import { Dec, ZERO, formatAmount, formatRate, formatUnitPrice, isDecimalText, isUnitPriceText, roundMoney, sum } from './money';
import { findBreaches, orderGifts, priceQuote, type FiredRules } from './price-quote';
import type { QuoteInput } from './quote';
import { FigureBook, payeeSource } from './statement-figures';
import type { RebateSettlement } from './terms/rebate-settlement';
import { graduatedAmount } from './terms/tiered-discount';
import type { LinePricing, OrderPricing } from './terms/term';
import type {
  ClaimedFigures,
  ClawbackLine,
  Discrepancy,
  ProgrammeLine,
  ExternalSale,
  StreamedStatement,
  PriceGuaranteeLine,
  RebateLine,
  ReconciliationLine,
  RecordLocator,
  SettlementIssue,
  SettlementPeriod,
  SettlementStatement,
  SettlementTransaction,
  TransactionLocator,
} from './settlement';
import { collectStatement, figureAmount } from './settlement';


/** Why a unit price is refused (see {@link isUnitPriceText}: every product with a quantity stays exact). */
const UNIT_PRICE_RULE = 'is not a decimal ≥ 0 with at most 12 digits before the point and 8 after';

/** At most this many issues are listed; the rest are counted in one closing issue. */
export const MAX_LISTED_ISSUES = 1000;

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

/** Every problem with a period: real days, `from` on or before `to`. */
export function checkSettlementPeriod(period: SettlementPeriod): SettlementIssue[] {
  const issues: SettlementIssue[] = [];
  for (const key of ['from', 'to'] as const) {
    if (!isIsoDate(period[key])) issues.push({ pointer: `/period/${key}`, code: 'INVALID_DATE', detail: `${JSON.stringify(period[key])} is not a day (yyyy-mm-dd)` });
  }
  if (issues.length === 0 && period.from > period.to) issues.push({ pointer: '/period', code: 'INVALID_PERIOD', detail: `the period starts (${period.from}) after it ends (${period.to})` });
  return issues;
}

/** A sale line's figures as {@link priceQuote} gives them, with their minor units for {@link MoneySum}. */
interface LineFigures {
  readonly unitPrice: Dec;
  readonly amount: Dec;
  readonly commission: Dec;
  readonly rebate: Dec;
  readonly amountUnits?: number | undefined;
  readonly commissionUnits?: number | undefined;
  readonly rebateUnits?: number | undefined;
  /** Invoiced unit prices (as written) whose amount for this line's quantity equals its amount, or not. */
  readonly invoicedAgrees?: Map<string, boolean>;
}

/** At most this many invoiced prices are remembered per line pricing (a supplier invoices a handful). */
const MAX_REMEMBERED_INVOICED = 16;

/** What the accumulator knows of one list of fired rules (the fired-rules cache hands out one array per key). */
interface FiredEntry {
  readonly id: number;
  /** The first list seen with these rule ids: sales share it. */
  readonly rules: FiredRules;
  /** A tier table on the order's total units: the line's unit price depends on the whole order. */
  readonly readsOrderQuantity: boolean;
  /** A tier table on the line's units. */
  readonly readsLineQuantity: boolean;
  /** A term reads the rest of the order (an order amount allocated, a cap): the line is priced with its order, never from the cache. */
  readonly readsOrderLines: boolean;
  readonly givesGoods: boolean;
  /** Unit prices under these rules by SKU, then the order's units (0 unless read), then the line's (0 unless read). */
  readonly unitPrices: Map<string, Map<number, Map<number, SharedPrice>>>;
  /** Line figures under these rules by unit price, then quantity. */
  readonly figures: Map<number, Map<number, LineFigures>>;
}

/** The map under `key`, made when missing. */
function inner<K, V>(outer: Map<K, V>, key: K, make: () => V): V {
  let found = outer.get(key);
  if (found === undefined) outer.set(key, (found = make()));
  return found;
}

/** A unit price shared by the sales that have it, numbered for the keys of {@link LineFigures}. */
interface SharedPrice {
  readonly id: number;
  readonly value: Dec;
}

/** At most this many unit prices and line figures are remembered each (a month repeats a few thousand). */
const MAX_REMEMBERED_PRICINGS = 50_000;

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

/** Default {@link SettlementOptions.spillAfter}. */
const SPILL_AFTER_IDS = 200_000;
const SPILL_PARTITIONS = 256;
const SPILL_BUFFER_BYTES = 1 << 14;
const DISCREPANCIES_IN_MEMORY = 10_000;
/** Default {@link SettlementOptions.maxRebateAccounts}: a chamber has dozens of key accounts; each costs ≈ 300 bytes. */
export const MAX_REBATE_ACCOUNTS = 10_000;

/** The registry's numbers for ids that are not booked sales (a booked sale has its number in {@link BookedSales}, ≥ 0). */
const PENDING = -1;
const RETURN = -2;
const REFUSED = -3;

interface WaitingReturn {
  /** The input call that added it (see MatchingKey). */
  readonly seq: number;
  readonly transaction: SettlementTransaction;
  readonly at: TransactionLocator;
  /** Refused for its own issues: only checked against its original, never booked. */
  readonly refused: boolean;
}

interface RebateAccount {
  readonly buyer: string;
  readonly rule: PricingRule;
  readonly tiers: readonly Tier[];
  readonly mode: TierMode;
  readonly volume: MoneySum;
  readonly accrued: MoneySum;
}

/** The guaranteed lines of one SKU under one price-guarantee rule: how many lines had each quantity. */
interface GuaranteedLines {
  readonly factor: Dec;
  readonly countByQuantity: Map<number, number>;
}

/** A programme rebate's volume to date (a quarter, a year), summed over the pieces its rule fired on. */
interface ProgrammeAccount {
  readonly rule: PricingRule;
  readonly action: RebateSettlement;
  readonly period: SettlementPeriod;
  readonly volume: MoneySum;
}

interface LowestExternal {
  readonly unitPrice: Dec;
  readonly institution: string;
}

/** One priced piece of a line: a sale line, or the part of a return line taken from one sale line. */
interface PricedPiece extends LineFigures {
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
 * Starts the settlement of `period` under one agreement version. Every figure is computed
 * from the agreement's prices (invoiced prices only feed the discrepancy list); amounts are
 * rounded at the line with the version's rounding policy and every total is the sum of the
 * rounded figures under it. Rebate tiers and the price-guarantee factor come from the
 * version's settlement rules (`rebate-settlement`, `price-guarantee`), never from code.
 *
 * @example
 *   const acc = createSettlementAccumulator(version, { from: '2026-11-01', to: '2026-11-30' });
 *   const pending = acc.add(t1, locator); if (pending) acc.bookSale(pending, firedPerLine);
 *   acc.finish().commission // "32578.27" for the worked example of AGREEMENT.md
 */
export function createSettlementAccumulator(version: AgreementVersion, period: SettlementPeriod, options: SettlementOptions = {}): SettlementAccumulator {
  const maxPricings = options.rememberedPricings ?? MAX_REMEMBERED_PRICINGS;
  const policy = version.rounding;
  const money = (value: Dec): string => formatAmount(value, policy.scale);
  let issues: SettlementIssue[] = [];
  let unlisted = 0;
  // a number per id, not an object: a month may hold a few hundred thousand sales
  let registry = new IdNumbers();
  let sales = new BookedSales();
  const spillAfter = options.spillAfter ?? SPILL_AFTER_IDS;
  let spill: SettlementSpill | undefined;
  /** Once spilled, the registry is in the spill: a closed spill (finished, aborted) takes no more input. */
  let spilled = false;
  /** The number of the current input call (add, reject, external sale): orders what finish finds among what was recorded at once. */
  let seq = -1;
  const issueSeqs: number[] = [];
  /** While finish matches spilled records: when an unspilled run would have recorded what is found. */
  let foundAt: MatchingKey | undefined;
  let foundIssues = new KeyedItems<SettlementIssue>(MAX_LISTED_ISSUES);
  const firedList: FiredEntry[] = [];
  const lookup = (id: string): Registered | undefined => {
    const n = registry.get(id);
    return n === undefined ? undefined : n === PENDING ? 'pending' : n === RETURN ? 'return' : n === REFUSED ? 'refused' : sales.sale(n);
  };
  const waiting = new Map<string, WaitingReturn[]>();
  const firedByIds = new Map<string, FiredEntry>();
  const firedEntries = new WeakMap<FiredRules, FiredEntry>();
  const sharedPrices = new Map<string, SharedPrice>();
  let priceCount = 0;
  let rememberedPricings = 0;
  const volume = new Map<string, MoneySum>();
  const commission = new MoneySum(policy.scale);
  let giftsValue = ZERO;
  const rebates = new Map<string, RebateAccount>();
  const guaranteed = new Map<string, Map<string, GuaranteedLines>>();
  const lowestExternal = new Map<string, LowestExternal>();
  const discrepancies = new DiscrepancyLog(options.openSpill, options.discrepanciesInMemory ?? DISCREPANCIES_IN_MEMORY);
  /** The list handed to a streamed statement: closed by whoever writes it, not by abort. */
  let handedOut = false;
  const maxRebateAccounts = options.maxRebateAccounts ?? MAX_REBATE_ACCOUNTS;
  /** Lines of buyers past maxRebateAccounts (the statement is refused). */
  let linesPastRebateLimit = 0;
  const counts = { transactions: 0, returns: 0, lines: 0, externalSales: 0 };
  const figureBook = version.statement === undefined ? undefined : new FigureBook(version.statement, policy.scale);
  const perFact = version.statement?.per?.fact;
  const programmes = new Map<string, ProgrammeAccount>();
  const clawbackRules = version.rules.filter((rule) => rule.action.type === 'clawback');
  const clawbacks: ClawbackLine[] = [];
  /** The value of the statement's `per` fact for a transaction (the affiliate of its order). */
  const groupOf = (tx: SettlementTransaction): string | undefined => {
    if (perFact === undefined) return undefined;
    if (perFact === 'buyer.id') return tx.buyer.id;
    const value = tx.attributes?.[perFact.slice('order.'.length)];
    return value === undefined || value === null ? '' : String(value);
  };
  /** What a figure term of a returned line reads of its order: the attributes that name payees. */
  const orderContextOf = (tx: SettlementTransaction): OrderPricing => ({
    input: { agreement: version.agreement, channel: tx.channel, date: tx.date, buyer: tx.buyer, ...(tx.attributes === undefined ? {} : { attributes: tx.attributes }), lines: [] },
    lines: [],
    policy,
    totalQuantity: 0,
  });

  const record = (issue: SettlementIssue): void => {
    if (foundAt !== undefined) {
      foundIssues.push(foundAt, issue);
    } else if (issues.length < MAX_LISTED_ISSUES) {
      issues.push(issue);
      issueSeqs.push(seq);
    } else {
      unlisted++;
    }
  };

  const firedEntry = (fired: FiredRules): FiredEntry => {
    const seen = firedEntries.get(fired);
    if (seen !== undefined) return seen;
    const ids = fired.map((rule) => rule.id).join('\n');
    let entry = firedByIds.get(ids);
    if (entry === undefined) {
      entry = {
        id: firedByIds.size,
        rules: fired,
        // what the line's figures depend on, as each term declares it: the cache keys on these
        readsOrderQuantity: fired.some((rule) => rule.term.dependsOn(rule.action as never).includes('order.totalQuantity')),
        readsLineQuantity: fired.some((rule) => rule.term.dependsOn(rule.action as never).includes('line.quantity')),
        readsOrderLines: fired.some((rule) => rule.term.dependsOn(rule.action as never).includes('order.lines')),
        givesGoods: fired.some((rule) => rule.term.stage === 'gifts'),
        unitPrices: new Map(),
        figures: new Map(),
      };
      firedByIds.set(ids, entry);
      firedList.push(entry);
    }
    firedEntries.set(fired, entry);
    return entry;
  };

  const sharePriceText = (text: string): SharedPrice => {
    let shared = sharedPrices.get(text);
    if (shared === undefined) {
      shared = { id: priceCount++, value: new Dec(text) };
      if (sharedPrices.size < maxPricings) sharedPrices.set(text, shared);
    }
    return shared;
  };

  /**
   * The figures of a sale's lines, exactly as {@link priceQuote} gives them. A line's unit
   * price is a function of its SKU and fired rules (and of the units the fired tier tables
   * read: the line's, the order's), its amount, commission and rebate of its unit price,
   * quantity and fired rules; a month repeats a few thousand of each, so priceQuote runs
   * only for a sale with a line not seen before, and its figures are remembered.
   */
  const priceLines = (pending: PendingSale, firedPerLine: readonly FiredRules[], entries: readonly FiredEntry[]): LineFigures[] => {
    const lines = pending.input.lines;
    let totalQuantity = 0;
    for (const line of lines) totalQuantity += line.quantity;
    const figures: LineFigures[] = [];
    const cacheable = !entries.some((entry) => entry.readsOrderLines);
    for (let j = 0; cacheable && j < lines.length; j++) {
      const line = lines[j]!;
      const entry = entries[j]!;
      const price = entry.unitPrices
        .get(line.sku)
        ?.get(entry.readsOrderQuantity ? totalQuantity : 0)
        ?.get(entry.readsLineQuantity ? line.quantity : 0);
      const known = price === undefined ? undefined : entry.figures.get(price.id)?.get(line.quantity);
      if (known === undefined) break;
      figures.push(known);
    }
    if (figures.length === lines.length) return figures;
    const quote = priceQuote(version, pending.input, firedPerLine);
    if (rememberedPricings + lines.length > maxPricings) {
      for (const entry of firedByIds.values()) {
        entry.unitPrices.clear();
        entry.figures.clear();
      }
      rememberedPricings = 0;
    }
    return quote.lines.map((line, j) => {
      const entry = entries[j]!;
      const price = sharePriceText(line.unitPrice);
      const amount = new Dec(line.amount);
      const lineCommission = new Dec(line.commission);
      const rebate = new Dec(line.rebate);
      const priced: LineFigures = {
        unitPrice: price.value,
        amount,
        commission: lineCommission,
        rebate,
        amountUnits: minorUnits(amount, policy.scale),
        commissionUnits: minorUnits(lineCommission, policy.scale),
        rebateUnits: minorUnits(rebate, policy.scale),
        invoicedAgrees: new Map(),
      };
      if (maxPricings > 0 && cacheable) {
        const bySku = inner(entry.unitPrices, line.sku, () => new Map<number, Map<number, SharedPrice>>());
        inner(bySku, entry.readsOrderQuantity ? totalQuantity : 0, () => new Map<number, SharedPrice>()).set(entry.readsLineQuantity ? line.quantity : 0, price);
        inner(entry.figures, price.id, () => new Map<number, LineFigures>()).set(line.quantity, priced);
        rememberedPricings += 2;
      }
      return priced;
    });
  };

  /** Adds one priced piece to every figure it feeds. */
  const book = (piece: PricedPiece): void => {
    bookProgrammes(piece);
    let channelVolume = volume.get(piece.channel);
    if (channelVolume === undefined) volume.set(piece.channel, (channelVolume = new MoneySum(policy.scale)));
    channelVolume.add(piece.amount, piece.amountUnits);
    commission.add(piece.commission, piece.commissionUnits);
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type === 'rebate-settlement' && action.period === 'statement') {
        const key = `${piece.buyerId}\u0000${rule.id}`;
        let account = rebates.get(key);
        if (account === undefined) {
          if (rebates.size >= maxRebateAccounts) {
            linesPastRebateLimit++;
            continue;
          }
          account = { buyer: piece.buyerId, rule, tiers: action.tiers, mode: action.mode, volume: new MoneySum(policy.scale), accrued: new MoneySum(policy.scale) };
          rebates.set(key, account);
        }
        account.volume.add(piece.amount, piece.amountUnits);
        account.accrued.add(piece.rebate, piece.rebateUnits);
      } else if (action.type === 'price-guarantee') {
        let bySku = guaranteed.get(piece.sku);
        if (bySku === undefined) guaranteed.set(piece.sku, (bySku = new Map()));
        let lines = bySku.get(rule.id);
        if (lines === undefined) bySku.set(rule.id, (lines = { factor: action.factor, countByQuantity: new Map() }));
        lines.countByQuantity.set(piece.quantity, (lines.countByQuantity.get(piece.quantity) ?? 0) + 1);
      }
    }
  };

  /** Adds a piece to the programmes (rebates over a quarter, a year) whose rule fired on it and whose period holds its day. */
  const bookProgrammes = (piece: PricedPiece): void => {
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'rebate-settlement' || action.period === 'statement') continue;
      const programme = programmePeriod(action.period, period.to);
      if (piece.date < programme.from || piece.date > programme.to) continue;
      let account = programmes.get(rule.id);
      if (account === undefined) programmes.set(rule.id, (account = { rule, action, period: programme, volume: new MoneySum(policy.scale) }));
      account.volume.add(piece.amount, piece.amountUnits);
    }
  };

  /** Adds a sale piece to the declared figures: its amount by channel, its commissions by payee. */
  const bookFigures = (piece: PricedPiece): void => {
    if (figureBook === undefined) return;
    figureBook.addAmount(piece.group, piece.channel, piece.amount);
    addCommissions(piece);
  };

  /**
   * A piece's commission by payee source: all of it to the one payee its commission terms
   * name, or, when they name several, each term's own figure (the first takes the rounding rest).
   */
  const addCommissions = (piece: PricedPiece): void => {
    const sources: { source: string; figure: Dec }[] = [];
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'commission') continue;
      sources.push({ source: payeeSource(action.payee), figure: roundMoney(piece.amount.times(action.rate), policy) });
    }
    if (sources.length === 0 || figureBook === undefined) return;
    if (sources.every((entry) => entry.source === sources[0]!.source)) {
      figureBook.addCommission(piece.group, sources[0]!.source, piece.commission);
      return;
    }
    let rest = piece.commission;
    for (const entry of sources.slice(1)) {
      figureBook.addCommission(piece.group, entry.source, entry.figure);
      rest = rest.minus(entry.figure);
    }
    figureBook.addCommission(piece.group, sources[0]!.source, rest);
  };

  /**
   * A returned piece in the declared figures: its (negative) amount; its commission taken back
   * in the commission figure, or — under a clawback term — shown as a clawback when the return
   * came within the term's days of its sale, and not taken back at all when later.
   */
  const bookReturnFigures = (piece: PricedPiece, tx: SettlementTransaction, sale: BookedSale): void => {
    const clawbackRule = clawbackRules.find((rule) => isRuleInForce(rule, tx.date));
    if (clawbackRule === undefined) {
      bookFigures(piece);
      return;
    }
    figureBook?.addAmount(piece.group, piece.channel, piece.amount);
    const days = daysBetween(sale.date, tx.date);
    const within = clawbackRule.action.type === 'clawback' && days <= clawbackRule.action.withinDays;
    const taken = within ? piece.commission.neg() : ZERO;
    figureBook?.addClawback(piece.group, taken);
    const rate = piece.fired.find((rule) => rule.action.type === 'commission');
    clawbacks.push({
      transaction: tx.id,
      returnOf: tx.returnOf ?? '',
      ...(piece.group === undefined ? {} : { group: piece.group }),
      sku: piece.sku,
      quantity: piece.quantity,
      amount: money(piece.amount),
      daysAfterSale: days,
      rate: rate === undefined || rate.action.type !== 'commission' ? '0' : formatRate(rate.action.rate),
      clawback: money(taken),
    });
  };

  const noteDiscrepancy = (transaction: string, piece: PricedPiece, invoiced: string | undefined): void => {
    if (invoiced === undefined) return;
    const agrees = piece.invoicedAgrees;
    if (agrees?.get(invoiced) === true) return;
    const invoicedUnitPrice = new Dec(invoiced);
    const invoicedAmount = roundMoney(invoicedUnitPrice.times(piece.quantity), policy);
    const equal = invoicedAmount.eq(piece.amount);
    if (agrees !== undefined && agrees.size < MAX_REMEMBERED_INVOICED) agrees.set(invoiced, equal);
    if (equal) return;
    const discrepancy: Discrepancy = {
      transaction,
      sku: piece.sku,
      quantity: piece.quantity,
      invoicedUnitPrice: formatUnitPrice(invoicedUnitPrice, policy.scale),
      agreedUnitPrice: formatUnitPrice(piece.unitPrice, policy.scale),
      invoicedAmount: money(invoicedAmount),
      agreedAmount: money(piece.amount),
      difference: money(invoicedAmount.minus(piece.amount)),
    };
    if (foundAt !== undefined) discrepancies.recordFound(foundAt, discrepancy);
    else discrepancies.record(seq, discrepancy);
  };

  const countTransaction = (tx: SettlementTransaction): void => {
    counts.transactions++;
    counts.lines += tx.lines.length;
    if (tx.returnOf !== undefined) counts.returns++;
  };

  /** Registers a checked transaction: refused (its return still checked against its original), a return booked or held, or a sale handed back for pricing. */
  const admit = (tx: SettlementTransaction, at: TransactionLocator, found: SettlementIssue[], refused: boolean): PendingSale | undefined => {
    if (spill !== undefined) return addSpilled(spill, tx, at, found, refused);
    if (registry.has(tx.id)) {
      found.push(duplicateIssue(tx.id, at.field('id'), at.source));
      found.forEach(record);
      // a duplicate sale is still checked against the refusal terms (as a spilled run books it and finds out at finish), never booked
      return refused || tx.returnOf !== undefined ? undefined : { ...pendingSale(tx, at), duplicate: true };
    }
    if (refused) {
      found.forEach(record);
      registry.set(tx.id, REFUSED);
      if (returnsAnother(tx)) matchOrHold(tx, at, true);
      flushWaiting(tx.id);
      return undefined;
    }
    if (tx.returnOf !== undefined) {
      registry.set(tx.id, RETURN);
      matchOrHold(tx, at, false);
      flushWaiting(tx.id);
      return undefined;
    }
    registry.set(tx.id, PENDING);
    return pendingSale(tx, at);
  };

  /** A return matched against its original now, or held until the original arrives (or finish). */
  const matchOrHold = (tx: SettlementTransaction, at: TransactionLocator, refused: boolean): void => {
    const original = lookup(tx.returnOf!);
    if (original !== undefined) {
      addReturn(tx, at, original, refused);
      return;
    }
    const held = waiting.get(tx.returnOf!);
    if (held === undefined) waiting.set(tx.returnOf!, [{ seq, transaction: tx, at, refused }]);
    else held.push({ seq, transaction: tx, at, refused });
  };

  /**
   * The checks that need no other transaction. `partial`: the transaction was refused for
   * unreadable cells, given as '' or NaN, which are not checked again.
   */
  const checkAlone = (tx: SettlementTransaction, at: TransactionLocator, partial: boolean): SettlementIssue[] => {
    const found: SettlementIssue[] = [];
    const problem = (pointer: string, code: string, detail: string): void => {
      found.push({ pointer, code, detail: `transaction ${tx.id}: ${detail}`, transaction: tx.id, ...sourceOf(at) });
    };
    if (partial && unreadable(tx.date)) {
      // reported where it was read
    } else if (!isIsoDate(tx.date)) problem(at.field('date'), 'INVALID_DATE', `date ${JSON.stringify(tx.date)} is not a day (yyyy-mm-dd)`);
    else if (tx.date < period.from || tx.date > period.to) problem(at.field('date'), 'OUTSIDE_PERIOD', `dated ${tx.date}, outside the period ${period.from} … ${period.to}`);
    if (!(partial && unreadable(tx.channel)) && !version.channels.has(tx.channel)) problem(at.field('channel'), 'UNKNOWN_CHANNEL', `channel ${JSON.stringify(tx.channel)} is not one of ${[...version.channels.keys()].join(', ')}`);
    if (tx.returnOf === tx.id) problem(at.field('returnOf'), 'RETURN_OF_ITSELF', 'a transaction cannot return itself');
    if (tx.lines.length === 0) problem(at.field(''), 'NO_LINES', 'has no lines');
    const isReturn = tx.returnOf !== undefined;
    tx.lines.forEach((line, j) => {
      if (!(partial && unreadable(line.sku)) && !version.catalog.has(line.sku)) problem(at.lineField(j, 'sku'), 'UNKNOWN_SKU', `SKU ${JSON.stringify(line.sku)} is not in the catalog of ${version.agreement}`);
      if (partial && unreadable(line.quantity)) {
        // reported where it was read
      } else if (!Number.isSafeInteger(line.quantity) || line.quantity === 0) {
        problem(at.lineField(j, 'quantity'), 'INVALID_QUANTITY', `quantity ${String(line.quantity)} of ${line.sku} must be a whole number of units, not 0`);
      } else if (isReturn && line.quantity > 0) {
        problem(at.lineField(j, 'quantity'), 'RETURN_QUANTITY_POSITIVE', `returns ${tx.returnOf}, so quantity ${line.quantity} of ${line.sku} must be negative`);
      } else if (!isReturn && line.quantity < 0) {
        problem(at.lineField(j, 'quantity'), 'NEGATIVE_QUANTITY', `quantity ${line.quantity} of ${line.sku} is negative but the transaction names no returnOf (negative quantities only in returns)`);
      }
      if (line.unitPrice !== undefined && !isUnitPriceText(line.unitPrice)) {
        problem(at.lineField(j, 'unitPrice'), 'INVALID_UNIT_PRICE', `invoiced unit price ${JSON.stringify(line.unitPrice)} of ${line.sku} ${UNIT_PRICE_RULE}`);
      }
    });
    return found;
  };

  /**
   * Books a return against its sale, or records why it cannot be. A `refused` return (its own
   * issues already recorded) is only checked, on the fields it could read ('' and NaN were not),
   * and never booked.
   */
  const addReturn = (tx: SettlementTransaction, at: TransactionLocator, original: Registered | undefined, refused = false): void => {
    const returned = tx.returnOf!;
    const problems: SettlementIssue[] = [];
    const problem = (pointer: string, code: string, detail: string): void => {
      problems.push({ pointer, code, detail: `transaction ${tx.id}: ${detail}`, transaction: tx.id, ...sourceOf(at) });
    };
    if (original === undefined) {
      problem(at.field('returnOf'), 'UNKNOWN_ORIGINAL', `returnOf ${JSON.stringify(returned)} names no transaction in the input`);
    } else if (original === 'return') {
      problem(at.field('returnOf'), 'RETURN_OF_RETURN', `returnOf ${JSON.stringify(returned)} names a return, not a sale`);
    } else if (original === 'refused') {
      problem(at.field('returnOf'), 'ORIGINAL_REFUSED', `returns ${returned}, which was refused (see its own issues)`);
    } else if (original === 'pending') {
      throw new Error(`sale ${returned} was not booked before the next transaction was added`);
    } else {
      // a refused return's unreadable fields ('' and NaN) and positive quantities were reported with it
      const unread = (value: string): boolean => refused && unreadable(value);
      if (!unread(tx.channel) && original.channel !== tx.channel) problem(at.field('channel'), 'RETURN_MISMATCH', `channel ${tx.channel} differs from ${original.channel} of the returned sale ${returned}`);
      if (!unread(tx.buyer.id) && original.buyerId !== tx.buyer.id) problem(at.field('buyer'), 'RETURN_MISMATCH', `buyer ${tx.buyer.id} differs from ${original.buyerId} of the returned sale ${returned}`);
      if (!unread(tx.date) && tx.date < original.date) problem(at.field('date'), 'RETURN_BEFORE_SALE', `dated ${tx.date}, before the sale ${returned} it returns (${original.date})`);
      const left = new Map<string, number>();
      for (const line of original.lines()) left.set(line.sku, (left.get(line.sku) ?? 0) + line.remaining);
      tx.lines.forEach((line, j) => {
        if (unread(line.sku)) return;
        const available = left.get(line.sku);
        if (available === undefined) {
          problem(at.lineField(j, 'sku'), 'RETURN_SKU_NOT_SOLD', `returns ${line.sku}, which the sale ${returned} does not contain`);
        } else if (refused && !(Number.isSafeInteger(line.quantity) && line.quantity < 0)) {
          // its quantity was reported with it
        } else if (-line.quantity > available) {
          problem(at.lineField(j, 'quantity'), 'RETURN_EXCEEDS_SALE', `returns ${-line.quantity} × ${line.sku} but only ${available} of the sale ${returned} are left to return`);
        } else {
          left.set(line.sku, available + line.quantity);
        }
      });
    }
    problems.forEach(record);
    if (problems.length > 0 || refused) return;
    const sale = original as BookedSale;
    const soldLines = sale.lines();
    tx.lines.forEach((line) => {
      let toReturn = -line.quantity;
      for (const sold of soldLines) {
        if (toReturn === 0) break;
        if (sold.sku !== line.sku || sold.remaining === 0) continue;
        const take = Math.min(toReturn, sold.remaining);
        sold.remaining -= take;
        sale.setRemaining(sold);
        toReturn -= take;
        const piece = priceReturnedPiece(sale, sold, -take, tx);
        book(piece);
        bookReturnFigures(piece, tx, sale);
        noteDiscrepancy(tx.id, piece, line.unitPrice);
      }
    });
  };

  /** A returned part of a sale line: its unit price, and the commission and rebate rules that applied to the sale. */
  /**
   * A returned part of a sale line: at the sale's unit price, its commission and rebate by the
   * figure terms that applied to the sale, computed by their own modules as for a quote line.
   */
  const priceReturnedPiece = (sale: BookedSale, sold: BookedLine, quantity: number, tx: SettlementTransaction): PricedPiece => {
    const amount = roundMoney(sold.unitPrice.times(quantity), policy);
    let pieceCommission = ZERO;
    let pieceRebate = ZERO;
    const line = { amount } as LinePricing;
    const order = orderContextOf(tx);
    for (const rule of sold.fired) {
      const term = rule.term;
      if (term.stage !== 'figure') continue;
      const figure = term.figure(rule.action as never, line, order);
      if (term.effect === 'commission') pieceCommission = pieceCommission.plus(figure.amount);
      else pieceRebate = pieceRebate.plus(figure.amount);
    }
    return {
      channel: sale.channel,
      buyerId: sale.buyerId,
      date: tx.date,
      group: groupOf(tx),
      sku: sold.sku,
      quantity,
      unitPrice: sold.unitPrice,
      amount,
      commission: pieceCommission,
      rebate: pieceRebate,
      fired: sold.fired,
    };
  };

  const flushWaiting = (saleId: string): void => {
    const held = waiting.get(saleId);
    if (held === undefined) return;
    waiting.delete(saleId);
    for (const { transaction, at, refused } of held) addReturn(transaction, at, lookup(saleId), refused);
  };

  /** Starts an input call: spills first when the registry has reached its threshold. */
  const nextCall = (): void => {
    seq++;
    if (spill !== undefined) return;
    if (spilled) throw new Error('the settlement is finished or aborted: it takes no more input');
    if (options.openSpill !== undefined && registry.size >= spillAfter) startSpill(options.openSpill());
  };

  /** Moves the registry, the booked sales and the waiting returns to the spill; from now on every transaction goes there too. */
  const startSpill = (store: SpillStore): void => {
    const started = new SettlementSpill(store, options.spillPartitions ?? SPILL_PARTITIONS, options.spillBufferBytes ?? SPILL_BUFFER_BYTES, (fired) => firedEntry(fired).id, (n) => firedList[n]!.rules);
    spill = started;
    spilled = true;
    registry.forEach((id, n) => {
      if (n === PENDING) throw new Error(`sale ${id} was not booked before the next transaction was added`);
      if (n === RETURN || n === REFUSED) {
        started.registerId(-1, id, n === RETURN ? 'return' : 'refused');
        return;
      }
      const sale = sales.sale(n);
      started.registerSale(-1, id, undefined, sale.channel, sale.buyerId, sale.date, sale.lines().map((line) => ({ sku: line.sku, unitPrice: line.unitPrice, fired: line.fired, quantity: line.remaining })));
    });
    for (const held of waiting.values()) for (const { seq: heldSeq, transaction, at, refused } of held) started.holdReturn(heldSeq, transaction, at, refused);
    registry = new IdNumbers();
    sales = new BookedSales();
    waiting.clear();
  };

  /** A transaction once spilled: checked alone, its id and (for a return) what matching needs recorded; duplicates and returns wait for finish. */
  const addSpilled = (to: SettlementSpill, tx: SettlementTransaction, at: TransactionLocator, found: readonly SettlementIssue[], refused: boolean): PendingSale | undefined => {
    if (refused) {
      found.forEach(record);
      if (returnsAnother(tx)) {
        to.registerId(seq, tx.id, 'refused-return', at, tx.returnOf);
        to.holdReturn(seq, tx, at, true);
      } else {
        to.registerId(seq, tx.id, 'refused', at);
      }
      return undefined;
    }
    if (tx.returnOf !== undefined) {
      to.registerReturn(seq, tx, at);
      return undefined;
    }
    // a duplicate sale is booked too: its DUPLICATE_TRANSACTION at finish refuses the whole statement
    return pendingSale(tx, at);
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
    return { transaction: tx, at, input, facts: buildLineFacts(version, input), seq };
  };

  /** Finds what the spill holds: duplicates and returns, each recorded where an unspilled run records it (once, however many callers step through it). */
  let matching: Generator<void, void, void> | undefined;
  let matched = false;
  const matchSteps = function* (from: SettlementSpill): Generator<void, void, void> {
    yield* from.resolve({
      duplicate(key, id, pointer, source) {
        foundAt = key;
        record(duplicateIssue(id, pointer, source));
        foundAt = undefined;
      },
      restart() {
        foundIssues = new KeyedItems<SettlementIssue>(MAX_LISTED_ISSUES);
        discrepancies.forgetFound();
      },
      matchReturn(key, tx, at, original, refused) {
        foundAt = key;
        addReturn(tx, at, original, refused);
        foundAt = undefined;
      },
    });
    matched = true;
  };

  /** Puts what the spill's matching found among what was recorded at once, as an unspilled run orders them. */
  const mergeFound = (): void => {
    if (!matched) throw new Error('the spilled matching was left unfinished');
    const listed = mergeInInputOrder(issues, issueSeqs, foundIssues.sorted());
    unlisted += foundIssues.dropped + Math.max(0, listed.length - MAX_LISTED_ISSUES);
    issues = listed.slice(0, MAX_LISTED_ISSUES);
  };

  const closeSpill = (): void => {
    const open = spill;
    spill = undefined;
    open?.close();
  };

  return {
    version,
    period,
    reject(found, transactionId) {
      nextCall();
      found.forEach(record);
      if (transactionId === undefined) return;
      counts.transactions++;
      if (spill !== undefined) {
        spill.registerId(seq, transactionId, 'refused');
      } else if (!registry.has(transactionId)) {
        registry.set(transactionId, REFUSED);
        flushWaiting(transactionId);
      }
    },

    add(tx, at) {
      nextCall();
      countTransaction(tx);
      const found = checkAlone(tx, at, false);
      return admit(tx, at, found, found.length > 0);
    },

    addPrior(tx, at) {
      nextCall();
      if (spill !== undefined) throw new Error('prior transactions are added before the period\'s own');
      const found = checkAlone(tx, at, false).filter((issue) => issue.code !== 'OUTSIDE_PERIOD');
      const problem = (code: string, detail: string): void => {
        found.push({ pointer: at.field(code === 'PRIOR_RETURN' ? 'returnOf' : 'date'), code, detail: `transaction ${tx.id}: ${detail}`, transaction: tx.id, ...sourceOf(at) });
      };
      if (isIsoDate(tx.date) && tx.date >= period.from) problem('PRIOR_NOT_BEFORE_PERIOD', `a prior transaction must be dated before the period (${period.from}), not ${tx.date}`);
      if (tx.returnOf !== undefined) problem('PRIOR_RETURN', 'a prior transaction is a sale; give its returns netted in its lines');
      if (registry.has(tx.id)) problem('DUPLICATE_TRANSACTION', `id ${tx.id} is given twice`);
      if (found.length > 0) {
        found.forEach(record);
        registry.set(tx.id, REFUSED);
        return undefined;
      }
      registry.set(tx.id, PENDING);
      return { ...pendingSale(tx, at), prior: true };
    },

    refuse(tx, at) {
      nextCall();
      countTransaction(tx);
      const found = checkAlone(tx, at, true);
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
        if (spill !== undefined) {
          spill.registerId(pending.seq, tx.id, 'refused', pending.at);
          return;
        }
        if (pending.duplicate === true) return;
        registry.set(tx.id, REFUSED);
        flushWaiting(tx.id);
        return;
      }
      if (pending.duplicate === true) return;
      const entries = lines.map((_, j) => firedEntry(firedPerLine[j] ?? []));
      const figures = priceLines(pending, firedPerLine, entries);
      const group = groupOf(tx);
      const booked: SaleLineToBook[] = [];
      for (let j = 0; j < lines.length; j++) {
        const line = lines[j]!;
        const priced = figures[j]!;
        const fired = entries[j]!.rules;
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
          fired,
        };
        if (pending.prior === true) {
          bookProgrammes(piece);
        } else {
          book(piece);
          bookFigures(piece);
          noteDiscrepancy(tx.id, piece, tx.lines[j]!.unitPrice);
        }
        booked.push(piece);
      }
      if (pending.prior !== true && entries.some((entry) => entry.givesGoods)) {
        for (const gift of orderGifts(version, lines, firedPerLine)) giftsValue = giftsValue.plus(gift.value);
      }
      if (spill !== undefined) {
        spill.registerSale(pending.seq, tx.id, pending.at, tx.channel, tx.buyer.id, tx.date, booked);
        return;
      }
      registry.set(tx.id, sales.add(tx.channel, tx.buyer.id, tx.date, booked));
      flushWaiting(tx.id);
    },

    addExternalSale(sale, at, refused = false) {
      seq++;
      counts.externalSales++;
      const found: SettlementIssue[] = [];
      const problem = (field: string, code: string, detail: string): void => {
        // a refused sale's unreadable cells were reported where they were read
        const value: unknown = sale[field as keyof ExternalSale];
        if (!refused || (value !== '' && !Number.isNaN(value))) found.push({ pointer: at.field(field), code, detail: `external sale to ${sale.institution}: ${detail}`, ...sourceOf(at) });
      };
      if (!isIsoDate(sale.date)) problem('date', 'INVALID_DATE', `date ${JSON.stringify(sale.date)} is not a day (yyyy-mm-dd)`);
      else if (sale.date < period.from || sale.date > period.to) problem('date', 'OUTSIDE_PERIOD', `dated ${sale.date}, outside the period ${period.from} … ${period.to}`);
      if (!version.catalog.has(sale.sku)) problem('sku', 'UNKNOWN_SKU', `SKU ${JSON.stringify(sale.sku)} is not in the catalog of ${version.agreement}`);
      if (!Number.isSafeInteger(sale.quantity) || sale.quantity <= 0) problem('quantity', 'INVALID_QUANTITY', `quantity ${String(sale.quantity)} must be a whole number of units ≥ 1`);
      if (!isUnitPriceText(sale.unitPrice)) problem('unitPrice', 'INVALID_UNIT_PRICE', `unit price ${JSON.stringify(sale.unitPrice)} ${UNIT_PRICE_RULE}`);
      found.forEach(record);
      if (found.length > 0 || refused) return;
      const unitPrice = new Dec(sale.unitPrice);
      const lowest = lowestExternal.get(sale.sku);
      if (lowest === undefined || unitPrice.lt(lowest.unitPrice)) lowestExternal.set(sale.sku, { unitPrice, institution: sale.institution });
    },

    finish(claimed) {
      return collectStatement(this.finishStreamed(claimed));
    },

    finishStreamed(claimed) {
      try {
        for (const [saleId, held] of waiting) for (const { transaction, at, refused } of held) addReturn(transaction, at, lookup(saleId), refused);
        waiting.clear();
        if (spill !== undefined) {
          for (const _ of (matching ??= matchSteps(spill)));
          mergeFound();
        }
        checkClaims(claimed, policy.scale, claimableFigures(version)).forEach(record);
        if (linesPastRebateLimit > 0) {
          record({
            pointer: '/',
            code: 'REBATE_ACCOUNTS_OVER_LIMIT',
            detail: `more than ${maxRebateAccounts} key-account buyers earn a settlement rebate in the period (the statement holds at most ${maxRebateAccounts}): ${linesPastRebateLimit} line(s) of the buyers past the limit were not counted; settle the period in parts`,
          });
        }
        if (issues.length > 0) {
          const listed = unlisted === 0 ? issues : [...issues, { pointer: '/', code: 'TOO_MANY_ISSUES', detail: `${unlisted} more issue(s) not listed` }];
          throw new DomainError('INVALID_SETTLEMENT', `${issues.length + unlisted} problem(s) in the settlement input`, listed);
        }
        const statement = buildStatement(claimed);
        handedOut = true;
        return statement;
      } finally {
        closeSpill();
        if (!handedOut) discrepancies.close();
      }
    },

    matchSpilled() {
      return spill === undefined ? [] : (matching ??= matchSteps(spill));
    },

    abort() {
      closeSpill();
      if (!handedOut) discrepancies.close();
    },
  };

  function buildStatement(claimed: ClaimedFigures | undefined): StreamedStatement {
    const volumeByChannel: Record<string, string> = {};
    for (const channel of version.channels.values()) {
      const amount = volume.get(channel.id);
      if (amount !== undefined) volumeByChannel[channel.id] = money(amount.value);
    }
    const commissionTotal = commission.value;
    const rebateLines: RebateLine[] = [...rebates.values()]
      .sort((a, b) => compareText(a.buyer, b.buyer) || compareText(a.rule.id, b.rule.id))
      .map((account) => {
        const accountVolume = account.volume.value;
        const accrued = account.accrued.value;
        const { rate, rebate } = volumeRebate(account.tiers, account.mode, accountVolume);
        const final = roundMoney(rebate, policy);
        return {
          buyer: account.buyer,
          volume: money(accountVolume),
          accrued: money(accrued),
          rate: formatRate(rate),
          final: money(final),
          trueUp: money(final.minus(accrued)),
          ruleId: account.rule.id,
        };
      });
    const guaranteeLines = priceGuaranteeLines();
    const compensation = sum(guaranteeLines.map((line) => new Dec(line.compensation)));
    const programmeLines = programmeRebates();
    const rebatePaid = sum(programmeLines.map((line) => new Dec(line.rebate)));
    bookAccelerators();
    const totals = { compensation, giftsValue, rebatePaid };
    const statement: StreamedStatement = {
      agreement: version.agreement,
      period: { from: period.from, to: period.to },
      rulesetVersion: version.rulesetVersion,
      effectiveFrom: version.effectiveFrom,
      currency: version.currency,
      parties: Object.fromEntries([...version.parties.values()].map((party) => [party.role, { id: party.id, name: party.name }])),
      volume: volumeByChannel,
      commission: money(commissionTotal),
      rebates: rebateLines,
      priceGuarantee: guaranteeLines,
      compensation: money(compensation),
      giftsValue: money(giftsValue),
      discrepancies: discrepancies.list(),
      figures: figureBook?.figures('', totals) ?? [],
      ...(figureBook === undefined || version.statement?.per === undefined
        ? {}
        : {
            groups: {
              section: version.statement.per.section,
              key: version.statement.per.key,
              rows: figureBook.groupKeys().map((key) => ({ key, figures: figureBook.figures(key, totals) })),
            },
          }),
      ...(programmeLines.length === 0 ? {} : { programmes: programmeLines }),
      ...(clawbackRules.length === 0 ? {} : { clawbacks }),
      counts: { ...counts },
    };
    return claimed === undefined ? statement : { ...statement, reconciliation: reconcile(statement, claimed, policy.scale, claimableFigures(version)) };
  }

  /** Each programme rebate (a quarter's, a year's): its volume to date, the tier reached, the rebate when this statement closes it. */
  function programmeRebates(): ProgrammeLine[] {
    return [...programmes.values()]
      .sort((a, b) => compareText(a.rule.id, b.rule.id))
      .map((account) => {
        const volumeToDate = account.volume.value;
        const closes = account.period.to === period.to;
        const tier = findTier(account.action.tiers, volumeToDate) ?? account.action.tiers[0]!;
        const { rebate } = volumeRebate(account.action.tiers, account.action.mode, volumeToDate);
        return {
          ruleId: account.rule.id,
          period: account.period,
          volumeToDate: money(volumeToDate),
          tier: { from: money(tier.from), ...(tier.to === undefined ? {} : { to: money(tier.to) }), rate: formatRate(tier.rate) },
          closes,
          rebate: money(closes ? roundMoney(rebate, policy) : ZERO),
        };
      });
  }

  /** Accelerators: per group (the statement's `per`), its volume over business channels; at the threshold, the extra rate on all of it. */
  function bookAccelerators(): void {
    if (figureBook === undefined) return;
    const business = [...version.channels.values()].filter((channel) => channel.business).map((channel) => channel.id);
    for (const rule of version.rules) {
      const action = rule.action;
      if (action.type !== 'accelerator' || !inForceDuring(rule, period)) continue;
      for (const group of figureBook.groupKeys()) {
        const groupVolume = figureBook.groupAmount(group, business);
        if (groupVolume.gte(action.threshold)) figureBook.addAccelerator(group, roundMoney(groupVolume.times(action.rate), policy));
      }
    }
  }

  /** Term 7b: per SKU sold to another institution below the guaranteed factor, the breach and Σ round(quantity × (list × factor − lowest price)). */
  function priceGuaranteeLines(): PriceGuaranteeLine[] {
    const guaranteeRules = version.rules.filter((rule) => rule.action.type === 'price-guarantee' && inForceDuring(rule, period));
    if (guaranteeRules.length === 0) return [];
    const threshold = Dec.max(...guaranteeRules.map((rule) => (rule.action.type === 'price-guarantee' ? rule.action.factor : ZERO)));
    const lines: PriceGuaranteeLine[] = [];
    for (const item of version.catalog.values()) {
      const lowest = lowestExternal.get(item.sku);
      if (lowest === undefined || !lowest.unitPrice.lt(item.listPrice.times(threshold))) continue;
      let compensation = ZERO;
      for (const group of guaranteed.get(item.sku)?.values() ?? []) {
        const shortfall = item.listPrice.times(group.factor).minus(lowest.unitPrice);
        if (shortfall.lte(0)) continue;
        for (const [quantity, count] of group.countByQuantity) compensation = compensation.plus(roundMoney(shortfall.times(quantity), policy).times(count));
      }
      lines.push({
        sku: item.sku,
        lowestFactor: formatRate(lowest.unitPrice.div(item.listPrice).toDecimalPlaces(4, Dec.ROUND_DOWN)),
        lowestUnitPrice: formatUnitPrice(lowest.unitPrice, policy.scale),
        institution: lowest.institution,
        breach: true,
        compensation: money(compensation),
      });
    }
    return lines;
  }
}

/**
 * A volume rebate from a tier table: range — the rate of the tier reached on the whole volume;
 * graduated — each slice of the volume at its band's rate. Unrounded.
 */
function volumeRebate(tiers: readonly Tier[], mode: TierMode, volume: Dec): { rate: Dec; rebate: Dec } {
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

/** Whole days from one yyyy-mm-dd to another. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A value a refused transaction could not read: '' for a text, NaN for a quantity (see SettlementAccumulator.refuse). */
function unreadable(value: string | number): boolean {
  return value === '' || Number.isNaN(value);
}

/** A return naming another transaction (a return of itself has no original to check, nor one whose returnOf could not be read). */
function returnsAnother(tx: SettlementTransaction): boolean {
  return tx.returnOf !== undefined && tx.returnOf !== '' && tx.returnOf !== tx.id;
}

/** A second transaction with an id already seen. */
function duplicateIssue(id: string, pointer: string, source: string | undefined): SettlementIssue {
  return { pointer, code: 'DUPLICATE_TRANSACTION', detail: `transaction ${id} appears more than once (ids are unique; the rows of one transaction must be adjacent)`, transaction: id, ...(source === undefined ? {} : { source }) };
}

/** True when the rule is in force on at least one day of the period. */
function inForceDuring(rule: PricingRule, period: SettlementPeriod): boolean {
  return (rule.validFrom === undefined || rule.validFrom <= period.to) && (rule.validTo === undefined || period.from <= rule.validTo);
}

function sourceOf(at: { readonly source?: string }): { source?: string } {
  return at.source === undefined ? {} : { source: at.source };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The built-in totals a claim may name besides the declared figures. */
const BUILT_IN_CLAIMS = ['commission', 'compensation'] as const;

function isClaimAmount(text: string, scale: number): boolean {
  return isDecimalText(text) && new Dec(text).decimalPlaces() <= scale;
}

/** The figures a claim may name: the declared ones (their net included) and the built-in totals. */
function claimableFigures(version: AgreementVersion): string[] {
  const declared = version.statement === undefined ? [] : [...version.statement.figures.map((figure) => figure.id), ...(version.statement.net === undefined ? [] : [version.statement.net.id])];
  return [...new Set([...declared, ...BUILT_IN_CLAIMS])];
}

function checkClaims(claimed: ClaimedFigures | undefined, scale: number, claimable: readonly string[]): SettlementIssue[] {
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

/** Each claimed figure beside the computed one, in the statement's order (a buyer without a rebate computes 0). */
function reconcile(statement: Omit<SettlementStatement, 'discrepancies'>, claimed: ClaimedFigures, scale: number, claimable: readonly string[]): ReconciliationLine[] {
  const line = (figure: string, claimedText: string, computedText: string): ReconciliationLine => {
    const claimedAmount = new Dec(claimedText);
    return { figure, claimed: formatAmount(claimedAmount, scale), computed: computedText, difference: formatAmount(claimedAmount.minus(computedText), scale) };
  };
  const computed = (figure: string): string => figureAmount(statement, figure) ?? (figure === 'commission' ? statement.commission : statement.compensation);
  const lines: ReconciliationLine[] = [];
  for (const figure of claimable) {
    const value = claimed[figure];
    if (typeof value === 'string') lines.push(line(figure, value, computed(figure)));
  }
  const finals = new Map<string, Dec>();
  for (const rebate of statement.rebates) finals.set(rebate.buyer, (finals.get(rebate.buyer) ?? ZERO).plus(rebate.final));
  for (const buyer of Object.keys(claimed.rebates ?? {}).sort(compareText)) {
    lines.push(line(`rebates/${buyer}`, claimed.rebates![buyer]!, formatAmount(finals.get(buyer) ?? ZERO, scale)));
  }
  return lines;
}
