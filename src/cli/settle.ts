import { createReadStream, createWriteStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DomainError } from '../domain/errors';
import type { SettlementIssue, StreamedStatement } from '../domain/settlement';
import { countBytes, settleFilesStreamed, type SettlementFile, type SettlementFileFormat } from '../io/read-settlement-file';
import { statementCsvLines } from '../io/statement-csv';
import { statementHtmlLines } from '../io/statement-html';
import { statementJsonPieces } from '../io/statement-json';
import { openSpillFiles } from '../io/spill-files';
import { presentationIn, type StatementPresentation } from '../io/statement-presentation';
import { writeStatementXlsx } from '../io/statement-xlsx';
import { writePieces } from '../io/write-pieces';
import { openSettlement } from '../rules/calculate-settlement';
import { RuleCatalog } from '../rules/rule-catalog';
import { RulesetError, formatRuleProblem } from '../rules/ruleset-error';
import { assertReadableFile, assertRulesDir, assertWritableFile, EXIT, fileFault } from './cli-fault';
import { EXIT_CODES_TEXT, type CliIo } from './main';
import { chooseAgreement } from './choose-agreement';

const USAGE = `usage: suanpan settle --transactions <tx.csv|tx.ndjson> [--external <ext.csv>] [--claimed <claims.csv>]
                      --from <yyyy-mm-dd> --to <yyyy-mm-dd> [--agreement <id>] [--format json|csv|html|xlsx]
                      [--out <file>] [--rules <dir>] [--no-progress]
  Settles a period from files, streaming (a month of a million lines in flat memory).
  CSV: UTF-8 with or without BOM, one table per header row (see docs/settlement.md);
  .ndjson / .jsonl: one row per line as a JSON object.
  --agreement may be left out when the rules hold one agreement; --rules defaults to $SUANPAN_RULES_DIR or the bundled rules.
${EXIT_CODES_TEXT}`;

const FORMATS = ['json', 'csv', 'html', 'xlsx'] as const;
type OutputFormat = (typeof FORMATS)[number];

/** Where progress goes: a terminal's stderr, rewritten in place. */
export interface ProgressSink {
  write(text: string): void;
}

/**
 * `suanpan settle`: the settlement of a period from CSV or NDJSON files, through the same
 * code as POST /v1/settlements. Prints the statement (or writes it to --out) and, on a
 * terminal, a progress line on stderr.
 */
export async function run(args: readonly string[], io: CliIo, progressSink: ProgressSink | undefined = process.stderr.isTTY ? process.stderr : undefined): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return EXIT.ok;
  }
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(args, io.cwd ?? process.cwd());
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  assertRulesDir('--rules', options.rulesDir);
  for (const file of options.files) assertReadableFile(file.role, file.path);
  if (options.out !== undefined) assertWritableFile('--out', options.out);
  let catalog: RuleCatalog;
  try {
    catalog = RuleCatalog.load(options.rulesDir);
  } catch (error) {
    if (!(error instanceof RulesetError)) throw error;
    io.err(`the rules in ${options.rulesDir} are refused:\n${error.problems.map(formatRuleProblem).join('\n')}`);
    return EXIT.problems;
  }
  const agreement = chooseAgreement(catalog, { named: options.agreement });
  const progress = progressSink === undefined || options.noProgress ? undefined : new ProgressLine(progressSink, totalBytes(options.files));
  let statement: StreamedStatement;
  try {
    const settlement = openSettlement(catalog, agreement, { from: options.from, to: options.to }, { openSpill: () => openSpillFiles() });
    statement = await settleFilesStreamed(settlement, options.files.map((file) => openFile(file, progress)));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    progress?.done();
    io.err(`${error.message}:`);
    for (const issue of error.issues) io.err(`  ${describeIssue(issue)}`);
    return EXIT.problems;
  }
  progress?.done();
  try {
    await writeStatement(statement, options.format, presentationIn(catalog, statement), options.out, io);
  } finally {
    statement.discrepancies.close();
  }
  return EXIT.ok;
}

/**
 * Writes the statement as a stream — to --out, or to stdout when the command line has one —
 * its discrepancies read back one at a time, so a month with millions of them is written in
 * flat memory; without either (a test's io), collected and printed.
 */
