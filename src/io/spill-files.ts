import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SpillStore } from '../domain/spill-store';

/** The prefix of a spill's directory (tests look for leftovers by it). */
export const SPILL_DIRECTORY_PREFIX = 'suanpan-spill-';

/**
 * A settlement's spill as temporary files: one directory (in `directory`, by default the
 * system's temporary directory, TMPDIR) holding a file per partition, written and read with
 * synchronous calls on large buffers (the accumulator is synchronous, and a partition is read
 * whole at finish). Each file is unlinked as soon as it is open where the system allows it
 * (POSIX), so even a killed process leaves no data behind; close() closes the files and
 * removes the directory.
 */
export function openSpillFiles(directory: string = tmpdir()): SpillStore {
  const folder = mkdtempSync(path.join(directory, SPILL_DIRECTORY_PREFIX));
  const files = new Map<number, number>();
  let closed = false;
  const fileOf = (partition: number): number => {
    if (closed) throw new Error('the settlement spill is closed');
    let fd = files.get(partition);
    if (fd === undefined) {
      const name = path.join(folder, `partition-${partition}`);
      fd = openSync(name, 'w+');
      files.set(partition, fd);
      try {
        unlinkSync(name);
      } catch {
        // Windows cannot unlink an open file: close() removes it with the directory
      }
    }
    return fd;
  };
  return {
    append(partition, bytes) {
      const fd = fileOf(partition);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    },
    read(partition) {
      if (!files.has(partition)) return new Uint8Array(0);
      const fd = fileOf(partition);
      const size = fstatSync(fd).size;
      const bytes = Buffer.allocUnsafe(size);
      for (let read = 0; read < size; ) {
        const n = readSync(fd, bytes, read, size - read, read);
        if (n === 0) throw new Error(`spill partition ${partition} ended at ${read} of ${size} bytes`);
        read += n;
      }
      return bytes;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const fd of files.values()) closeSync(fd);
      files.clear();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
