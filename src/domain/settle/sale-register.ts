import { BookedSales, type SaleLineToBook } from '../booked-sales';
import { IdNumbers } from '../id-numbers';
import type { FiredRules } from '../price-quote';
import { SettlementSpill, type Registered } from '../settlement-spill';
import type { SettlementIssue, SettlementTransaction, TransactionLocator } from '../settlement';
import type { SpillStore } from '../spill-store';
import type { IssueList } from './issue-list';
import { duplicateIssue, returnsAnother } from './transaction-checks';

/** The registry's numbers for ids that are not booked sales (a booked sale has its number in {@link BookedSales}, ≥ 0). */
const PENDING = -1;
const RETURN = -2;
const REFUSED = -3;

/** Default {@link SpillSettings.spillAfter}: about 20 MB of ids in memory. */
export const SPILL_AFTER_IDS = 200_000;
const SPILL_PARTITIONS = 256;
const SPILL_BUFFER_BYTES = 1 << 14;

/** When and where the register spills (see SettlementOptions). */
export interface SpillSettings {
  readonly openSpill?: (() => SpillStore) | undefined;
  readonly spillAfter?: number | undefined;
  readonly spillPartitions?: number | undefined;
  readonly spillBufferBytes?: number | undefined;
}

/** What the register asks of the settlement: to match a return against its original, to forget what a spilled matching found. */
export interface ReturnMatcher {
  /** Checks a return against what its original id registered (undefined: never seen) and books it; a refused one is only checked. */
  matchReturn(tx: SettlementTransaction, at: TransactionLocator, original: Registered | undefined, refused: boolean): void;
  /** The spilled matching starts over: forget what it found so far. */
  restart(): void;
}

/** How the register numbers lists of fired rules in the spill (the line price cache's entries). */
export interface FiredNumbering {
  number(fired: FiredRules): number;
  rules(n: number): FiredRules;
}

/** What {@link SaleRegister.admit} decided: a sale to price and book, a repeated id's sale to check for refusals only, or nothing more to do. */
export type Admission = 'sale' | 'duplicate' | undefined;

/** A return waiting for its original to be booked (or for finish). */
interface WaitingReturn {
  /** The input call that added it (see MatchingKey). */
  readonly seq: number;
  readonly transaction: SettlementTransaction;
  readonly at: TransactionLocator;
  /** Refused for its own issues: only checked against its original, never booked. */
  readonly refused: boolean;
}

/**
 * The transaction ids of a settlement and what each is (a booked sale with the units left to
 * return, a return, a refused id): it finds repeated ids, and hands each return to the
 * {@link ReturnMatcher} with its original — at once when the original is booked, when the
 * original is booked later, or at finish (an unknown original). Past `spillAfter` ids it moves
 * everything to a {@link SettlementSpill} and, from then on, duplicates and returns are found
 * at finish, one partition at a time, each issue where an unspilled run records it.
 */
export class SaleRegister {
  // a number per id, not an object: a month may hold a few hundred thousand sales
  private registry = new IdNumbers();
  private sales = new BookedSales();
  private readonly waiting = new Map<string, WaitingReturn[]>();
  private spill: SettlementSpill | undefined;
  /** Once spilled, the registry is in the spill: a closed spill (finished, aborted) takes no more input. */
  private spilled = false;
  private matching: Generator<void, void, void> | undefined;
  private matched = false;

  constructor(
    private readonly issues: IssueList,
    private readonly settings: SpillSettings,
    private readonly firedNumbering: FiredNumbering,
    private readonly matcher: ReturnMatcher,
  ) {}

  /** True once the register spilled: ids are then registered in the spill and repeats found at finish. */
  get spilling(): boolean {
    return this.spill !== undefined;
  }

  /** Before an input call that may register an id: spills first when the registry has reached its threshold. */
  beforeCall(): void {
    if (this.spill !== undefined) return;
    if (this.spilled) throw new Error('the settlement is finished or aborted: it takes no more input');
    const open = this.settings.openSpill;
    if (open !== undefined && this.registry.size >= (this.settings.spillAfter ?? SPILL_AFTER_IDS)) this.startSpill(open());
  }

