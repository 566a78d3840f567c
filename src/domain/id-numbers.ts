/**
 * A map from ids (strings) to whole numbers kept outside the JavaScript heap: the ids' UTF-16
 * code units one after another in a typed array, an open-addressing hash table of entry
 * numbers beside it. About 30 bytes an id of 7 characters where a Map<string, number> takes
 * about 70 on the heap, which the garbage collector would also walk again and again. A
 * settlement registers every transaction id of the period (a few hundred thousand a month).
 */
export class IdNumbers {
  private chars = new Uint16Array(1 << 16);
  private charCount = 0;
  /** Entry i's id is chars[starts[i], starts[i + 1]). */
  private starts = new Int32Array(1 << 12);
  private values = new Float64Array(1 << 12);
  private count = 0;
  /** Entry number + 1 per slot; 0 = empty. */
  private slots = new Int32Array(1 << 13);

  get size(): number {
    return this.count;
  }

  get(id: string): number | undefined {
    const slot = this.find(id);
    const entry = this.slots[slot]!;
    return entry === 0 ? undefined : this.values[entry - 1];
  }

  has(id: string): boolean {
    return this.slots[this.find(id)] !== 0;
  }

  set(id: string, value: number): void {
    let slot = this.find(id);
    const entry = this.slots[slot]!;
    if (entry !== 0) {
      this.values[entry - 1] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
      slot = this.find(id);
    }
    const n = this.count++;
    if (n + 1 >= this.starts.length) {
      this.starts = grown(this.starts, n + 2);
      this.values = grown(this.values, n + 2);
    }
    if (this.charCount + id.length > this.chars.length) this.chars = grown(this.chars, this.charCount + id.length);
    for (let i = 0; i < id.length; i++) this.chars[this.charCount + i] = id.charCodeAt(i);
    this.starts[n] = this.charCount;
    this.charCount += id.length;
    this.starts[n + 1] = this.charCount;
    this.values[n] = value;
    this.slots[slot] = n + 1;
  }

  /** Calls `visit` with every id and its number, in the order they were first set. */
  forEach(visit: (id: string, value: number) => void): void {
    for (let entry = 0; entry < this.count; entry++) {
      visit(String.fromCharCode.apply(null, this.chars.subarray(this.starts[entry]!, this.starts[entry + 1]!) as unknown as number[]), this.values[entry]!);
    }
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  private find(id: string): number {
    const mask = this.slots.length - 1;
    let slot = hashText(id) & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0 || this.holds(entry - 1, id)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private holds(entry: number, id: string): boolean {
    const start = this.starts[entry]!;
    if (this.starts[entry + 1]! - start !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (this.chars[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let h = 0x811c9dc5;
      for (let i = this.starts[entry]!; i < this.starts[entry + 1]!; i++) h = Math.imul(h ^ this.chars[i]!, 0x01000193);
      let slot = h & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    }
  }
}

/** FNV-1a over the UTF-16 code units (a signed 32-bit number). */
export function hashText(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}

/** A typed array at least `atLeast` long (twice as long as before, at least), with the same start. */
export function grown<A extends Uint16Array | Int32Array | Float64Array>(array: A, atLeast: number): A {
  if (atLeast <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => A)(Math.max(atLeast, array.length * 2));
  bigger.set(array);
  return bigger;
}
