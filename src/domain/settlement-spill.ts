import { BookedSales, Numbering, mergeSaleLines, type BookedSale, type SaleLineToBook } from './booked-sales';
import { hashText } from './id-numbers';
import { Dec } from './money';
import type { FiredRules } from './price-quote';
import type { SettlementLineInput, SettlementTransaction, TransactionLocator } from './settlement';
import { SpillReader, SpillWriter, SpilledTexts } from './spill-codec';
import type { SpillStore } from './spill-store';

/** What the id registry knows of a transaction id. */
export type Registered = BookedSale | 'pending' | 'return' | 'refused';

/**
 * When, in a run that never spilled, an issue or discrepancy found at finish would have been
 * recorded; compared field by field. `trigger` is the number of the input call (add, reject,
 * external sale) whose processing records it, Infinity for a return of an id never seen (reported
 * at finish, grouped by the id returned in the order of its first return: `phase` is that
 * return's number and `sub` the return's own). Within one trigger: the call's own issues come
 * first (recorded at once), then a duplicate id ({@link DUPLICATE_PHASE}), the return's own
 * matching ({@link RETURN_PHASE}), then returns that waited for this id, in input order
 * ({@link WAITER_PHASE}, `sub` = the waiting return's number).
 */
export interface MatchingKey {
  readonly trigger: number;
  readonly phase: number;
  readonly sub: number;
}

const DUPLICATE_PHASE = 1;
const RETURN_PHASE = 2;
const WAITER_PHASE = 3;

/** What finish does with the spilled records (the accumulator's checks and booking). */
export interface SpillResolver {
  /** A second transaction of an id (from add, not from reject): DUPLICATE_TRANSACTION. */
  duplicate(key: MatchingKey, id: string, pointer: string, source: string | undefined): void;
  /** Forgets everything found so far: the matching starts over (the figures booked meanwhile do not count, a duplicate refusing the statement). */
  restart(): void;
  /** Matches a return against what its original id registered (undefined: never seen); a refused one is only checked. */
  matchReturn(key: MatchingKey, tx: SettlementTransaction, at: TransactionLocator, original: Registered | undefined, refused: boolean): void;
}

/** Record tags. */
const ID = 1;
const RETURN_RECORD = 2;
/** A return whose id turned out to be a duplicate: not matched. */
const SKIP = 3;

/** Id kinds. */
const SALE = 0;
const RETURN = 1;
const REFUSED = 2;
/** A refused return: registered as refused, and (its original still checked) skipped as a duplicate as a return is. */
const REFUSED_RETURN = 3;

/** Prices numbered by identity at most (more are written as text). */
const MAX_NUMBERED_PRICES = 1 << 16;

/** A return read back from its partition. */
interface HeldReturn {
  readonly seq: number;
  readonly refused: boolean;
  readonly tx: SettlementTransaction;
  readonly at: TransactionLocator;
}

/**
 * The matching records of a settlement past its in-memory threshold, in hash partitions of a
 * {@link SpillStore}: per transaction id (by hash of the id) its number in the input, what it
 * is and, for a sale, its booked lines (units left to return); per return (by hash of the id it
 * returns, so a sale and all its returns meet in one partition) what matching it needs. At
 * finish, one partition at a time: the duplicates, then the returns in input order against
 * the first transaction of each id, exactly as the in-memory registry would have matched them.
 * Memory: the write buffers, then one partition's records.
 */
export class SettlementSpill {
  private readonly writer: SpillWriter;
  /** SKUs, channels, days and sources: checked against the agreement and the period, so few. */
  private readonly texts = new Numbering<string>();
  private readonly prices = new Numbering<Dec>();

  constructor(
    private readonly store: SpillStore,
    private readonly partitions: number,
    bufferBytes: number,
    private readonly firedNumber: (fired: FiredRules) => number,
    private readonly firedList: (n: number) => FiredRules,
  ) {
    this.writer = new SpillWriter(store, partitions, bufferBytes);
  }

  /**
   * A refused transaction or a return registering `id` as input call `seq` (−1: before the
   * spill). `at` when a later transaction of the id is a duplicate of it (add, not reject).
   */
  registerId(seq: number, id: string, kind: 'refused' | 'return' | 'refused-return', at?: TransactionLocator, returnOf?: string): void {
    this.beginId(seq, id, kind === 'return' ? RETURN : kind === 'refused' ? REFUSED : REFUSED_RETURN, at);
    if (kind !== 'refused') this.writer.uint(returnOf === undefined ? 0 : this.partitionOf(returnOf));
    this.writer.end(this.partitionOf(id));
  }

