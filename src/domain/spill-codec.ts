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
    this.uint(s.length);
    this.room(s.length * 3);
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      while (c >= 0x80) {
        this.record[this.length++] = (c & 0x7f) | 0x80;
        c >>>= 7;
      }
      this.record[this.length++] = c;
    }
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
    buffer.set(this.record.subarray(0, this.length), this.used[partition]!);
    this.used[partition] = this.used[partition]! + this.length;
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

/** Reads back what {@link SpillWriter} wrote, record by record. */
export class SpillReader {
  private at = 0;
  /** Where the current record's body ends. */
  private bodyEnd = 0;
  private readonly codes: number[] = [];

  constructor(private readonly bytes: Uint8Array) {}

  /** The next record's tag (its body follows), or undefined at the end. */
  next(): number | undefined {
    this.at = this.bodyEnd;
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

  /** A text written with {@link SpillWriter.textAfter} the same `previous`. */
  textAfter(previous: string): string {
    const shared = this.uint();
    const rest = this.text();
    return shared === 0 ? rest : previous.slice(0, shared) + rest;
  }
}
