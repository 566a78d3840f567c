/**
 * Benchmark of the streamed settlement (issue 3): a month of 1,000,000 CSV lines, generated
 * once into a temporary file before anything is timed, settled by suanpan through the code path
 * of POST /v1/settlements and `suanpan settle`, beside a hand-written streaming settlement of the
 * same file (with the product's line caches, summing in fen). Both read the file as a stream,
 * as `suanpan settle` does. Each runs in its own child process, so peak RSS is its own. `--quick` settles 50,000 lines (CI). `--large-lines N`
 * also settles N lines with suanpan alone (one round, no baseline) for the peak-RSS row "whatever
 * the input size" (the full `npm run bench` passes 3,000,000).
 *
 *   node dist/bench/settlement-stream.js [--quick] [--lines N] [--rounds N] [--large-lines N]
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { settleFiles } from '../io/read-settlement-file';
import { limitHeapGrowth } from '../limit-heap-growth';
import { openSpillFiles } from '../io/spill-files';
import { openSettlement } from '../rules/calculate-settlement';
import { RuleCatalog } from '../rules/rule-catalog';
import { headlineFiguresOf, settleByHand, type HeadlineFigures } from './hand-written-settlement';
import type { BenchRow } from './report';
import { settlementCsvChunks } from './settlement-input';


/** What one child process measured. */
export interface StreamRun {
  readonly lines: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  /**
   * Live heap and array buffers (after a full GC) when the whole input had been read minus when half of it had:
   * what the stream retains per line. Flat memory keeps this small (return matching keeps a
   * few tens of bytes per sale). RSS alone cannot tell, as V8 grows its heap lazily.
   */
  readonly secondHalfHeapGrowthMb: number;
  readonly figures: HeadlineFigures;
}

type Contender = 'suanpan' | 'baseline';

/** Issue 5: "Settlement streamed over 1M lines: ≤ 1.3 × a hand-written streaming baseline" (time per line). */
const TARGET_COST_RATIO = 1.3;
/** Issue 5: "peak RSS under 200 MB whatever the input size" (the product's own child process). */
const TARGET_PEAK_RSS_MB = 200;

/** Runs both contenders, one child process each, and returns the table rows. */
export async function settlementStreamSuite(options: { readonly quick: boolean; readonly lines?: number; readonly rounds?: number; readonly largeLines?: number }): Promise<BenchRow[]> {
  const lines = options.lines ?? (options.quick ? 50_000 : 1_000_000);
  // interleaved rounds, each contender's fastest time and highest peak: a busy neighbour on the shared cores slows one round, not the figure
  const productRuns: StreamRun[] = [];
  const baselineRuns: StreamRun[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'suanpan-bench-'));
  try {
    const file = writeInput(work, lines);
    for (let round = 0; round < (options.rounds ?? (options.quick ? 1 : 2)); round++) {
      productRuns.push(await runChild('suanpan', lines, file));
      baselineRuns.push(await runChild('baseline', lines, file));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const product = combine(productRuns);
  const baseline = combine(baselineRuns);
  const agree = [...productRuns, ...baselineRuns].every((run) => JSON.stringify(run.figures) === JSON.stringify(product.figures));
  const name = `settlement stream, ${lines.toLocaleString('en-US')} CSV lines`;
  const microsPerLine = (run: StreamRun): number => (run.seconds * 1e6) / run.lines;
  const costRatio = microsPerLine(product) / microsPerLine(baseline);
  // suanpan alone: the baseline keeps every sale in memory (over 1 GB at 3M lines) and adds nothing to this row
  const large = options.largeLines === undefined ? undefined : await runLarge(options.largeLines);
  const largeRows: BenchRow[] =
    large === undefined
      ? []
      : [
          {
            figure: `settlement stream, ${large.lines.toLocaleString('en-US')} CSV lines: peak RSS (issue 5, whatever the input size)`,
            value: `${large.peakRssMb.toFixed(1)} MB (${microsPerLine(large).toFixed(2)} µs a line)`,
            baseline: '(not run)',
            ratio: '',
            target: `< ${TARGET_PEAK_RSS_MB} MB (suanpan's own process)`,
            met: large.peakRssMb < TARGET_PEAK_RSS_MB ? 'yes' : 'NO',
          },
        ];
  return [
    {
      figure: `${name}: time per line (issue 5)`,
      value: `${microsPerLine(product).toFixed(2)} µs (${Math.round(product.lines / product.seconds).toLocaleString('en-US')} lines/s)`,
      baseline: `${microsPerLine(baseline).toFixed(2)} µs (${Math.round(baseline.lines / baseline.seconds).toLocaleString('en-US')} lines/s)`,
      ratio: `${costRatio.toFixed(2)}×`,
      target: `≤ ${TARGET_COST_RATIO}× the hand-written streaming baseline`,
      met: costRatio <= TARGET_COST_RATIO ? 'yes' : 'NO',
    },
    {
      figure: `${name}: peak RSS (issue 5)`,
      value: `${product.peakRssMb.toFixed(1)} MB`,
      baseline: `${baseline.peakRssMb.toFixed(1)} MB`,
      ratio: `${(product.peakRssMb / baseline.peakRssMb).toFixed(2)}×`,
      target: `< ${TARGET_PEAK_RSS_MB} MB (suanpan's own process)`,
      met: product.peakRssMb < TARGET_PEAK_RSS_MB ? 'yes' : 'NO',
    },
    {
      // no target of its own: tells retained memory from V8's lazy heap growth when reading the RSS row
      figure: `${name}: live memory growth over the 2nd half`,
      value: `${product.secondHalfHeapGrowthMb.toFixed(1)} MB`,
      baseline: `${baseline.secondHalfHeapGrowthMb.toFixed(1)} MB`,
      ratio: `${(product.secondHalfHeapGrowthMb / baseline.secondHalfHeapGrowthMb).toFixed(2)}×`,
      target: '',
      met: '',
    },
    {
      figure: `${name}: figures equal the baseline's`,
      value: agree ? 'equal' : JSON.stringify(product.figures),
      baseline: agree ? 'equal' : JSON.stringify(baseline.figures),
      ratio: '',
      target: 'equal',
      met: agree ? 'yes' : 'NO',
    },
    ...largeRows,
  ];
}

/** The fastest time, the highest peak RSS and heap growth of a contender's runs. */
function combine(runs: readonly StreamRun[]): StreamRun {
  return {
    lines: runs[0]!.lines,
    seconds: Math.min(...runs.map((run) => run.seconds)),
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)),
    secondHalfHeapGrowthMb: Math.max(...runs.map((run) => run.secondHalfHeapGrowthMb)),
    figures: runs[0]!.figures,
  };
}