  /** A return (added as input call `seq`): its id, and what matching it needs. */
  registerReturn(seq: number, tx: SettlementTransaction, at: TransactionLocator): void {
    this.registerId(seq, tx.id, 'return', at, tx.returnOf);
    this.holdReturn(seq, tx, at);
  }

  /** A booked sale: its id, and its lines as {@link BookedSales} keeps them (`quantity`: units left to return). */
  registerSale(seq: number, id: string, at: TransactionLocator | undefined, channel: string, buyerId: string, date: string, lines: readonly SaleLineToBook[]): void {
    const w = this.writer;
    this.beginId(seq, id, SALE, at);
    w.uint(this.textNumber(channel));
    w.text(buyerId);
    w.uint(this.textNumber(date));
    const merged = mergeSaleLines(lines);
    w.uint(merged.length);
    for (const line of merged) {
      w.uint(this.textNumber(line.sku));
      const price = this.priceNumber(line.unitPrice);
      if (price === undefined) {
        w.uint(1);
        w.text(line.unitPrice.toString());
      } else {
        w.uint(price * 2);
      }
      w.uint(this.firedNumber(line.fired));
      w.uint(line.quantity);
    }
    w.end(this.partitionOf(id));
  }

  /** A return to match at finish (its id registered separately); a refused one is only checked then. */
  holdReturn(seq: number, tx: SettlementTransaction, at: TransactionLocator, refused = false): void {
    const w = this.writer;
    w.begin(RETURN_RECORD);
    w.uint(seq + 1);
    w.uint(refused ? 1 : 0);
    w.text(tx.id);
    w.text(tx.returnOf!);
    w.uint(this.textNumber(tx.channel));
    w.text(tx.buyer.id);
    w.uint(this.textNumber(tx.date));
    w.uint(this.sourceNumber(at.source));
    // every pointer addReturn may name
    let previous = '';
    for (const name of RETURN_FIELDS) {
      const pointer = at.field(name);
      w.textAfter(previous, pointer);
      previous = pointer;
    }
    w.uint(tx.lines.length);
    tx.lines.forEach((line, j) => {
      w.uint(this.textNumber(line.sku));
      // a refused return may hold a quantity that is unreadable or not negative: checked as none (0)
      w.uint(Number.isSafeInteger(line.quantity) && line.quantity < 0 ? -line.quantity : 0);
      if (line.unitPrice === undefined) {
        w.uint(0);
      } else {
        w.uint(1);
        w.text(line.unitPrice);
      }
      for (const name of RETURN_LINE_FIELDS) {
        const pointer = at.lineField(j, name);
        w.textAfter(previous, pointer);
        previous = pointer;
      }
    });
    w.end(this.partitionOf(tx.returnOf!));
  }

  /**
   * Reports the duplicates and matches every held return, a partition per step (so an
   * asynchronous caller can let other work run between steps). One read of each partition
   * suffices unless a return's own id is a duplicate: that is known in the partition of its
   * id, not in the partition of its original where it is matched, so the matching then starts
   * over in two passes (duplicates, which mark such returns skipped; then the returns).
   */
  *resolve(resolver: SpillResolver): Generator<void, void, void> {
    const w = this.writer;
    w.flushAll();
    let duplicateReturns = false;
    for (let partition = 0; partition < this.partitions; partition++) {
      if (this.scan(this.store.read(partition), resolver, { duplicates: true, skips: false, returns: true })) duplicateReturns = true;
      yield;
    }
    if (!duplicateReturns) return;
    resolver.restart();
    for (let partition = 0; partition < this.partitions; partition++) {
      this.scan(this.store.read(partition), resolver, { duplicates: true, skips: true, returns: false });
      yield;
    }
    w.flushAll();
    for (let partition = 0; partition < this.partitions; partition++) {
      this.scan(this.store.read(partition), resolver, { duplicates: false, skips: false, returns: true });
      yield;
    }
  }

  close(): void {
    this.writer.release();
    this.store.close();
  }

