import { grown } from './id-numbers';
import type { SpillStore } from './spill-store';

/**
 * Records spilled to a {@link SpillStore}, buffered per partition (large appends, few calls):
 * a tag byte, the body's length in 4 bytes (so a reader can step over a record it does not
 * need), then the body: whole numbers as varints, texts as their UTF-16 code units, each a
 * varint (one byte for ASCII).
 */
export class SpillWriter {
  private readonly buffers: Uint8Array[] = [];
  private readonly used: Int32Array;
  private record = new Uint8Array(1024);
  private length = 0;

  constructor(
    private readonly store: SpillStore,
    readonly partitions: number,
    private readonly bufferBytes: number,
  ) {
    this.used = new Int32Array(partitions);
  }

  /** Starts a record with its tag. */
  begin(tag: number): void {
    this.length = 5;
    this.record[0] = tag;
  }

  /** A whole number ≥ 0. */
  uint(n: number): void {
    this.room(8);
    while (n >= 0x80) {
      this.record[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.record[this.length++] = n;
  }

  text(s: string): void {
    this.room(8 + s.length * 3);
    this.length = encodeText(s, this.record, this.length);
  }

  /**
   * A text that often starts like `previous` (pointers into one row or transaction): the
   * length they share, then the rest.
   */
  textAfter(previous: string, s: string): void {
    let shared = 0;
    const most = Math.min(previous.length, s.length);
    while (shared < most && previous.charCodeAt(shared) === s.charCodeAt(shared)) shared++;
    this.uint(shared);
    this.text(shared === 0 ? s : s.slice(shared));
  }

  /** Ends the record and appends it to `partition`'s buffer (to the store when full). */
  end(partition: number): void {
    const bodyLength = this.length - 5;
    this.record[1] = bodyLength & 0xff;
    this.record[2] = (bodyLength >>> 8) & 0xff;
    this.record[3] = (bodyLength >>> 16) & 0xff;
    this.record[4] = (bodyLength >>> 24) & 0xff;
    let buffer = this.buffers[partition];
    if (buffer === undefined) this.buffers[partition] = buffer = new Uint8Array(this.bufferBytes);
    if (this.used[partition]! + this.length > buffer.length) this.flush(partition);
    if (this.length > buffer.length) {
      this.store.append(partition, this.record.subarray(0, this.length));
      return;
    }
    // a byte loop: records are a few dozen bytes, and a subarray per record would be garbage
    const record = this.record;
    let at = this.used[partition]!;
    for (let i = 0; i < this.length; i++) buffer[at++] = record[i]!;
    this.used[partition] = at;
  }

  flush(partition: number): void {
    const used = this.used[partition]!;
    if (used === 0) return;
    this.store.append(partition, this.buffers[partition]!.subarray(0, used));
    this.used[partition] = 0;
  }

  flushAll(): void {
    for (let partition = 0; partition < this.partitions; partition++) this.flush(partition);
  }

  /** Drops the buffers (after the last read). */
  release(): void {
    this.buffers.length = 0;
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.record.length) return;
    const bigger = new Uint8Array(Math.max(this.record.length * 2, this.length + bytes));
    bigger.set(this.record.subarray(0, this.length));
    this.record = bigger;
  }
}

/**
 * Writes `s` at `at` of `target` (room for 8 + 3 × its length) as a spill text; returns where it
 * ends. Equal texts give equal bytes, so {@link SpilledTexts} compares them as bytes.
 */
function encodeText(s: string, target: Uint8Array, at: number): number {
  let n = s.length;
  while (n >= 0x80) {
    target[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  target[at++] = n;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    while (c >= 0x80) {
      target[at++] = (c & 0x7f) | 0x80;
      c >>>= 7;
    }
    target[at++] = c;
  }
  return at;
}

/** Reads back what {@link SpillWriter} wrote, record by record. */
export class SpillReader {
  /** Where the current record starts (its tag). */
  recordStart = 0;
  /** The next byte to read. */
  at = 0;
  /** Where the current record's body ends. */
  private bodyEnd = 0;
  private readonly codes: number[] = [];

  constructor(private readonly bytes: Uint8Array) {}

  /** The next record's tag (its body follows), or undefined at the end. */
  next(): number | undefined {
    this.at = this.recordStart = this.bodyEnd;
    if (this.at >= this.bytes.length) return undefined;
    const b = this.bytes;
    const tag = b[this.at]!;
    const bodyLength = b[this.at + 1]! | (b[this.at + 2]! << 8) | (b[this.at + 3]! << 16) | (b[this.at + 4]! << 24);
    this.at += 5;
    this.bodyEnd = this.at + bodyLength;
    return tag;
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.at++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
    }
  }

  text(): string {
    const length = this.uint();
    const codes = this.codes;
    codes.length = length;
    for (let i = 0; i < length; i++) {
      let c = 0;
      let shift = 0;
      for (;;) {
        const byte = this.bytes[this.at++]!;
        c |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
        shift += 7;
      }
      codes[i] = c;
    }
    return length <= 4096 ? String.fromCharCode.apply(null, codes) : codes.map((c) => String.fromCharCode(c)).join('');
  }

  /** Steps over a text (see {@link SpilledTexts}). */
  skipText(): void {
    for (let n = this.uint(); n > 0; n--) while (this.bytes[this.at++]! >= 0x80);
  }

  /** Reads the record at `offset` (a {@link recordStart} seen before) next. */
  seek(offset: number): void {
    this.bodyEnd = offset;
  }

  /** A text written with {@link SpillWriter.textAfter} the same `previous`. */
  textAfter(previous: string): string {
    const shared = this.uint();
    const rest = this.text();
    return shared === 0 ? rest : previous.slice(0, shared) + rest;
  }
}

/**
 * A set of texts inside one partition's bytes, found by their bytes (no string made): an
 * open-addressing table of [start, end) spans, each with a number (the record it came from).
 */
export class SpilledTexts {
  private slots = new Int32Array(1024);
  private starts = new Int32Array(512);
  private ends = new Int32Array(512);
  private values = new Int32Array(512);
  private count = 0;
  private readonly probe = new Uint8Array(8 + 3 * 1024);

