import type { BenchOptions } from './measure';
import type { BenchRow } from './report';
import { settlementStreamSuite } from './settlement-stream';

/**
 * Settlement streamed over 1M lines (50,000 with --quick), measured by src/bench/settlement-stream.ts
 * (one child process per contender) with issue 5's targets: time per line ≤ 1.3× the
 * hand-written streaming baseline, peak RSS < 200 MB; and the figures checked equal.
 */
export async function settlementSuite(options: BenchOptions): Promise<BenchRow[]> {
  return settlementStreamSuite({ quick: options.quick });
}
