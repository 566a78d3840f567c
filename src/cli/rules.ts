import path from 'node:path';
import { loadApiContract } from '../http/api-contract';
import { diffVersions, resolveVersion, type DiffOrderJson, type FigureChange, type VersionDiff } from '../rules/diff-versions';
import { lintRulesDir } from '../rules/lint-rules-dir';
import { RuleCatalog, type RuleSet } from '../rules/rule-catalog';
import { formatRuleProblem, RulesetError } from '../rules/ruleset-error';
import { runAllGoldenCases } from '../rules/validate-rules';
import { chooseAgreement } from './choose-agreement';
import { assertReadableFile, assertRulesDir, CliFault, EXIT } from './cli-fault';
import { EXIT_CODES_TEXT, type CliIo } from './main';
import { agreementsNamed, diffOrdersOf, readOrdersFile, type OrdersFile } from './read-orders';

const USAGE = `usage:
  suanpan rules lint [dir] [--update-lock] [--json]   schema, semantics, lock, tiers, dead rules, price-guarantee floor
  suanpan rules test [dir]                            run the golden cases (rules/<agreement>/cases/*.json)
  suanpan rules diff <versionA> <versionB> --orders <orders.json|orders.csv> [--agreement id] [--dir dir] [--json]
        versions: <agreement>/<effectiveFrom>, <effectiveFrom> or a rulesetVersion hash; the agreement
        may be left out when only one fits (one agreement has that version, or the orders name one)
dir defaults to ./rules
--update-lock records new versions in rules.lock.json, only when nothing is wrong and each new
version has golden cases dated in it (rules/<agreement>/cases/*.json) that all pass
${EXIT_CODES_TEXT}`;

/** `suanpan rules lint|test|diff`: exit 0 when all is well, 1 on problems, 2 on bad usage. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const [sub, ...rest] = args;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(rest, sub === 'diff' ? ['--orders', '--dir', '--agreement'] : [], ['--update-lock', '--json']);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  switch (sub) {
    case 'lint':
      return lint(parsed, io);
    case 'test':
      return test(parsed, io);
    case 'diff':
      return diff(parsed, io);
    default:
      io.err(USAGE);
      return EXIT.usage;
  }
}

interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string>;
  readonly flags: Set<string>;
}

function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      parsed.options.set(name, value);
    } else if (flags.includes(name)) {
      parsed.flags.add(name);
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      parsed.positional.push(arg);
    }
  }
  return parsed;
}

function rulesDir(given: string | undefined, io: CliIo): string {
  const dir = path.resolve(io.cwd ?? process.cwd(), given ?? 'rules');
  assertRulesDir(given === undefined ? 'the rules directory (default ./rules)' : 'the rules directory', dir);
  return dir;
}

async function lint(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positional.length > 1) return usage(io, 'lint takes at most one directory');
  const dir = rulesDir(args.positional[0], io);
  const report = await lintRulesDir(dir, { updateLock: args.flags.has('--update-lock') });
  if (args.flags.has('--json')) {
    io.out(JSON.stringify(report, null, 2));
    return report.errors.length > 0 ? 1 : 0;
  }
  io.out(`suanpan rules lint ${dir}: ${report.versions.map((v) => `${v.key} (${v.rulesetVersion})`).join(', ') || 'no version loaded'}; ${report.combinations} combinations checked`);
  for (const problem of report.errors) io.out(`error${formatRuleProblem(problem).slice(1)}`);
  for (const problem of report.warnings) io.out(`warning${formatRuleProblem(problem).slice(1)}`);
  for (const key of report.lockAdded) io.out(`recorded ${key} in rules.lock.json`);
  io.out(report.errors.length === 0 ? `ok: no errors, ${report.warnings.length} warning(s)` : `${report.errors.length} error(s), ${report.warnings.length} warning(s)`);
  return report.errors.length > 0 ? 1 : 0;
}

async function test(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positional.length > 1) return usage(io, 'test takes at most one directory');
  const dir = rulesDir(args.positional[0], io);
  const catalog = loadOrReport(dir, io);
  if (catalog === undefined) return EXIT.problems;
  const outcomes = await runAllGoldenCases(catalog, dir);
  let failed = 0;
  for (const { caseFile, differences } of outcomes) {
    if (differences.length === 0) {
      io.out(`✓ ${caseFile.file}  ${caseFile.goldenCase.name}`);
      continue;
    }
    failed += 1;
    io.out(`✗ ${caseFile.file}  ${caseFile.goldenCase.name}`);
    for (const difference of differences) {
      io.out(`    ${difference.path === '' ? '(result)' : difference.path}`);
      io.out(`      expected ${JSON.stringify(difference.expected)}`);
      io.out(`      actual   ${JSON.stringify(difference.actual)}`);
    }
  }
  io.out(`${outcomes.length - failed} passed, ${failed} failed`);
  return failed > 0 || outcomes.length === 0 ? 1 : 0;
}

async function diff(args: ParsedArgs, io: CliIo): Promise<number> {
  const orders = args.options.get('--orders');
  if (args.positional.length !== 2 || orders === undefined) return usage(io, 'diff needs two versions and --orders <file>');
  const ordersFile = path.resolve(io.cwd ?? process.cwd(), orders);
  assertReadableFile('--orders', ordersFile);
  const catalog = loadOrReport(rulesDir(args.options.get('--dir'), io), io);
  if (catalog === undefined) return EXIT.problems;
  // every problem at once: the versions and the orders are both checked before answering
  const problems: string[] = [];
  const message = (error: unknown): string => `${ordersFile}: ${error instanceof Error ? error.message : String(error)}`;
  let read: OrdersFile | undefined;
  try {
    read = readOrdersFile(ordersFile);
  } catch (error) {
    problems.push(message(error));
  }
  let versions: [RuleSet, RuleSet] | undefined;
  try {
    const [refA, refB] = args.positional as [string, string];
    const agreement = diffAgreement(catalog, refA, { named: args.options.get('--agreement'), fromInput: read === undefined ? [] : agreementsNamed(read) });
    const from = resolveVersion(catalog, refA, agreement);
    versions = [from, resolveVersion(catalog, refB, from.version.agreement, '/to')];
  } catch (error) {
    if (error instanceof CliFault) throw error;
    problems.unshift(error instanceof Error ? error.message : String(error));
  }
  // the orders are checked whatever the versions: a CSV's attribute columns by the versions' declarations, when known
  let orderList: DiffOrderJson[] = [];
  if (read !== undefined) {
    try {
      orderList = diffOrdersOf(read, loadApiContract(), versions === undefined ? [] : versions.map((ruleSet) => ruleSet.version));
    } catch (error) {
      problems.push(message(error));
    }
  }
  if (versions === undefined || problems.length > 0) {
    for (const problem of problems) io.err(problem);
    return EXIT.problems;
  }
  let result: VersionDiff;
  try {
    result = await diffVersions(versions[0], versions[1], orderList);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return EXIT.problems;
  }
  io.out(args.flags.has('--json') ? JSON.stringify(result, null, 2) : formatDiff(result));
  return EXIT.ok;
}

/**
 * The agreement of a diff when the first version does not name it (`<agreement>/<effectiveFrom>`):
 * --agreement, else the one the orders name, else the only agreement that has that version
 * (undefined: resolveVersion then finds it, or says there is no such version). Several
 * candidates are a usage fault that lists them.
 */
