import type { BenchOptions } from './measure';
import type { BenchRow } from './report';
import { settlementStreamSuite } from './settlement-stream';

/** The number in a figure such as "1,234 lines/s", "0.85×" or "123.4 MB"; NaN when there is none. */
function numberIn(text: string): number {
  const match = /-?[\d,]+(\.\d+)?/.exec(text);
  return match === null ? Number.NaN : Number(match[0].replace(/,/g, ''));
}

/**
 * Settlement streamed over 1M lines (50,000 with --quick), measured by the settlement work's
 * own suite (src/bench/settlement-stream.ts, one child process per contender), plus its two
 * figures restated in issue 5's terms: cost beside the hand-written streaming baseline
 * (target ≤ 1.3×) and peak RSS (target < 200 MB whatever the input size).
 */
export async function settlementSuite(options: BenchOptions): Promise<BenchRow[]> {
  const rows = await settlementStreamSuite({ quick: options.quick });
  const speed = rows.find((row) => row.figure.endsWith(': lines/s'));
  const rss = rows.find((row) => row.figure.endsWith(': peak RSS'));
  const issueRows: BenchRow[] = [];
  if (speed !== undefined) {
    const cost = 1 / numberIn(speed.ratio);
    issueRows.push({ figure: speed.figure.replace(': lines/s', ': cost vs hand-written streaming'), value: speed.value, baseline: speed.baseline, ratio: `${cost.toFixed(2)}×`, target: '≤ 1.3×', met: cost <= 1.3 ? 'yes' : 'NO' });
  }
  if (rss !== undefined) {
    const mb = numberIn(rss.value);
    issueRows.push({ ...rss, figure: `${rss.figure} (issue 5 target)`, target: '< 200 MB', met: mb < 200 ? 'yes' : 'NO' });
  }
  return [...rows, ...issueRows];
}
