import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog } from '../rules/rule-catalog';
import { RULES_DIR } from './domain-suite';
import type { BenchOptions } from './measure';
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

/** A bounded autocannon run (after a warm-up run that is thrown away); refuses any non-2xx answer. */
async function load(url: string, body: string, connections: number, options: BenchOptions): Promise<LoadResult> {
  const run = (duration: number): Promise<LoadResult> => autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration });
  await run(options.quick ? 1 : 3);
  const result = await run(options.quick ? 3 : 10);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts under load`);
  }
  return result;
}

async function withService<T>(script: string, env: Record<string, string>, use: (service: Service) => Promise<T>): Promise<T> {
  const service = await startService(script, env);
  try {
    return await use(service);
  } finally {
    await service.stop();
  }
}

/**
 * The HTTP figures: POST /v1/quotes (10 lines, 50 connections) beside a bare Express JSON
 * echo of the same body, with 1 worker and with one worker per core; p99 latency; cluster
 * scaling; stock json-rules-engine over HTTP; the batch endpoint in lines per second beside
 * the domain core; start-up until /readyz answers.
 */
export async function httpSuite(options: BenchOptions, domainLinesPerSecond: number, log: (text: string) => void): Promise<BenchRow[]> {
  const cores = os.availableParallelism();
  const catalog = RuleCatalog.load(RULES_DIR);
  const order = httpBenchOrder();
  const body = JSON.stringify(order);
  const expected = calculateQuoteSync(catalog, order).totals;
  const batchSize = 100;
  const batchBody = JSON.stringify({ quotes: benchOrders(batchSize, 10) });
  const connections = 50;

  const echo = async (workers: number, route = '/echo'): Promise<LoadResult> => {
    log(`HTTP: bare Express ${route}, ${workers} worker(s)…`);
    return withService('bench/echo-server.js', { SUANPAN_WORKERS: String(workers) }, (service) => load(`${service.url}${route}`, body, connections, options));
  };
  const quotes = async (workers: number, evaluator = 'compiled'): Promise<LoadResult & { startMs: number }> => {
    log(`HTTP: POST /v1/quotes, ${evaluator}, ${workers} worker(s)…`);
    return withService('cluster.js', { SUANPAN_WORKERS: String(workers), SUANPAN_EVALUATOR: evaluator }, async (service) => {
      const answer = await fetch(`${service.url}/v1/quotes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const totals = ((await answer.json()) as { totals?: unknown }).totals;
      if (answer.status !== 200 || JSON.stringify(totals) !== JSON.stringify(expected)) throw new Error(`POST /v1/quotes answered ${answer.status} with totals ${JSON.stringify(totals)}`);
      return { ...(await load(`${service.url}/v1/quotes`, body, connections, options)), startMs: service.startMs };
    });
  };

  const echo1 = await echo(1);
  const canned1 = await echo(1, '/canned');
  const quotes1 = await quotes(1);
  const echoN = cores > 1 ? await echo(cores) : echo1;
  const quotesN = cores > 1 ? await quotes(cores) : quotes1;
  const jre1 = await quotes(1, 'json-rules-engine');
  log(`HTTP: POST /v1/quotes:batch, ${cores} worker(s)…`);
  const batch = await withService('cluster.js', { SUANPAN_WORKERS: String(cores) }, (service) => load(`${service.url}/v1/quotes:batch`, batchBody, 4, options));
  const echoStart = await withService('bench/echo-server.js', { SUANPAN_WORKERS: '1' }, async (service) => service.startMs);

  const rps = 'req/s';
  const atLeast60 = { text: '≥ 0.60', holds: (r: number): boolean => r >= 0.6 };
  return [
    ratioRow('HTTP POST /v1/quotes, 10 lines, 50 conn., 1 worker (vs bare Express echo, 1 process)', quotes1.requests.average, echo1.requests.average, rps, atLeast60),
    ratioRow('HTTP POST /v1/quotes, 1 worker (vs Express answering the same bytes, no pricing)', quotes1.requests.average, canned1.requests.average, rps, { text: 'informative' }),
    ratioRow(`HTTP POST /v1/quotes, 10 lines, 50 conn., ${cores} workers (vs echo, ${cores} processes)`, quotesN.requests.average, echoN.requests.average, rps, atLeast60),
    {
      ...ratioRow(`HTTP POST /v1/quotes p99 latency, ${cores} workers (vs echo p99)`, quotesN.latency.p99, echoN.latency.p99, 'ms', { text: '≤ 30 ms' }),
      met: quotesN.latency.p99 <= 30 ? 'yes' : 'NO',
    },
    ratioRow(`cluster scaling: POST /v1/quotes, ${cores} workers vs 1`, quotesN.requests.average, quotes1.requests.average, rps, { text: 'informative' }),
    ratioRow('HTTP POST /v1/quotes, stock json-rules-engine, 1 worker (speed-up of compiled)', quotes1.requests.average, jre1.requests.average, rps, { text: 'informative' }),
    ratioRow(
      `HTTP batch: lines/s, ${batchSize} × 10-line quotes per request, ${cores} workers (cost vs domain core)`,
      batch.requests.average * batchSize * 10,
      domainLinesPerSecond,
      'lines/s',
      { text: '≤ 1.5×', holds: (r) => r <= 1.5 },
      domainLinesPerSecond / (batch.requests.average * batchSize * 10),
    ),
    {
      ...ratioRow(`start-up: npm start (${cores} workers) until /readyz is 200 (vs bare Express echo)`, quotesN.startMs, echoStart, 'ms', { text: '< 1,000 ms' }),
      met: quotesN.startMs < 1000 ? 'yes' : 'NO',
    },
  ];
}
