import type { MatchingKey } from './settlement-spill';
import type { Discrepancy, DiscrepancyList } from './settlement';
import type { SpillStore } from './spill-store';

/** Where the discrepancies recorded as the input is read go once spilled; found ones go to 1, 2, … (one sorted run each). */
const RECORDED_PARTITION = 0;
/** Characters of discrepancy lines buffered before they are appended to the store. */
const WRITE_CHARS = 1 << 16;

/** One discrepancy with when it was recorded: (seq, 0, 0) for one recorded at once, its matching key for one found at finish. */
type Entry = readonly [trigger: number, phase: number, sub: number, item: Discrepancy];

/**
 * A statement's invoice discrepancies, in the order it lists them, in flat memory: up to
 * `inMemory` are kept as objects; past that they go to a {@link SpillStore} (one line of JSON
 * each) and are read back one at a time when the statement is written. Those recorded as the
 * input is read come in input order; those found at finish (returns matched from the spill)
 * come in partition order and are sorted by their {@link MatchingKey}: `inMemory` at a time,
 * each sorted run written to a partition of its own, and the runs merged as they are read back,
 * so they fall where a run that never spilled records them.
 */
export class DiscrepancyLog {
  private recorded: Entry[] = [];
  private recordedSpilled = 0;
  private found: Entry[] = [];
  private runs: number[] = [];
  private runItems = 0;
  private store: SpillStore | undefined;
  private nextPartition = RECORDED_PARTITION + 1;
  private closed = false;

  constructor(
    private readonly openStore: (() => SpillStore) | undefined,
    private readonly inMemory: number,
  ) {}

  get length(): number {
    return this.recordedSpilled + this.recorded.length + this.runItems + this.found.length;
  }

  /** A discrepancy recorded as input call `seq` was read (calls come in ascending order). */
  record(seq: number, item: Discrepancy): void {
    this.recorded.push([seq, 0, 0, item]);
    if (this.recorded.length <= this.inMemory || this.openStore === undefined) return;
    this.write(RECORDED_PARTITION, this.recorded);
    this.recordedSpilled += this.recorded.length;
    this.recorded = [];
  }

  /** A discrepancy found at finish, where `key` says a run that never spilled would have recorded it. */
  recordFound(key: MatchingKey, item: Discrepancy): void {
    this.found.push([key.trigger, key.phase, key.sub, item]);
    if (this.found.length <= this.inMemory || this.openStore === undefined) return;
    const partition = this.nextPartition++;
    this.write(partition, sortEntries(this.found));
    this.runs.push(partition);
    this.runItems += this.found.length;
    this.found = [];
  }

  /** Forgets what was found at finish (the matching starts over). */
  forgetFound(): void {
    this.found = [];
    this.runs = [];
    this.runItems = 0;
  }

  /** The list, read back in statement order (as often as asked) until closed. */
  list(): DiscrepancyList {
    const sortedFound = sortEntries(this.found);
    return {
      length: this.length,
      [Symbol.iterator]: () => this.read(sortedFound),
      close: () => this.close(),
    };
  }

  /** Frees the spilled lines, if any. Safe to call twice. */
  close(): void {
    this.closed = true;
    const store = this.store;
    this.store = undefined;
    store?.close();
    this.recorded = [];
    this.found = [];
  }

  private *read(sortedFound: readonly Entry[]): Generator<Discrepancy, undefined, undefined> {
    if (this.closed) throw new Error('the discrepancy list is closed');
    const recorded = this.recordedSpilled === 0 ? this.recorded : concat(this.readPartition(RECORDED_PARTITION), this.recorded);
    const sources: Iterator<Entry>[] = [recorded[Symbol.iterator](), ...this.runs.map((run) => this.readPartition(run)[Symbol.iterator]()), sortedFound[Symbol.iterator]()];
    // a merge of few sorted sources (the recorded ones first on a tie, then the runs in the order written)
    const heads = sources.map((source) => source.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        if (heads[i]!.done !== true && (best < 0 || compareEntries(heads[i]!.value as Entry, heads[best]!.value as Entry) < 0)) best = i;
      }
      if (best < 0) return undefined;
      yield (heads[best]!.value as Entry)[3];
      heads[best] = sources[best]!.next();
    }
  }

  private *readPartition(partition: number): Generator<Entry, undefined, undefined> {
    const decoder = new TextDecoder();
    for (const piece of this.store!.readPieces(partition)) {
      const text = decoder.decode(piece);
      for (let start = 0, end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) yield decodeEntry(text.slice(start, end));
    }
    return undefined;
  }

  private write(partition: number, entries: readonly Entry[]): void {
    const store = (this.store ??= this.openStore!());
    const encoder = new TextEncoder();
    let text = '';
    for (const entry of entries) {
      text += encodeEntry(entry);
      if (text.length >= WRITE_CHARS) {
        store.append(partition, encoder.encode(text));
        text = '';
      }
    }
    if (text !== '') store.append(partition, encoder.encode(text));
  }
}

function* concat<T>(first: Iterable<T>, second: Iterable<T>): Generator<T, undefined, undefined> {
  yield* first;
  yield* second;
  return undefined;
}

function compareEntries(a: Entry, b: Entry): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** A stable sort by key: entries of one key stay in the order found. */
function sortEntries(entries: readonly Entry[]): Entry[] {
  return [...entries].sort(compareEntries);
}

/** One line: the key, then the fields in the statement's order (JSON writes an infinite trigger as null). */
function encodeEntry([trigger, phase, sub, d]: Entry): string {
  return `${JSON.stringify([trigger, phase, sub, d.transaction, d.sku, d.quantity, d.invoicedUnitPrice, d.agreedUnitPrice, d.invoicedAmount, d.agreedAmount, d.difference])}\n`;
}

function decodeEntry(line: string): Entry {
  const [trigger, phase, sub, transaction, sku, quantity, invoicedUnitPrice, agreedUnitPrice, invoicedAmount, agreedAmount, difference] = JSON.parse(line) as [number | null, number, number, string, string, number, string, string, string, string, string];
  return [trigger ?? Number.POSITIVE_INFINITY, phase, sub, { transaction, sku, quantity, invoicedUnitPrice, agreedUnitPrice, invoicedAmount, agreedAmount, difference }];
}