  /**
   * Registers a checked transaction (its issues `found` recorded here): refused (a return still
   * checked against its original), a return matched or held, a repeated id reported, or a
   * sale to price — then {@link book} or {@link refuseSale} before the next call.
   */
  admit(tx: SettlementTransaction, at: TransactionLocator, found: SettlementIssue[], refused: boolean): Admission {
    const record = (issue: SettlementIssue): void => this.issues.record(issue);
    const spill = this.spill;
    if (spill !== undefined) {
      const seq = this.issues.call;
      if (refused) {
        found.forEach(record);
        if (returnsAnother(tx)) {
          spill.registerId(seq, tx.id, 'refused-return', at, tx.returnOf);
          spill.holdReturn(seq, tx, at, true);
        } else {
          spill.registerId(seq, tx.id, 'refused', at);
        }
        return undefined;
      }
      if (tx.returnOf !== undefined) {
        spill.registerReturn(seq, tx, at);
        return undefined;
      }
      // a duplicate sale is booked too: its DUPLICATE_TRANSACTION at finish refuses the whole statement
      return 'sale';
    }
    if (this.registry.has(tx.id)) {
      found.push(duplicateIssue(tx.id, at.field('id'), at.source));
      found.forEach(record);
      // a duplicate sale is still checked against the refusal terms (as a spilled run books it and finds out at finish), never booked
      return refused || tx.returnOf !== undefined ? undefined : 'duplicate';
    }
    if (refused) {
      found.forEach(record);
      this.registry.set(tx.id, REFUSED);
      if (returnsAnother(tx)) this.matchOrHold(tx, at, true);
      this.flushWaiting(tx.id);
      return undefined;
    }
    if (tx.returnOf !== undefined) {
      this.registry.set(tx.id, RETURN);
      this.matchOrHold(tx, at, false);
      this.flushWaiting(tx.id);
      return undefined;
    }
    this.registry.set(tx.id, PENDING);
    return 'sale';
  }

  /** True when the id was registered (before the spill: prior sales are checked against it). */
  has(id: string): boolean {
    return this.registry.has(id);
  }

  /**
   * A prior sale: to price (it is booked like a sale, in the spill once spilling), or refused
   * for its problems (its id then counts as refused, even one given twice). Priors may outnumber
   * what the registry keeps in memory (a year programme's earlier months): they spill like the
   * period's own sales.
   */
  admitPrior(id: string, at: TransactionLocator, refused: boolean): void {
    if (this.spill !== undefined) {
      if (refused) this.spill.registerId(this.issues.call, id, 'refused', at);
      return;
    }
    this.registry.set(id, refused ? REFUSED : PENDING);
  }

  /** An id refused for cells that could not be read (see SettlementAccumulator.reject): its returns say so. */
  refuseId(id: string): void {
    if (this.spill !== undefined) {
      this.spill.registerId(this.issues.call, id, 'refused');
    } else if (!this.registry.has(id)) {
      this.registry.set(id, REFUSED);
      this.flushWaiting(id);
    }
  }

  /** A sale refused by the agreement's refusal terms (input call `seq`): registered as refused, never booked. */
  refuseSale(seq: number, id: string, at: TransactionLocator, duplicate: boolean): void {
    if (this.spill !== undefined) {
      this.spill.registerId(seq, id, 'refused', at);
      return;
    }
    if (duplicate) return;
    this.registry.set(id, REFUSED);
    this.flushWaiting(id);
  }

  /** A priced sale (input call `seq`): its lines with units to return; the returns that waited for it are matched. */
  book(seq: number, tx: SettlementTransaction, at: TransactionLocator, lines: readonly SaleLineToBook[]): void {
    if (this.spill !== undefined) {
      this.spill.registerSale(seq, tx.id, at, tx.channel, tx.buyer.id, tx.date, lines);
      return;
    }
    this.registry.set(tx.id, this.sales.add(tx.channel, tx.buyer.id, tx.date, lines));
    this.flushWaiting(tx.id);
  }

