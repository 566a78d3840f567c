/**
 * Where a settlement too large to match in memory spills its matching records: a fixed number
 * of append-only byte partitions. The domain only appends and reads back; the store decides
 * where the bytes live (src/io/spill-files.ts: temporary files) and removes them on close.
 */
export interface SpillStore {
  /** Appends bytes to a partition (0 ≤ partition < the partition count the store was opened for). */
  append(partition: number, bytes: Uint8Array): void;
  /** Everything appended to a partition so far (empty if nothing was); valid until the next read. */
  read(partition: number): Uint8Array;
  /**
   * A partition's bytes piece by piece, each piece exactly as one {@link append} wrote it:
   * for a partition too long to read whole (the statement's discrepancies). Each piece is a
   * copy of its own, valid while the caller holds it.
   */
  readPieces(partition: number): Iterable<Uint8Array>;
  /** Frees the partitions (removes the files); the store is not used again. Safe to call twice. */
  close(): void;
}
