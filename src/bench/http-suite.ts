import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog } from '../rules/rule-catalog';
import { canonicalJson } from '../trust/canonical-json';
import { RULES_DIR } from './domain-suite';
import { median, runFor, type BenchOptions, type Contender } from './measure';
import { benchOrders, httpBenchOrder } from './orders';
import { ratioRow, type BenchRow } from './report';

/** The part of autocannon's API and result the bench uses (autocannon ships no types). */
interface LoadResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
type Autocannon = (options: {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
}) => Promise<LoadResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const DIST = path.resolve(__dirname, '..');

interface Service {
  readonly url: string;
  readonly startMs: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Spawns `node <script>` on a free port of 127.0.0.1 and waits until GET /readyz answers 200. */
async function startService(script: string, env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [path.join(DIST, script)], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 20000) {
      await stop();
      throw new Error(`${script} was not ready within 20 s`);
    }
    await sleep(10);
  }
  return { url, startMs: performance.now() - started, stop };
}

/** One load target: a URL, a body and a number of connections. */
interface Target {
  readonly name: string;
  readonly url: string;
  readonly body: string;
  readonly connections: number;
}

/** Median requests per second and median p99 latency over the rounds. */
interface Figures {
  readonly rps: number;
  readonly p99: number;
}

async function hit(target: Target, seconds: number): Promise<LoadResult> {
  const result = await autocannon({ url: target.url, method: 'POST', headers: { 'content-type': 'application/json' }, body: target.body, connections: target.connections, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts under load`);
  }
  return result;
}

/**
 * Bounded autocannon runs, interleaved: a warm-up of each target, then rounds in which each
 * target is loaded in turn, so a busy neighbour on the machine slows all targets alike;
 * the figures are the medians of the rounds.
 */
async function loadSideBySide(targets: readonly Target[], inProcess: Contender, options: BenchOptions, log: (text: string) => void): Promise<ReadonlyMap<string, Figures>> {
  const seconds = options.quick ? 1 : 2;
  const rounds = options.quick ? 3 : 5;
  for (const target of targets) await hit(target, seconds);
  await runFor(inProcess, seconds * 1000);
  const samples = new Map<string, Figures[]>([...targets.map((t) => [t.name, []] as [string, Figures[]]), [inProcess.name, []]]);
  for (let round = 0; round < rounds; round++) {
    log(`HTTP: round ${round + 1} of ${rounds} over ${targets.length} targets…`);
    for (const target of targets) {
      const result = await hit(target, seconds);
      samples.get(target.name)!.push({ rps: result.requests.average, p99: result.latency.p99 });
    }
    samples.get(inProcess.name)!.push({ rps: await runFor(inProcess, seconds * 1000), p99: Number.NaN });
  }
  return new Map([...samples].map(([name, figures]) => [name, { rps: median(figures.map((f) => f.rps)), p99: median(figures.map((f) => f.p99)) }]));
}

/**
 * The HTTP figures: POST /v1/quotes (10 lines, 50 connections) beside a bare node:http JSON
 * echo of the same body at the same number of processes (1 vs 1, one per core vs one per core:
 * the quote lane is node:http, so that is its fair bound), beside a bare Express echo and an
 * Express endpoint answering the same bytes (informative); p99 latency; cluster scaling;
 * stock json-rules-engine over HTTP; the batch endpoint in lines per second per core beside the
 * domain core on one core; start-up until /readyz.
 * Every server runs at once (idle unless loaded) and the load alternates between them.
 */
export async function httpSuite(options: BenchOptions, log: (text: string) => void): Promise<BenchRow[]> {
  const cores = os.availableParallelism();
  const catalog = RuleCatalog.load(RULES_DIR);
  const order = httpBenchOrder();
  const body = JSON.stringify(order);
  const expected = canonicalJson(calculateQuoteSync(catalog, order).totals);
  const batchSize = 100;
  const batchOrders = benchOrders(batchSize, 10);
  const batchBody = JSON.stringify({ quotes: batchOrders });
  // the batch's quotes priced in this process, one batch per call: the domain core's lines/s
  const domainBatch: Contender = { name: 'domainBatch', call: () => batchOrders.map((o) => calculateQuoteSync(catalog, o)) };
  const connections = 50;

  log('HTTP: starting the servers…');
  const services: Service[] = [];
  const start = async (script: string, workers: number, evaluator = 'compiled'): Promise<Service> => {
    const service = await startService(script, { SUANPAN_WORKERS: String(workers), SUANPAN_EVALUATOR: evaluator });
    services.push(service);
    return service;
  };
  try {
    const echo1 = await start('bench/echo-server.js', 1);
    const echoN = await start('bench/echo-server.js', cores);
    const nodeEcho1 = await start('bench/node-echo-server.js', 1);
    const nodeEchoN = await start('bench/node-echo-server.js', cores);
    const quotes1 = await start('cluster.js', 1);
    const quotesN = await start('cluster.js', cores);
    const jre1 = await start('cluster.js', 1, 'json-rules-engine');
    for (const service of [quotes1, quotesN, jre1]) {
      const answer = await fetch(`${service.url}/v1/quotes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const totals = canonicalJson(((await answer.json()) as { totals?: unknown }).totals ?? null);
      if (answer.status !== 200 || totals !== expected) throw new Error(`POST /v1/quotes answered ${answer.status} with totals ${totals}`);
    }
    const quoteTarget = (name: string, service: Service, route = '/v1/quotes'): Target => ({ name, url: `${service.url}${route}`, body, connections });
    const figures = await loadSideBySide(
      [
        quoteTarget('echo1', echo1, '/echo'),
        quoteTarget('canned1', echo1, '/canned'),
        quoteTarget('quotes1', quotes1),
        quoteTarget('echoN', echoN, '/echo'),
        quoteTarget('nodeEcho1', nodeEcho1, '/echo'),
        quoteTarget('nodeEchoN', nodeEchoN, '/echo'),
        quoteTarget('quotesN', quotesN),
        quoteTarget('jre1', jre1),
        quoteTarget('unsignedN', quotesN, '/v1/quotes?sign=false'),
        { name: 'batchN', url: `${quotesN.url}/v1/quotes:batch`, body: batchBody, connections: 4 },
        { name: 'unsignedBatchN', url: `${quotesN.url}/v1/quotes:batch?sign=false`, body: batchBody, connections: 4 },
      ],
      domainBatch,
      options,
      log,
    );
    const f = (name: string): Figures => figures.get(name)!;
    const rps = 'req/s';
    const atLeast60 = { text: '≥ 0.60', holds: (r: number): boolean => r >= 0.6 };
    // per core: the N workers' lines/s shared by N cores, against the domain core on one
    const batchLinesPerCore = (f('batchN').rps * batchSize * 10) / cores;
    const unsignedBatchLinesPerCore = (f('unsignedBatchN').rps * batchSize * 10) / cores;
    const domainLinesPerSecond = f('domainBatch').rps * batchSize * 10;
    return [
      ratioRow('HTTP POST /v1/quotes, 10 lines, 50 conn., 1 worker (vs bare node:http echo, 1 process)', f('quotes1').rps, f('nodeEcho1').rps, rps, atLeast60),
      ratioRow(`HTTP POST /v1/quotes, 10 lines, 50 conn., ${cores} workers (vs bare node:http echo, ${cores} processes)`, f('quotesN').rps, f('nodeEchoN').rps, rps, atLeast60),
      ratioRow('HTTP POST /v1/quotes, 10 lines, 50 conn., 1 worker (vs bare Express echo, 1 process)', f('quotes1').rps, f('echo1').rps, rps, { text: 'informative (the lane is not Express)' }),
      ratioRow(`HTTP POST /v1/quotes, 10 lines, 50 conn., ${cores} workers (vs bare Express echo, ${cores} processes)`, f('quotesN').rps, f('echoN').rps, rps, { text: 'informative (the lane is not Express)' }),
      ratioRow('HTTP POST /v1/quotes, 1 worker (vs Express answering the same bytes, no pricing)', f('quotes1').rps, f('canned1').rps, rps, { text: 'informative' }),
      { ...ratioRow(`HTTP POST /v1/quotes p99 latency, ${cores} workers (vs node:http echo p99, ${cores} processes)`, f('quotesN').p99, f('nodeEchoN').p99, 'ms', { text: '≤ 30 ms' }), met: f('quotesN').p99 <= 30 ? 'yes' : 'NO' },
      ratioRow(`cluster scaling: POST /v1/quotes, ${cores} workers vs 1`, f('quotesN').rps, f('quotes1').rps, rps, { text: 'informative' }),
      ratioRow(`cluster scaling of the node:http echo, ${cores} processes vs 1 (what the machine allows)`, f('nodeEchoN').rps, f('nodeEcho1').rps, rps, { text: 'informative' }),
      ratioRow('HTTP POST /v1/quotes, stock json-rules-engine, 1 worker (speed-up of compiled)', f('quotes1').rps, f('jre1').rps, rps, { text: 'informative' }),
      ratioRow(`HTTP POST /v1/quotes?sign=false (unsigned), ${cores} workers (vs bare node:http echo, ${cores} processes)`, f('unsignedN').rps, f('nodeEchoN').rps, rps, atLeast60),
      { ...ratioRow(`HTTP POST /v1/quotes?sign=false p99 latency, ${cores} workers (vs node:http echo p99, ${cores} processes)`, f('unsignedN').p99, f('nodeEchoN').p99, 'ms', { text: '≤ 30 ms' }), met: f('unsignedN').p99 <= 30 ? 'yes' : 'NO' },
      ratioRow(`HTTP batch: lines/s per core, ${batchSize} × 10-line quotes per request, signed (one signature a batch, a Merkle proof a quote), ${cores} workers on ${cores} cores (cost vs domain core, 1 core)`, batchLinesPerCore, domainLinesPerSecond, 'lines/s', { text: '≤ 1.5×', holds: (r) => r <= 1.5 }, domainLinesPerSecond / batchLinesPerCore),
      ratioRow(`HTTP batch: lines/s per core, ${batchSize} × 10-line quotes, sign=false, ${cores} workers on ${cores} cores (cost vs domain core, 1 core)`, unsignedBatchLinesPerCore, domainLinesPerSecond, 'lines/s', { text: '≤ 1.5×', holds: (r) => r <= 1.5 }, domainLinesPerSecond / unsignedBatchLinesPerCore),
      { ...ratioRow(`start-up: npm start (${cores} workers) until /readyz is 200 (vs bare Express echo)`, quotesN.startMs, echoN.startMs, 'ms', { text: '< 1,000 ms' }), met: quotesN.startMs < 1000 ? 'yes' : 'NO' },
    ];
  } finally {
    await Promise.all(services.map((service) => service.stop()));
  }
}