  constructor(private readonly bytes: Uint8Array) {}

  /** The number of the text at bytes[start, end), or −1 after adding it with `value`. */
  findOrAdd(start: number, end: number, value: number): number {
    let slot = this.slotOf(this.bytes, start, end);
    const entry = this.slots[slot]!;
    if (entry !== 0) return this.values[entry - 1]!;
    if ((this.count + 1) * 2 > this.slots.length) {
      this.rehash();
      slot = this.slotOf(this.bytes, start, end);
    }
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts, this.count + 1);
      this.ends = grown(this.ends, this.count + 1);
      this.values = grown(this.values, this.count + 1);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.values[this.count] = value;
    this.slots[slot] = ++this.count;
    return -1;
  }

  /** The number of `text`, or −1. */
  find(text: string): number {
    const probe = text.length <= 1024 ? this.probe : new Uint8Array(8 + 3 * text.length);
    const end = encodeText(text, probe, 0);
    const entry = this.slots[this.slotOf(probe, 0, end)]!;
    return entry === 0 ? -1 : this.values[entry - 1]!;
  }

  /** The slot holding the text at source[start, end), or the empty slot where it would go. */
  private slotOf(source: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    let slot = hashBytes(source, start, end) & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0 || this.holds(entry - 1, source, start, end)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private holds(entry: number, source: Uint8Array, start: number, end: number): boolean {
    const from = this.starts[entry]!;
    if (this.ends[entry]! - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.bytes[from + i] !== source[start + i]) return false;
    return true;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = hashBytes(this.bytes, this.starts[entry]!, this.ends[entry]!) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    }
  }
}

/** FNV-1a over bytes. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}
