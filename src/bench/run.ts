/**
 * `npm run bench` (full) or `npm run bench -- --quick` / BENCH_QUICK=1 (CI): measures every
 * performance figure of issue 5 beside its baseline in one run and prints one table.
 * It never fails on a missed target (CI prints it; noise must not break a build): it exits
 * non-zero only when a contender gives a wrong answer or cannot run.
 */
import os from 'node:os';
import { domainSuite } from './domain-suite';
import { benchOptions } from './measure';
import { formatTable, type BenchRow } from './report';
import { httpSuite } from './http-suite';
import { ledgerPostgresSuite } from './ledger-postgres-suite';
import { ledgerSuite } from './ledger-suite';
import { settlementSuite } from './settlement-suite';
import { startupSuite } from './startup-suite';

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2), process.env);
  const started = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const rows: BenchRow[] = [];
  const log = (text: string): void => {
    process.stderr.write(`bench: ${text}\n`);
  };
  // `--only domain,http` runs some suites (while working on one figure); the table of record runs all
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt === -1 ? undefined : new Set((process.argv[onlyAt + 1] ?? '').split(','));
  const runs = (suite: string): boolean => only === undefined || only.has(suite);
  if (runs('domain')) {
    log(`domain core (${options.quick ? 'quick' : 'full'} run)…`);
    rows.push(...(await domainSuite(options)));
  }
  if (runs('http')) rows.push(...(await httpSuite(options, log)));
  if (runs('startup')) {
    log('start-up and reload…');
    rows.push(...(await startupSuite(options)));
  }
  if (runs('settlement')) {
    log('settlement streamed (one child process per contender)…');
    rows.push(...(await settlementSuite(options)));
  }
  if (runs('ledger')) {
    log('settlement ledger (SQLite) beside the stateless settlement, in a child process…');
    rows.push(...(await ledgerSuite(options)));
  }
  if (runs('ledger-postgres')) {
    log('ledger ingestion into PostgreSQL (COPY) beside SQLite, a throwaway local cluster…');
    rows.push(...(await ledgerPostgresSuite(options)));
  }
  const cpus = os.cpus();
  process.stdout.write(
    `suanpan bench — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${options.quick ? 'quick' : 'full'} run, ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
      `load average ${loadBefore.toFixed(2)} before and ${os.loadavg()[0]!.toFixed(2)} after (other processes share these cores)\n\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
