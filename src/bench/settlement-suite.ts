import type { BenchOptions } from './measure';
import type { BenchRow } from './report';
import { settlementStreamSuite } from './settlement-stream';

/** The full run's second size: peak RSS must stay under 200 MB "whatever the input size" (≈ 25 s). */
const LARGE_LINES = 3_000_000;

/**
 * Settlement streamed over 1M lines (50,000 with --quick), measured by src/bench/settlement-stream.ts
 * (one child process per contender) with issue 5's targets: time per line ≤ 1.3× the
 * hand-written streaming baseline, peak RSS < 200 MB; and the figures checked equal. The full
 * run adds suanpan's peak RSS over 3M lines (past the spill threshold, the size no longer counts).
 */
export async function settlementSuite(options: BenchOptions): Promise<BenchRow[]> {
  return settlementStreamSuite(options.quick ? { quick: true } : { quick: false, largeLines: LARGE_LINES });
}
