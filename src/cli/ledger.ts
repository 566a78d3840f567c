import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '../domain/errors';
import type { SettlementIssue } from '../domain/settlement';
import { openSpillFiles } from '../io/spill-files';
import { LedgerError } from '../ledger/ledger-errors';
import { LedgerService } from '../ledger/ledger-service';
import { isPeriodKey, type LedgerStore } from '../ledger/ledger-store';
import { openLedgerStore } from '../ledger/open-ledger-store';
import { RuleCatalog } from '../rules/rule-catalog';
import { RulesetError, formatRuleProblem } from '../rules/ruleset-error';
import { readTrustConfig } from '../trust/trust-config';
import { assertReadableFile, assertRulesDir, EXIT } from './cli-fault';
import { EXIT_CODES_TEXT, type CliIo } from './main';
import { describeIssue } from './settle';

const USAGE = `usage: suanpan ledger load --agreement <id> <file.csv|file.ndjson>… [--adjustment] [--claims-period <yyyy-mm>]
       suanpan ledger close --agreement <id> <yyyy-mm>
       suanpan ledger statements [--agreement <id>] [--period <yyyy-mm>]
       suanpan ledger migrate
  The same ledger as the service: $SUANPAN_DATABASE_URL (PostgreSQL) or ledger.sqlite under
  --data-dir (default $SUANPAN_DATA_DIR or ./.data); statements are signed with the service's key
  ($SUANPAN_SIGNING_KEY_FILE, or the development key of the data directory). Each file of a load
  is one upload (all or nothing). Answers are JSON on stdout; see docs/ledger.md.
  common options: [--rules <dir>] [--data-dir <dir>] [--partner <id>] (the partner the audit names)
${EXIT_CODES_TEXT}`;

const ACTIONS = ['load', 'close', 'statements', 'migrate'] as const;

/** `suanpan ledger …`: loads files into the ledger, closes months, lists statements, applies migrations. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return EXIT.ok;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        agreement: { type: 'string' },
        rules: { type: 'string' },
        'data-dir': { type: 'string' },
        partner: { type: 'string' },
        adjustment: { type: 'boolean' },
        'claims-period': { type: 'string' },
        period: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  const [action, ...operands] = parsed.positionals;
  const values = parsed.values;
  const usage = (message: string): number => {
    io.err(`${message}\n${USAGE}`);
    return EXIT.usage;
  };
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) return usage(action === undefined ? 'name an action' : `unknown action ${action}`);
  if ((action === 'load' || action === 'close') && values.agreement === undefined) return usage(`ledger ${action} needs --agreement`);
  if (action === 'load' && operands.length === 0) return usage('ledger load needs one file or more');
  if (action === 'close' && (operands.length !== 1 || !isPeriodKey(operands[0]!))) return usage('ledger close needs one month, yyyy-mm');
  const cwd = io.cwd ?? process.cwd();
  const dataDir = path.resolve(cwd, values['data-dir'] ?? process.env['SUANPAN_DATA_DIR'] ?? '.data');
  const databaseUrl = process.env['SUANPAN_DATABASE_URL'] === '' ? undefined : process.env['SUANPAN_DATABASE_URL'];
  const store = await openLedgerStore({ dataDir, databaseUrl });
  try {
    if (action === 'migrate') {
      io.out(JSON.stringify({ backend: store.backend, applied: await store.migrate() }));
      return EXIT.ok;
    }
    if (action === 'statements') {
      io.out(JSON.stringify({ statements: await store.listStatements({ ...(values.agreement === undefined ? {} : { agreement: values.agreement }), ...(values.period === undefined ? {} : { period: values.period }), limit: 1000 }) }, null, 2));
      return EXIT.ok;
    }
    return await runWithService(action as 'load' | 'close', operands, values, { cwd, dataDir, store, io });
  } finally {
    await store.close();
  }
}

async function runWithService(
  action: 'load' | 'close',
  operands: readonly string[],
  values: { agreement?: string; rules?: string; partner?: string; adjustment?: boolean; 'claims-period'?: string },
  context: { cwd: string; dataDir: string; store: LedgerStore; io: CliIo },
): Promise<number> {
  const { io, cwd } = context;
  const rulesDir = path.resolve(cwd, values.rules ?? process.env['SUANPAN_RULES_DIR'] ?? path.join(__dirname, '..', '..', 'rules'));
  assertRulesDir('--rules', rulesDir);
  let catalog: RuleCatalog;
  try {
    catalog = RuleCatalog.load(rulesDir);
  } catch (error) {
    if (!(error instanceof RulesetError)) throw error;
    io.err(`the rules in ${rulesDir} are refused:\n${error.problems.map(formatRuleProblem).join('\n')}`);
    return EXIT.problems;
  }
  const quiet = { warn: () => undefined, info: () => undefined };
  const keys = readTrustConfig({ ...process.env, SUANPAN_DATA_DIR: context.dataDir }, quiet).signing.keys;
  const ledger = new LedgerService({ store: context.store, catalog: () => catalog, keys: () => keys, now: () => new Date(), settlementOptions: { openSpill: () => openSpillFiles() } });
  const agreement = values.agreement!;
  const partner = values.partner ?? null;
  try {
    if (action === 'close') {
      const { statement, created } = await ledger.close(agreement, operands[0]!, partner);
      const { body, ...record } = statement;
      io.out(JSON.stringify({ created, ...record, document: JSON.parse(body) as unknown }, null, 2));
      return EXIT.ok;
    }
    for (const operand of operands) {
      const file = path.resolve(cwd, operand);
      assertReadableFile('file', file);
      const format = /\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv';
      const result = await ledger.upload({
        agreement,
        partner,
        adjustment: values.adjustment === true,
        ...(values['claims-period'] === undefined ? {} : { claimsPeriod: values['claims-period'] }),
        content: { kind: 'file', file: { stream: createReadStream(file), format, source: operand } },
      });
      io.out(JSON.stringify({ file: operand, ...result }));
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof DomainError || error instanceof LedgerError) {
      io.err(`${error.code}: ${error.message}`);
      for (const issue of error.issues.slice(0, 1000)) io.err(`  ${describeIssue(issue as SettlementIssue)}`);
      return EXIT.problems;
    }
    throw error;
  }
}