  /**
   * Reads one partition: its ids (the first record of each registers it), the duplicates
   * among them (reported, and marked skipped in their original's partition, as asked), then
   * its returns in input order, each matched against the first record of the id it returns.
   * Returns whether a duplicate id was a return's.
   */
  private scan(bytes: Uint8Array, resolver: SpillResolver, does: { readonly duplicates: boolean; readonly skips: boolean; readonly returns: boolean }): boolean {
    const reader = new SpillReader(bytes);
    const ids = new SpilledTexts(bytes);
    const returnRecords: number[] = [];
    const skipped = new Set<number>();
    let duplicateReturns = false;
    for (let tag = reader.next(); tag !== undefined; tag = reader.next()) {
      if (tag === RETURN_RECORD) {
        returnRecords.push(reader.recordStart);
      } else if (tag === SKIP) {
        skipped.add(reader.uint() - 1);
      } else {
        const record = reader.recordStart;
        const seq = reader.uint() - 1;
        const idStart = reader.at;
        reader.skipText();
        if (ids.findOrAdd(idStart, reader.at, record) < 0 || !does.duplicates) continue;
        const kind = reader.uint();
        if (reader.uint() === 0) continue;
        const pointer = reader.text();
        const source = this.sourceText(reader.uint());
        reader.at = idStart;
        resolver.duplicate({ trigger: seq, phase: DUPLICATE_PHASE, sub: 0 }, reader.text(), pointer, source);
        if (kind !== RETURN && kind !== REFUSED_RETURN) continue;
        duplicateReturns = true;
        if (does.skips) {
          this.writer.begin(SKIP);
          this.writer.uint(seq + 1);
          this.writer.end(this.skipTarget(reader));
        }
      }
    }
    if (does.returns) this.matchReturns(reader, ids, returnRecords, skipped, resolver);
    return duplicateReturns;
  }

  /** The partition of a duplicate return's original: after its id, kind, flag, pointer and source. */
  private skipTarget(reader: SpillReader): number {
    reader.uint();
    reader.uint();
    reader.text();
    reader.uint();
    return reader.uint();
  }

  private matchReturns(reader: SpillReader, ids: SpilledTexts, returnRecords: readonly number[], skipped: ReadonlySet<number>, resolver: SpillResolver): void {
    const returns: HeldReturn[] = [];
    for (const record of returnRecords) {
      reader.seek(record);
      reader.next();
      const held = this.readReturn(reader);
      if (!skipped.has(held.seq)) returns.push(held);
    }
    if (returns.length === 0) return;
    returns.sort((a, b) => a.seq - b.seq);
    /** By the record that registered the id: one BookedSale per sale, whose units left its returns share. */
    const registered = new Map<number, { readonly seq: number; readonly original: Registered }>();
    const sales = new BookedSales();
    const registration = (id: string): { readonly seq: number; readonly original: Registered } | undefined => {
      const record = ids.find(id);
      if (record < 0) return undefined;
      let found = registered.get(record);
      if (found === undefined) {
        reader.seek(record);
        reader.next();
        const seq = reader.uint() - 1;
        reader.skipText();
        const kind = reader.uint();
        if (reader.uint() === 1) {
          reader.skipText();
          reader.uint();
        }
        if (kind === RETURN || kind === REFUSED_RETURN) reader.uint();
        found = { seq, original: kind === RETURN ? 'return' : kind === SALE ? sales.sale(this.readSale(reader, sales)) : 'refused' };
        registered.set(record, found);
      }
      return found;
    };
    const firstReturn = new Map<string, number>();
    for (const r of returns) if (!firstReturn.has(r.tx.returnOf!)) firstReturn.set(r.tx.returnOf!, r.seq);
    for (const r of returns) {
      const original = registration(r.tx.returnOf!);
      const key: MatchingKey =
        original === undefined
          ? { trigger: Number.POSITIVE_INFINITY, phase: firstReturn.get(r.tx.returnOf!)!, sub: r.seq }
          : original.seq < r.seq
            ? { trigger: r.seq, phase: RETURN_PHASE, sub: 0 }
            : { trigger: original.seq, phase: WAITER_PHASE, sub: r.seq };
      resolver.matchReturn(key, r.tx, r.at, original?.original, r.refused);
    }
  }

  /** Books a spilled sale in `sales`; returns its number there. */
  private readSale(reader: SpillReader, sales: BookedSales): number {
    const channel = this.texts.values[reader.uint()]!;
    const buyerId = reader.text();
    const date = this.texts.values[reader.uint()]!;
    const lines: SaleLineToBook[] = [];
    for (let n = reader.uint(); n > 0; n--) {
      const sku = this.texts.values[reader.uint()]!;
      const price = reader.uint();
      const unitPrice = price === 1 ? new Dec(reader.text()) : this.prices.values[price / 2]!;
      lines.push({ sku, unitPrice, fired: this.firedList(reader.uint()), quantity: reader.uint() });
    }
    return sales.add(channel, buyerId, date, lines);
  }

