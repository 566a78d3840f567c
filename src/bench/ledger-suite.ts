/**
 * The ledger beside the stateless settlement (issue 13): one month of N lines (1M; 50,000 with
 * --quick) settled by POST /v1/settlements' code, then ingested into a fresh SQLite ledger and
 * the month closed — in one child process, so its peak RSS is the ledger's (and the stateless
 * run's before it). Targets: ingest ≤ 2× the stateless settlement, close ≤ 1.5×, RSS < 250 MB.
 *
 * Compared as they run in production: both spill to temporary files past their in-memory limits
 * (the server's settlement route and its ledger do), and both paths are first run once on a
 * small month so that neither measured run pays the JIT's first compilations (the stateless run,
 * measured first, otherwise did, flattering the ledger's ratios).
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { settleFiles } from '../io/read-settlement-file';
import { openSpillFiles } from '../io/spill-files';
import { LedgerService } from '../ledger/ledger-service';
import { SqliteLedgerStore } from '../ledger/sqlite-ledger-store';
import { limitHeapGrowth } from '../limit-heap-growth';
import { openSettlement } from '../rules/calculate-settlement';
import { RuleCatalog } from '../rules/rule-catalog';
import { ephemeralKeyRing } from '../trust/signing-keys';
import type { BenchOptions } from './measure';
import { ratioRow, type BenchRow } from './report';
import { settlementCsvChunks } from './settlement-input';

const AGREEMENT = 'chamber-baiyikang';
const MONTH = '2026-11';

interface LedgerRun {
  readonly lines: number;
  readonly statelessSeconds: number;
  readonly ingestSeconds: number;
  readonly closeSeconds: number;
  readonly peakRssMb: number;
  readonly commissionEqual: boolean;
}

export async function ledgerSuite(options: BenchOptions): Promise<BenchRow[]> {
  // BENCH_LEDGER_LINES=3000000 checks the flat-RSS target at 3M lines (minutes)
  const lines = process.env['BENCH_LEDGER_LINES'] === undefined ? (options.quick ? 50_000 : 1_000_000) : Number(process.env['BENCH_LEDGER_LINES']);
  const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-bench-ledger-'));
  try {
    const input = path.join(dir, 'month.csv');
    await writeMonth(input, lines);
    const run = await child(input, lines, dir);
    return [
      ratioRow(`ledger ingest, ${lines.toLocaleString('en-US')} lines into SQLite`, run.ingestSeconds, run.statelessSeconds, 's', { text: '≤ 2× stateless settlement', holds: (r) => r <= 2 }),
      ratioRow(`ledger close of that month`, run.closeSeconds, run.statelessSeconds, 's', { text: '≤ 1.5× stateless settlement', holds: (r) => r <= 1.5 }),
      ratioRow('ledger peak RSS (stateless, ingest, close in one process)', run.peakRssMb, 250, 'MB', { text: '< 250 MB', holds: (r) => r < 1 }),
      { figure: "ledger statement's commission equals the stateless one", value: String(run.commissionEqual), baseline: 'true', ratio: '', target: 'equal', met: run.commissionEqual ? 'yes' : 'NO' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench month without its external-sales table (both paths settle the transactions only, so their statements compare). */
async function writeMonth(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  let done = false;
  for (const chunk of settlementCsvChunks(lines)) {
    if (done) break;
    const cut = chunk.search(/^institution,/im);
    const text = cut === -1 ? chunk : chunk.slice(0, cut);
    done = cut !== -1;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function child(input: string, lines: number, dir: string): Promise<LedgerRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, '--child', input, String(lines), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LedgerRun) : reject(new Error(`ledger bench child exited ${code}`))));
  });
}

async function measure(input: string, lines: number, dir: string): Promise<LedgerRun> {
  limitHeapGrowth();
  const catalog = RuleCatalog.load(path.join(__dirname, '..', '..', 'rules'));
  const seconds = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
    const started = process.hrtime.bigint();
    const result = await work();
    return [Number(process.hrtime.bigint() - started) / 1e9, result];
  };
  const spill = { openSpill: () => openSpillFiles(dir) };
  const settle = (file: string) => settleFiles(openSettlement(catalog, AGREEMENT, { from: `${MONTH}-01`, to: `${MONTH}-30` }, spill), [{ stream: createReadStream(file), format: 'csv' }]);
  const ledgerIn = async (name: string): Promise<{ ledger: LedgerService; store: SqliteLedgerStore }> => {
    const store = new SqliteLedgerStore(path.join(dir, name));
    await store.migrate();
    const keys = ephemeralKeyRing();
    return { store, ledger: new LedgerService({ store, catalog: () => catalog, keys: () => keys, now: () => new Date(), settlementOptions: spill }) };
  };
  const upload = (ledger: LedgerService, file: string) => ledger.upload({ agreement: AGREEMENT, partner: null, adjustment: false, content: { kind: 'file', file: { stream: createReadStream(file), format: 'csv' } } });

  const warm = path.join(dir, 'warm-up.csv');
  await writeMonth(warm, Math.min(20_000, lines));
  await settle(warm);
  const warmUp = await ledgerIn('warm-up.sqlite');
  await upload(warmUp.ledger, warm);
  await warmUp.ledger.close(AGREEMENT, MONTH, null);
  await warmUp.store.close();

  const [statelessSeconds, stateless] = await seconds(() => settle(input));
  const { ledger, store } = await ledgerIn('ledger.sqlite');
  const [ingestSeconds] = await seconds(() => upload(ledger, input));
  const [closeSeconds, closed] = await seconds(() => ledger.close(AGREEMENT, MONTH, null));
  const commission = (JSON.parse(closed.statement.body) as { statement: { commission: string } }).statement.commission;
  await store.close();
  return { lines, statelessSeconds, ingestSeconds, closeSeconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10, commissionEqual: commission === stateless.commission };
}

if (require.main === module && process.argv[2] === '--child') {
  measure(process.argv[3]!, Number(process.argv[4]), process.argv[5]!)
    .then((run) => process.stdout.write(JSON.stringify(run)))
    .catch((error: unknown) => {
      process.stderr.write(`ledger bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