function diffAgreement(catalog: RuleCatalog, ref: string, hints: { named: string | undefined; fromInput: readonly string[] }): string | undefined {
  if (ref.includes('/')) return undefined;
  if (hints.named !== undefined || hints.fromInput.length > 0) return chooseAgreement(catalog, hints);
  const having = catalog.agreementIds().filter((id) => catalog.versions(id).some(({ version }) => version.effectiveFrom === ref || version.rulesetVersion === ref));
  if (having.length > 1) throw new CliFault(`${ref} is a version of several agreements (${having.sort().join(', ')}): name one with --agreement <id> or write <agreement>/${ref}`, EXIT.usage);
  return undefined;
}

/** Loads a rules directory without the lock (drafts may be tested and diffed); reports problems. */
function loadOrReport(dir: string, io: CliIo): RuleCatalog | undefined {
  try {
    return RuleCatalog.load(dir, { lock: 'ignore' });
  } catch (error) {
    if (!(error instanceof RulesetError)) throw error;
    io.err(`rules refused:\n${error.problems.map(formatRuleProblem).join('\n')}`);
    return undefined;
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`${message}\n${USAGE}`);
  return EXIT.usage;
}

/** A diff as text: rules and terms changed, then a table per order, per SKU and in total. */
export function formatDiff(result: VersionDiff): string {
  const out: string[] = [
    `${result.agreement}: ${result.from.effectiveFrom} (${result.from.rulesetVersion}) → ${result.to.effectiveFrom} (${result.to.rulesetVersion})`,
    '',
    'Rules',
    ...(result.rules.added.length === 0 ? [] : [`  added    ${result.rules.added.join(', ')}`]),
    ...(result.rules.removed.length === 0 ? [] : [`  removed  ${result.rules.removed.join(', ')}`]),
    ...result.rules.changed.flatMap((rule) => [`  changed  ${rule.ruleId}`, ...rule.changes.map((c) => `      ${c.path}: ${show(c.from)} → ${show(c.to)}`)]),
    ...(result.rules.added.length + result.rules.removed.length + result.rules.changed.length === 0 ? ['  (no rule changed)'] : []),
    'Terms',
    ...(result.terms.length === 0 ? ['  (unchanged)'] : result.terms.map((c) => `  ${c.path}: ${show(c.from)} → ${show(c.to)}`)),
    '',
  ];
  const header = ['', 'net from', 'net to', 'Δ net', 'commission Δ', 'rebate Δ'];
  const row = (label: string, f: FigureChange): string[] => [label, f.from.net, f.to.net, signed(f.change.net), signed(f.change.commission), signed(f.change.rebate)];
  const orderRows = result.orders.map((order) => ('error' in order ? [order.id, `not priced: ${[order.error.from && `from ${order.error.from.code}`, order.error.to && `to ${order.error.to.code}`].filter(Boolean).join(', ')}`] : row(order.id, order)));
  out.push('Orders', ...table([['order', ...header.slice(1)], ...orderRows]), '');
  out.push('Per SKU', ...table([['sku', ...header.slice(1)], ...result.skus.map((sku) => row(`${sku.sku} ×${sku.quantity}`, sku))]), '');
  out.push(...table([row(`Total (${result.totals.orders - result.totals.failed} of ${result.totals.orders} orders)`, result.totals)]));
  return out.join('\n');
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, [...cell].length)), []);
  return rows.map((r) => `  ${r.map((cell, i) => (i === 0 || r.length < widths.length ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd());
}

function signed(amount: string): string {
  return amount.startsWith('-') || /^0\.0+$/.test(amount) ? amount : `+${amount}`;
}

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
