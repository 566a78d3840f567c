import path from 'node:path';
import { loadApiContract } from '../http/api-contract';
import { diffVersions, resolveVersion, type FigureChange, type VersionDiff } from '../rules/diff-versions';
import { lintRulesDir } from '../rules/lint-rules-dir';
import { RuleCatalog } from '../rules/rule-catalog';
import { formatRuleProblem, RulesetError } from '../rules/ruleset-error';
import { runAllGoldenCases } from '../rules/validate-rules';
import type { CliIo } from './main';
import { readOrdersFile } from './read-orders';

const USAGE = `usage:
  suanpan rules lint [dir] [--update-lock] [--json]   schema, semantics, lock, tiers, dead rules, price-guarantee floor
  suanpan rules test [dir]                            run the golden cases (rules/<agreement>/cases/*.json)
  suanpan rules diff <versionA> <versionB> --orders <orders.json|orders.csv> [--dir dir] [--json]
        versions: <agreement>/<effectiveFrom>, <effectiveFrom> or a rulesetVersion hash
dir defaults to ./rules`;

/** `suanpan rules lint|test|diff`: exit 0 when all is well, 1 on problems, 2 on bad usage. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(rest, sub === 'diff' ? ['--orders', '--dir'] : [], ['--update-lock', '--json']);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
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
      return 2;
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
  return path.resolve(io.cwd ?? process.cwd(), given ?? 'rules');
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
  if (catalog === undefined) return 1;
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
  const catalog = loadOrReport(rulesDir(args.options.get('--dir'), io), io);
  if (catalog === undefined) return 1;
  let result: VersionDiff;
  try {
    const from = resolveVersion(catalog, args.positional[0]!);
    const to = resolveVersion(catalog, args.positional[1]!, from.version.agreement, '/to');
    result = await diffVersions(from, to, readOrdersFile(path.resolve(io.cwd ?? process.cwd(), orders), loadApiContract()));
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
  io.out(args.flags.has('--json') ? JSON.stringify(result, null, 2) : formatDiff(result));
  return 0;
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
  return 2;
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
