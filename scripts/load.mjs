// @ts-check
/**
 * Bounded load test: starts the compiled server (dist/server.js) on 127.0.0.1 on a free port,
 * drives it with autocannon for LOAD_SECONDS (default 60) over LOAD_CONNECTIONS (default 50)
 * keep-alive connections with a mix of quotes, small batches and agreement reads, samples the
 * server's RSS every 5 s, then stops it with SIGTERM. Prints req/s, latency percentiles, errors,
 * non-2xx answers and RSS before/after with the trend of the samples; exits 1 on any error or
 * non-2xx answer, or if the server does not exit 0.
 *
 *   npm run load                        # builds first
 *   LOAD_SECONDS=10 npm run load        # a shorter run
 *
 * Only 127.0.0.1 is ever targeted.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
if (!(SECONDS > 0 && SECONDS <= 600) || !(CONNECTIONS > 0 && CONNECTIONS <= 1000)) throw new Error('LOAD_SECONDS must be 1..600 and LOAD_CONNECTIONS 1..1000');

/** @param {number} pid */
function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number }>} */
function startServer() {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server.js')], {
    // Logging at info, as in production: the access log's cost is part of what is measured.
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SUANPAN_API_KEYS: '', SUANPAN_API_KEYS_FILE: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    let listening = false;
    child.stdout?.on('data', (chunk) => {
      if (listening) return; // the access log is read and dropped
      buffered += chunk;
      const match = /"port":(\d+)/.exec(buffered);
      if (match) {
        listening = true;
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code} before listening`)));
  });
}

const quote = (channel, buyer, lines) => JSON.stringify({ agreement: 'chamber-baiyikang', channel, date: '2026-12-01', buyer, lines });
const requests = [
  { method: 'POST', path: '/v1/quotes', body: quote('group-buy', { id: 'ENT-001', member: true, keyAccount: true }, [{ sku: 'BYK-H01', quantity: 40 }, { sku: 'BYK-L01', quantity: 80 }]) },
  { method: 'POST', path: '/v1/quotes', body: quote('chamber-supply', { id: 'CHAMBER' }, [{ sku: 'BYK-H02', quantity: 12 }, { sku: 'BYK-M01', quantity: 300 }, { sku: 'BYK-L02', quantity: 1000 }]) },
  { method: 'POST', path: '/v1/quotes', body: quote('member-direct', { id: 'P-77', member: true }, [{ sku: 'BYK-M02', quantity: 2 }]) },
  { method: 'POST', path: '/v1/quotes:batch', body: JSON.stringify({ quotes: Array.from({ length: 10 }, (_, i) => JSON.parse(quote('group-buy', { id: `ENT-${i}` }, [{ sku: 'BYK-L01', quantity: 10 * (i + 1) }]))) }) },
  { method: 'GET', path: '/v1/agreements/chamber-baiyikang?date=2026-12-01' },
].map((r) => ({ ...r, headers: r.body === undefined ? {} : { 'content-type': 'application/json' } }));

const { child, port } = await startServer();
const pid = /** @type {number} */ (child.pid);
// Warm-up (JIT, validators), then the baseline.
await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, duration: 3, requests });
const before = rssMiB(pid);
/** @type {{ t: number, rss: number }[]} */
const samples = [];
const started = Date.now();
const sampler = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, rss: rssMiB(pid) }), 5000);

const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: SECONDS, requests, timeout: 10 });
clearInterval(sampler);
const after = rssMiB(pid);

child.kill('SIGTERM');
const exitCode = await new Promise((resolve) => child.once('exit', resolve));

// Least-squares slope of RSS over the second half of the run (MiB per minute): the trend.
const late = samples.filter((s) => s.t >= SECONDS / 2);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const mt = mean(late.map((s) => s.t));
const mr = mean(late.map((s) => s.rss));
const slope = late.length < 2 ? 0 : (late.reduce((a, s) => a + (s.t - mt) * (s.rss - mr), 0) / late.reduce((a, s) => a + (s.t - mt) ** 2, 0)) * 60;

const report = {
  target: `http://127.0.0.1:${port}`,
  seconds: SECONDS,
  connections: CONNECTIONS,
  requests: result.requests.total,
  requestsPerSecond: Math.round(result.requests.average),
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  rssMiB: { before: Number(before.toFixed(1)), after: Number(after.toFixed(1)), samples: samples.map((s) => Number(s.rss.toFixed(1))), secondHalfTrendMiBPerMin: Number(slope.toFixed(2)) },
  serverExitCode: exitCode,
};
console.log(JSON.stringify(report, null, 2));
const failed = result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || exitCode !== 0;
console.log(failed ? 'LOAD TEST FAILED' : `load test passed: ${report.requestsPerSecond} req/s, p99 ${report.latencyMs.p99} ms, 0 errors, RSS ${report.rssMiB.before} -> ${report.rssMiB.after} MiB`);
process.exit(failed ? 1 : 0);
