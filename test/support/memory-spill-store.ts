import type { SpillStore } from '../../src/domain/spill-store';

/** A SpillStore in memory, counting how many are open (the tests check each is closed). */
export class MemorySpillStore implements SpillStore {
  static open = 0;
  private readonly parts = new Map<number, Uint8Array[]>();
  private closed = false;

  constructor() {
    MemorySpillStore.open++;
  }

  append(partition: number, bytes: Uint8Array): void {
    if (this.closed) throw new Error('append after close');
    const list = this.parts.get(partition) ?? [];
    list.push(bytes.slice());
    this.parts.set(partition, list);
  }

  read(partition: number): Uint8Array {
    if (this.closed) throw new Error('read after close');
    return Buffer.concat(this.parts.get(partition) ?? []);
  }

  *readPieces(partition: number): Iterable<Uint8Array> {
    for (const piece of this.parts.get(partition) ?? []) {
      if (this.closed) throw new Error('read after close');
      yield piece.slice();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    MemorySpillStore.open--;
  }
}