  private readReturn(reader: SpillReader): HeldReturn {
    const seq = reader.uint() - 1;
    const refused = reader.uint() === 1;
    const id = reader.text();
    const returnOf = reader.text();
    const channel = this.texts.values[reader.uint()]!;
    const buyerId = reader.text();
    const date = this.texts.values[reader.uint()]!;
    const source = this.sourceText(reader.uint());
    const fields = new Map<string, string>();
    let previous = '';
    for (const name of RETURN_FIELDS) fields.set(name, (previous = reader.textAfter(previous)));
    const lines: SettlementLineInput[] = [];
    const linePointers: Map<string, string>[] = [];
    for (let n = reader.uint(); n > 0; n--) {
      const sku = this.texts.values[reader.uint()]!;
      const quantity = -reader.uint();
      lines.push(reader.uint() === 0 ? { sku, quantity } : { sku, quantity, unitPrice: reader.text() });
      const pointers = new Map<string, string>();
      for (const name of RETURN_LINE_FIELDS) pointers.set(name, (previous = reader.textAfter(previous)));
      linePointers.push(pointers);
    }
    const at: TransactionLocator = {
      ...(source === undefined ? {} : { source }),
      field: (name) => known(fields.get(name), name),
      lineField: (index, name) => known(linePointers[index]?.get(name), name),
    };
    // matching reads the buyer's id only
    return { seq, refused, tx: { id, date, channel, buyer: { id: buyerId }, returnOf, lines }, at };
  }

  private beginId(seq: number, id: string, kind: number, at: TransactionLocator | undefined): void {
    const w = this.writer;
    w.begin(ID);
    w.uint(seq + 1);
    w.text(id);
    w.uint(kind);
    if (at === undefined) {
      w.uint(0);
    } else {
      w.uint(1);
      w.text(at.field('id'));
      w.uint(this.sourceNumber(at.source));
    }
  }

  /** Uses the high bits of the hash: IdNumbers' slots use the low ones. */
  private partitionOf(id: string): number {
    return Math.floor(((hashText(id) >>> 0) / 2 ** 32) * this.partitions);
  }

  private textNumber(text: string): number {
    return this.texts.numberOf(text);
  }

  private sourceNumber(source: string | undefined): number {
    return source === undefined ? 0 : this.textNumber(source) + 1;
  }

  private sourceText(n: number): string | undefined {
    return n === 0 ? undefined : this.texts.values[n - 1];
  }

  /** The price's number (by identity, as BookedSales numbers them), or undefined past the cap. */
  private priceNumber(price: Dec): number | undefined {
    if (this.prices.values.length >= MAX_NUMBERED_PRICES) return this.prices.find(price);
    return this.prices.numberOf(price);
  }
}

/** The fields of a return that its matching's issues point at. */
const RETURN_FIELDS = ['returnOf', 'channel', 'buyer', 'date'] as const;
const RETURN_LINE_FIELDS = ['sku', 'quantity'] as const;

function known(pointer: string | undefined, name: string): string {
  if (pointer === undefined) throw new Error(`a spilled return has no pointer for ${name}`);
  return pointer;
}

/** An item found at finish, with when a run that never spilled would have found it. */
export interface Keyed<T> {
  readonly key: MatchingKey;
  readonly item: T;
}

function compareKeys(a: MatchingKey, b: MatchingKey): number {
  return a.trigger - b.trigger || a.phase - b.phase || a.sub - b.sub;
}

/** Items found at finish in {@link MatchingKey} order; past `limit` only the first ones are kept (the rest counted). */
export class KeyedItems<T> {
  private items: Keyed<T>[] = [];
  dropped = 0;

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  push(key: MatchingKey, item: T): void {
    this.items.push({ key, item });
    if (this.items.length >= 2 * this.limit) this.trim();
  }

  /** The kept items in key order (a stable sort: one trigger's items stay in the order found). */
  sorted(): readonly Keyed<T>[] {
    this.trim();
    return this.items;
  }

  private trim(): void {
    this.items.sort((a, b) => compareKeys(a.key, b.key));
    if (this.items.length > this.limit) {
      this.dropped += this.items.length - this.limit;
      this.items.length = this.limit;
    }
  }
}

/**
 * Items recorded as the input was read (`seqs`: the input call of each, ascending) merged with
 * items found at finish, in the order a run that never spilled records them: at one input
 * call, what was recorded at once comes first.
 */
export function mergeInInputOrder<T>(recorded: readonly T[], seqs: readonly number[], found: readonly Keyed<T>[]): T[] {
  const merged: T[] = [];
  let i = 0;
  for (const { key, item } of found) {
    while (i < recorded.length && seqs[i]! <= key.trigger) merged.push(recorded[i++]!);
    merged.push(item);
  }
  while (i < recorded.length) merged.push(recorded[i++]!);
  return merged;
}