/** Writes the generated month to a file, before any timing: both contenders read the same bytes. */
function writeInput(dir: string, lines: number): string {
  const file = path.join(dir, `month-${lines}.csv`);
  const fd = openSync(file, 'w');
  try {
    for (const chunk of settlementCsvChunks(lines)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return file;
}

async function runLarge(lines: number): Promise<StreamRun> {
  const work = mkdtempSync(path.join(tmpdir(), 'suanpan-bench-'));
  try {
    return await runChild('suanpan', lines, writeInput(work, lines));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runChild(contender: Contender, lines: number, file: string): Promise<StreamRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', contender, '--lines', String(lines), '--input', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as StreamRun);
      else reject(new Error(`the ${contender} child exited with ${String(code)}`));
    });
  });
}

/** In the child: settles the month in `file`, measuring time and memory. */
async function measure(contender: Contender, lines: number, file: string): Promise<StreamRun> {
  const catalog = contender === 'suanpan' ? RuleCatalog.load(path.resolve(__dirname, '..', '..', 'rules')) : undefined;
  let gcNs = 0n;
  const liveHeap = (): number => {
    const before = process.hrtime.bigint();
    (globalThis as { gc?: () => void }).gc?.();
    gcNs += process.hrtime.bigint() - before;
    // typed arrays (booked sales, the id registry) live outside the JS heap: count them too
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  let halfHeap = 0;
  let endHeap = 0;
  let read = 0;
  const input = Readable.from(
    (async function* () {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        if (halfHeap === 0) {
          for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) read++;
          if (read >= lines / 2) halfHeap = liveHeap();
        }
        yield chunk;
      }
      // everything has been read and the settlement still holds what it keeps
      endHeap = liveHeap();
    })(),
  );
  const started = process.hrtime.bigint();
  const figures = catalog === undefined ? await settleByHand(input) : await settleWithSuanpan(catalog, input);
  const seconds = Number(process.hrtime.bigint() - started - gcNs) / 1e9;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const mb = (bytes: number): number => Math.round((bytes / 1e6) * 10) / 10;
  return { lines, seconds, peakRssMb: mb(peakRss), secondHalfHeapGrowthMb: mb(endHeap - halfHeap), figures };
}

async function settleWithSuanpan(catalog: RuleCatalog, input: Readable): Promise<HeadlineFigures> {
  // as `suanpan settle` and the server do at start-up
  limitHeapGrowth();
  const settlement = openSettlement(catalog, 'chamber-baiyikang', { from: '2026-11-01', to: '2026-11-30' }, { openSpill: () => openSpillFiles() });
  return headlineFiguresOf(await settleFiles(settlement, [{ stream: input, format: 'csv' }]));
}

async function main(argv: readonly string[]): Promise<void> {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const lines = value('--lines') === undefined ? undefined : Number(value('--lines'));
  const rounds = value('--rounds') === undefined ? undefined : Number(value('--rounds'));
  const largeLines = value('--large-lines') === undefined ? undefined : Number(value('--large-lines'));
  const child = value('--child');
  if (child === 'suanpan' || child === 'baseline') {
    process.stdout.write(JSON.stringify(await measure(child, lines!, value('--input')!)));
    return;
  }
  const rows = await settlementStreamSuite({ quick: argv.includes('--quick') || process.env['BENCH_QUICK'] === '1', ...(lines === undefined ? {} : { lines }), ...(rounds === undefined ? {} : { rounds }), ...(largeLines === undefined ? {} : { largeLines }) });
  console.table(rows);
  if (rows.some((r) => r.figure.endsWith("figures equal the baseline's") && r.met !== 'yes')) process.exitCode = 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
