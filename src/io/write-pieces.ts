import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

/** Characters gathered before a write: few large writes, each waiting for the stream to drain the one before. */
const WRITE_CHARS = 1 << 16;

/**
 * Writes text given piece by piece to a stream, waiting whenever the stream asks to
 * (backpressure), so a statement of millions of discrepancies is never one string; ends the
 * stream when `end` (a file), leaves it open otherwise (stdout). Rejects with the stream's error.
 */
export async function writePieces(out: Writable, pieces: Iterable<string>, options: { readonly end: boolean }): Promise<void> {
  let buffered = '';
  for (const piece of pieces) {
    buffered += piece;
    if (buffered.length < WRITE_CHARS) continue;
    const flowing = out.write(buffered);
    buffered = '';
    if (!flowing) await once(out, 'drain');
  }
  if (!options.end) {
    if (buffered !== '' && !out.write(buffered)) await once(out, 'drain');
    return;
  }
  out.end(buffered);
  await finished(out);
}
