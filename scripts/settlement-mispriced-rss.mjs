// @ts-check
/**
 * Peak RSS of a streamed settlement whose every line is mispriced (issue 12, item 2): starts the
 * compiled server (dist/server.js) on 127.0.0.1 on a free port, uploads LINES generated CSV
 * lines (chamber-supply sales invoiced at 1.00: each one an invoice discrepancy; five lines a
 * transaction) as one streamed request, reads the answer as a stream (counting its bytes), and
 * prints the status, the time, the answer's size and the server's peak RSS (VmHWM), then stops
 * the server. Only 127.0.0.1 is targeted; bounded by TIMEOUT_SECONDS (default 600).
 *
 *   npm run build && node scripts/settlement-mispriced-rss.mjs 1000000 [json|csv|html]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.argv[2] ?? 1_000_000);
const FORMAT = process.argv[3] ?? 'json';
const ACCEPT = { json: 'application/json', csv: 'text/csv', html: 'text/html' }[FORMAT];
const TIMEOUT_SECONDS = Number(process.env.TIMEOUT_SECONDS ?? 600);
if (!(LINES > 0) || ACCEPT === undefined) throw new Error('usage: settlement-mispriced-rss.mjs <lines> [json|csv|html]');

const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01'];

/** @param {number} pid @param {string} field */
function statusMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
}

/** The upload, in chunks of about 64 KB: every line a chamber-supply sale invoiced at 1.00. */
function* mispricedCsv() {
  let chunk = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice\n';
  for (let line = 0; line < LINES; line++) {
    const t = Math.floor(line / SKUS.length) + 1;
    const day = 1 + Math.min(29, Math.floor((((t - 1) * SKUS.length) / LINES) * 30));
    chunk += `T${t},2026-11-${String(day).padStart(2, '0')},chamber-supply,CHAMBER,,,,${SKUS[line % SKUS.length]},${10 + (line % 90)},1.00\n`;
    if (chunk.length >= 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number }>} */
function startServer() {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server.js')], {
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

const { child, port } = await startServer();
const pid = /** @type {number} */ (child.pid);
const idle = statusMiB(pid, 'VmRSS');
const started = process.hrtime.bigint();
const timer = setTimeout(() => {
  console.error(`no answer after ${TIMEOUT_SECONDS} s`);
  child.kill('SIGKILL');
  process.exit(1);
}, TIMEOUT_SECONDS * 1000);

const result = await new Promise((resolve, reject) => {
  const req = request(
    { host: '127.0.0.1', port, method: 'POST', path: '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30', headers: { 'Content-Type': 'text/csv', Accept: ACCEPT } },
    (res) => {
      let bytes = 0;
      let head = '';
      res.on('data', (chunk) => {
        if (head.length < 300) head += chunk.toString('utf8', 0, Math.min(chunk.length, 300));
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, head: head.slice(0, 300) }));
      res.on('error', reject);
    },
  );
  req.on('error', reject);
  (async () => {
    for (const chunk of mispricedCsv()) if (!req.write(chunk)) await new Promise((drained) => req.once('drain', drained));
    req.end();
  })().catch(reject);
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peak = statusMiB(pid, 'VmHWM');
clearTimeout(timer);
child.kill('SIGTERM');
console.log(JSON.stringify({ lines: LINES, format: FORMAT, status: result.status, seconds: Number(seconds.toFixed(1)), answerMb: Number((result.bytes / 2 ** 20).toFixed(1)), idleRssMb: Number(idle.toFixed(1)), peakRssMb: Number(peak.toFixed(1)), head: result.status === 200 ? undefined : result.head }));
