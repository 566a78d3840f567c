import { performance } from 'node:perf_hooks';

/** How long and how often to measure. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly warmupMs: number;
  readonly roundMs: number;
  readonly rounds: number;
}

/**
 * Full runs: 1 s warm-up, then 15 interleaved rounds of 0.5 s per contender; `--quick` (CI):
 * 0.2 s and 5 rounds of 0.15 s. Many short interleaved rounds and their median keep a busy
 * neighbour on a shared machine from favouring one contender.
 */
export function benchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const quick = argv.includes('--quick') || env['BENCH_QUICK'] === '1';
  return quick ? { quick, warmupMs: 200, roundMs: 150, rounds: 5 } : { quick, warmupMs: 1000, roundMs: 500, rounds: 15 };
}

/** One way of doing the same unit of work (one call = one quote, one batch, …). */
export interface Contender {
  readonly name: string;
  readonly call: () => unknown;
}

/** Median calls per second of each contender. */
export type Rates = ReadonlyMap<string, number>;

/**
 * Measures contenders side by side: a warm-up of each, then `rounds` rounds in which each
 * contender runs for `roundMs` in turn (interleaved, so drift of the machine hits all alike);
 * the figure is the median of the rounds. A contender whose call returns a promise is awaited.
 */
export async function measureSideBySide(contenders: readonly Contender[], options: BenchOptions): Promise<Rates> {
  for (const contender of contenders) await runFor(contender, options.warmupMs);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of contenders) samples.get(contender.name)!.push(await runFor(contender, options.roundMs));
  }
  return new Map([...samples].map(([name, rates]) => [name, median(rates)]));
}

/** Calls per second of `contender` run back to back for `ms` milliseconds. */
export async function runFor(contender: Contender, ms: number): Promise<number> {
  const start = performance.now();
  const deadline = start + ms;
  let calls = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 8; i++) {
      const result = contender.call();
      if (result instanceof Promise) await result;
    }
    calls += 8;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