  /**
   * Once spilled, the matching finish does, one partition per step (none when nothing
   * spilled): a caller on a shared event loop iterates it, yielding between steps.
   */
  matchSpilled(): Iterable<void> {
    return this.spill === undefined ? [] : (this.matching ??= this.matchSteps(this.spill));
  }

  /** Matches what is left: returns still waiting (their original unknown), then whatever the spill holds. */
  finishMatching(): void {
    for (const [saleId, held] of this.waiting) for (const { transaction, at, refused } of held) this.matcher.matchReturn(transaction, at, this.lookup(saleId), refused);
    this.waiting.clear();
    if (this.spill === undefined) return;
    for (const _ of this.matchSpilled());
    if (!this.matched) throw new Error('the spilled matching was left unfinished');
    this.issues.mergeFound();
  }

  /** Frees the spilled records (removes their files); safe to call twice. */
  close(): void {
    const open = this.spill;
    this.spill = undefined;
    open?.close();
  }

  private lookup(id: string): Registered | undefined {
    const n = this.registry.get(id);
    return n === undefined ? undefined : n === PENDING ? 'pending' : n === RETURN ? 'return' : n === REFUSED ? 'refused' : this.sales.sale(n);
  }

  /** A return matched against its original now, or held until the original arrives (or finish). */
  private matchOrHold(tx: SettlementTransaction, at: TransactionLocator, refused: boolean): void {
    const original = this.lookup(tx.returnOf!);
    if (original !== undefined) {
      this.matcher.matchReturn(tx, at, original, refused);
      return;
    }
    const seq = this.issues.call;
    const held = this.waiting.get(tx.returnOf!);
    if (held === undefined) this.waiting.set(tx.returnOf!, [{ seq, transaction: tx, at, refused }]);
    else held.push({ seq, transaction: tx, at, refused });
  }

  private flushWaiting(saleId: string): void {
    const held = this.waiting.get(saleId);
    if (held === undefined) return;
    this.waiting.delete(saleId);
    for (const { transaction, at, refused } of held) this.matcher.matchReturn(transaction, at, this.lookup(saleId), refused);
  }

  /** Moves the registry, the booked sales and the waiting returns to the spill; from now on every transaction goes there too. */
  private startSpill(store: SpillStore): void {
    const { settings, firedNumbering } = this;
    const started = new SettlementSpill(store, settings.spillPartitions ?? SPILL_PARTITIONS, settings.spillBufferBytes ?? SPILL_BUFFER_BYTES, (fired) => firedNumbering.number(fired), (n) => firedNumbering.rules(n));
    this.spill = started;
    this.spilled = true;
    this.registry.forEach((id, n) => {
      if (n === PENDING) throw new Error(`sale ${id} was not booked before the next transaction was added`);
      if (n === RETURN || n === REFUSED) {
        started.registerId(-1, id, n === RETURN ? 'return' : 'refused');
        return;
      }
      const sale = this.sales.sale(n);
      started.registerSale(-1, id, undefined, sale.channel, sale.buyerId, sale.date, sale.lines().map((line) => ({ sku: line.sku, unitPrice: line.unitPrice, fired: line.fired, quantity: line.remaining })));
    });
    for (const held of this.waiting.values()) for (const { seq, transaction, at, refused } of held) started.holdReturn(seq, transaction, at, refused);
    this.registry = new IdNumbers();
    this.sales = new BookedSales();
    this.waiting.clear();
  }

  /** Finds what the spill holds: duplicates and returns, each recorded where an unspilled run records it (once, however many callers step through it). */
  private *matchSteps(from: SettlementSpill): Generator<void, void, void> {
    const { issues, matcher } = this;
    yield* from.resolve({
      duplicate(key, id, pointer, source) {
        issues.foundDuring(key, () => issues.record(duplicateIssue(id, pointer, source)));
      },
      restart() {
        issues.forgetFound();
        matcher.restart();
      },
      matchReturn(key, tx, at, original, refused) {
        issues.foundDuring(key, () => matcher.matchReturn(tx, at, original, refused));
      },
    });
    this.matched = true;
  }
}