async function writeStatement(statement: StreamedStatement, format: OutputFormat, presentation: StatementPresentation | undefined, out: string | undefined, io: CliIo): Promise<void> {
  if (out === undefined) {
    if (format === 'xlsx') throw new Error('unreachable: --format xlsx is written to --out');
    if (io.outStream !== undefined) {
      await writePieces(io.outStream, pieces(statement, format, presentation), { end: false });
      return;
    }
    io.out([...pieces(statement, format, presentation)].join('').replace(/\n$/, ''));
    return;
  }
  const file = createWriteStream(out);
  try {
    if (format === 'xlsx') {
      await writeStatementXlsx(statement, file, presentation);
      await finished(file);
    } else {
      await writePieces(file, pieces(statement, format, presentation), { end: true });
    }
  } catch (error) {
    file.destroy();
    throw fileFault(error, '--out', out);
  }
}

/** The statement's text in a format, piece by piece (JSON indented as people read it, ending with a newline). */
function pieces(statement: StreamedStatement, format: Exclude<OutputFormat, 'xlsx'>, presentation: StatementPresentation | undefined): Iterable<string> {
  if (format === 'csv') return statementCsvLines(statement);
  if (format === 'html') return statementHtmlLines(statement, presentation);
  return (function* json() {
    yield* statementJsonPieces(statement, 2);
    yield '\n';
  })();
}

interface InputFile {
  /** The option that named it: --transactions, --external or --claimed. */
  readonly role: string;
  readonly path: string;
  readonly format: SettlementFileFormat;
}

function readOptions(args: readonly string[], cwd: string) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      transactions: { type: 'string' },
      external: { type: 'string' },
      claimed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      agreement: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      rules: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  if (values.transactions === undefined) throw new Error('--transactions is required');
  if (values.from === undefined || values.to === undefined) throw new Error('--from and --to are required');
  const format = values.format as OutputFormat;
  if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  if (format === 'xlsx' && values.out === undefined) throw new Error('--format xlsx writes a workbook: name it with --out <file.xlsx>');
  const named: readonly (readonly [string, string | undefined])[] = [
    ['--transactions', values.transactions],
    ['--external', values.external],
    ['--claimed', values.claimed],
  ];
  const files = named.flatMap(([role, file]): InputFile[] => (file === undefined ? [] : [{ role, path: path.resolve(cwd, file), format: fileFormat(file) }]));
  return {
    files,
    from: values.from,
    to: values.to,
    agreement: values.agreement,
    format,
    out: values.out === undefined ? undefined : path.resolve(cwd, values.out),
    rulesDir: path.resolve(cwd, values.rules ?? process.env['SUANPAN_RULES_DIR'] ?? path.join(__dirname, '..', '..', 'rules')),
    noProgress: values['no-progress'] === true,
  };
}

function fileFormat(file: string): SettlementFileFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw new Error(`${file}: use a .csv, .ndjson or .jsonl file`);
}

function totalBytes(files: readonly InputFile[]): number | undefined {
  try {
    return files.reduce((total, file) => total + statSync(file.path).size, 0);
  } catch {
    return undefined;
  }
}

function openFile(file: InputFile, progress: ProgressLine | undefined): SettlementFile {
  const source = path.basename(file.path);
  const raw = createReadStream(file.path);
  let stream: Readable = raw;
  if (progress !== undefined) {
    let seen = 0;
    const counter = countBytes((total) => {
      progress.add(total - seen);
      seen = total;
    });
    raw.on('error', (error) => counter.destroy(error));
    stream = raw.pipe(counter);
  }
  return { stream, format: file.format, source };
}

/** One issue as a line of the terminal: file and row or pointer, transaction, what is wrong. */
export function describeIssue(issue: SettlementIssue): string {
  const where = issue.source === undefined ? issue.pointer : `${issue.source} ${issue.pointer}`;
  return `${where}${issue.code === undefined ? '' : ` [${issue.code}]`}: ${issue.detail}`;
}

/** A progress line rewritten in place at most ~10 times a second: bytes read, share of the input, rate. */
export class ProgressLine {
  private bytes = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number | undefined,
  ) {}

  add(bytes: number): void {
    this.bytes += bytes;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.sink.write(`\r${formatProgress(this.bytes, this.total, now - this.started)}`);
  }

  done(): void {
    if (this.lastDraw > 0) this.sink.write(`\r${formatProgress(this.bytes, this.total, Date.now() - this.started)}\n`);
  }
}

/** e.g. "settling: 41.2 MB of 80.0 MB (51 %), 12.3 MB/s" */
export function formatProgress(bytes: number, total: number | undefined, elapsedMs: number): string {
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  const share = total === undefined || total === 0 ? '' : ` of ${mb(total)} (${Math.min(100, Math.floor((bytes / total) * 100))} %)`;
  const rate = elapsedMs > 0 ? `, ${mb((bytes / elapsedMs) * 1000)}/s` : '';
  return `settling: ${mb(bytes)}${share}${rate}`;
}
