import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SpillStore } from '../domain/spill-store';

/**
 * A spill file could not be created, written or read (the temporary directory is missing or
 * not writable, the disk is full): the server's fault, whatever the input.
 */
export class SpillFailedError extends Error {
  constructor(what: string, cause: unknown) {
    super(`the settlement spill failed: ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SpillFailedError';
  }
}

/** Runs a file system call of the spill; its failure is a SpillFailedError saying what was being done. */
function spillCall<T>(what: () => string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new SpillFailedError(what(), error);
  }
}

/** The prefix of a spill's directory (tests look for leftovers by it). */
export const SPILL_DIRECTORY_PREFIX = 'suanpan-spill-';

/**
 * A settlement's spill as one temporary file (in `directory`, by default the system's
 * temporary directory, TMPDIR): every append goes to its end, and the offsets of each
 * partition's pieces are kept in memory (a few numbers per 16 KiB written), so a partition is
 * read back piece by piece. One file descriptor however many partitions; synchronous calls on
 * large buffers (the accumulator is synchronous, and a partition is read whole at finish). The
 * file is unlinked as soon as it is open where the system allows it (POSIX), so even a killed
 * process leaves no data behind; close() closes it and removes the directory. Every failure
 * of the file system is a {@link SpillFailedError}.
 */
export function openSpillFiles(directory: string = tmpdir()): SpillStore {
  const folder = spillCall(() => `cannot create a directory in ${directory}`, () => mkdtempSync(path.join(directory, SPILL_DIRECTORY_PREFIX)));
  const name = path.join(folder, 'spill');
  const fd = spillCall(
    () => `cannot create ${name}`,
    () => {
      try {
        return openSync(name, 'w+');
      } catch (error) {
        rmSync(folder, { recursive: true, force: true });
        throw error;
      }
    },
  );
  try {
    unlinkSync(name);
  } catch {
    // Windows cannot unlink an open file: close() removes it with the directory
  }
  let size = 0;
  let closed = false;
  /** Per partition: offset, length, offset, length… of its pieces in the file. */
  const pieces: number[][] = [];
  /** One buffer for every read, grown as needed: the spill reads a partition, uses it, then reads the next. */
  let readBuffer = Buffer.alloc(0);
  /** Reads `length` bytes at `offset` of the file into `target` from `start`. */
  const readRange = (target: Buffer, start: number, length: number, offset: number): void => {
    for (let at = start, from = offset; at < start + length; ) {
      const n = readSync(fd, target, at, start + length - at, from);
      if (n === 0) throw new Error(`the spill file ended at ${from} of ${size} bytes`);
      at += n;
      from += n;
    }
  };
  const check = (): void => {
    if (closed) throw new Error('the settlement spill is closed');
  };
  return {
    append(partition, bytes) {
      check();
      spillCall(
        () => `cannot write ${bytes.length} bytes at ${size}`,
        () => {
          for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written, size + written);
        },
      );
      (pieces[partition] ??= []).push(size, bytes.length);
      size += bytes.length;
    },
    read(partition) {
      check();
      const list = pieces[partition] ?? [];
      let total = 0;
      for (let i = 1; i < list.length; i += 2) total += list[i]!;
      if (readBuffer.length < total) readBuffer = Buffer.allocUnsafe(Math.max(total, readBuffer.length * 2));
      const bytes = readBuffer.subarray(0, total);
      let at = 0;
      for (let i = 0; i < list.length; i += 2) {
        spillCall(() => `cannot read at ${list[i]!}`, () => readRange(bytes, at, list[i + 1]!, list[i]!));
        at += list[i + 1]!;
      }
      return bytes;
    },
    *readPieces(partition) {
      const list = pieces[partition] ?? [];
      for (let i = 0; i < list.length; i += 2) {
        check();
        const bytes = Buffer.allocUnsafe(list[i + 1]!);
        spillCall(() => `cannot read at ${list[i]!}`, () => readRange(bytes, 0, bytes.length, list[i]!));
        yield bytes;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
      readBuffer = Buffer.alloc(0);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
