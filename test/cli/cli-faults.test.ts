import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT } from '../../src/cli/cli-fault';
import { runCli, type CliIo } from '../../src/cli/main';
import { addRenamedAgreement, rulesWithOnly } from '../support/agreement-fixture';
import { FIXTURES_DIR, expectWorkedExample } from '../support/settlement-fixtures';
import { RULES_DIR } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const TX = path.join(FIXTURES_DIR, 'worked-example-transactions.csv');
const EXT = path.join(FIXTURES_DIR, 'worked-example-external.csv');
const PERIOD = ['--from', '2026-11-01', '--to', '2026-11-30'];
const ORDERS = path.join(ROOT, 'examples/orders.json');
/** The agreement whose worked examples these tests price, and the renamed copy the fixture adds. */
const CHAMBER = 'chamber-baiyikang';
const SECOND = 'second-agreement';

async function cli(argv: readonly string[], cwd = ROOT): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(...t.split('\n')), cwd };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err };
}

describe('help', () => {
  it.each([[['--help']], [['-h']], [['help']], [['help', 'settle']], [['settle', '--help']], [['rules', '--help']], [['rules', 'lint', '--help']], [['rules', 'diff', '-h']]])('suanpan %j prints the usage on stdout and exits 0', async (argv) => {
    const { code, out, err } = await cli(argv);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toMatch(/^usage:\s+suanpan/);
    expect(out).toContain('exit codes: 0 done, 1 the input or the rules have problems');
  });

  it('without a command exits 2 with the usage on stderr', async () => {
    const { code, out, err } = await cli([]);
    expect(code).toBe(EXIT.usage);
    expect(out).toBe('');
    expect(err[0]).toBe('no command given');
  });
});

describe('files that cannot be read or written: one line, exit 3', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'suanpan-cli-faults-'));
    writeFileSync(path.join(work, 'plain-file'), 'x');
    mkdirSync(path.join(work, 'dir.csv'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ['a missing --transactions file', () => ['settle', '--transactions', 'nope.csv', ...PERIOD], () => `suanpan: --transactions ${path.join(work, 'nope.csv')}: no such file or directory`],
    ['a missing --external file', () => ['settle', '--transactions', TX, '--external', 'gone.csv', ...PERIOD], () => `suanpan: --external ${path.join(work, 'gone.csv')}: no such file or directory`],
    ['a directory given as input', () => ['settle', '--transactions', TX, '--claimed', 'dir.csv', ...PERIOD], () => `suanpan: --claimed ${path.join(work, 'dir.csv')}: is a directory`],
    ['--out in a missing folder', () => ['settle', '--transactions', TX, ...PERIOD, '--out', 'no/such/folder/s.json'], () => `suanpan: --out ${path.join(work, 'no/such/folder/s.json')}: no such file or directory`],
    ['--out naming a directory', () => ['settle', '--transactions', TX, ...PERIOD, '--out', '.'], () => `suanpan: --out ${work}: is a directory`],
    ['--rules missing', () => ['settle', '--transactions', TX, ...PERIOD, '--rules', 'no-rules'], () => `suanpan: --rules ${path.join(work, 'no-rules')}: no such file or directory`],
    ['--rules naming a file', () => ['settle', '--transactions', TX, ...PERIOD, '--rules', 'plain-file'], () => `suanpan: --rules ${path.join(work, 'plain-file')}: not a rules directory (one holds schema/ and a folder per agreement)`],
    ['rules lint without ./rules', () => ['rules', 'lint'], () => `suanpan: the rules directory (default ./rules) ${path.join(work, 'rules')}: no such file or directory`],
    ['rules test of a missing directory', () => ['rules', 'test', 'elsewhere'], () => `suanpan: the rules directory ${path.join(work, 'elsewhere')}: no such file or directory`],
    ['rules diff with a missing --orders file', () => ['rules', 'diff', '2026-01-01', '2027-01-01', '--orders', 'orders.json', '--dir', path.join(ROOT, 'rules')], () => `suanpan: --orders ${path.join(work, 'orders.json')}: no such file or directory`],
  ])('%s', async (_what, argv, message) => {
    const { code, out, err } = await cli(argv(), work);
    expect({ code, out, err }).toEqual({ code: EXIT.files, out: '', err: [message()] });
  });
});

describe('many agreements: the CLI infers the one that fits, or says which to name', () => {
  // exactly two agreements, whatever the bundle holds: the chamber's and a renamed copy of it
  let rules: ReturnType<typeof rulesWithOnly>;
  beforeAll(() => {
    rules = rulesWithOnly(RULES_DIR, CHAMBER);
    addRenamedAgreement(rules.dir, CHAMBER, SECOND);
  });
  afterAll(() => rules.cleanup());

  it('settle: asks for --agreement, listing the agreements found', async () => {
    const { code, err } = await cli(['settle', '--transactions', TX, ...PERIOD, '--rules', rules.dir]);
    expect({ code, err }).toEqual({ code: EXIT.usage, err: [`suanpan: name the agreement with --agreement <id>: the rules in ${rules.dir} hold ${CHAMBER}, ${SECOND}`] });
  });

  it('settle: settles under the agreement named', async () => {
    const { code, out, err } = await cli(['settle', '--transactions', TX, '--external', EXT, ...PERIOD, '--rules', rules.dir, '--agreement', SECOND, '--no-progress']);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const statement = JSON.parse(out);
    expect(statement.agreement).toBe(SECOND);
    expectWorkedExample(statement);
  });

  it('settle: refuses an agreement that is not in the rules, listing those that are', async () => {
    const { code, err } = await cli(['settle', '--transactions', TX, ...PERIOD, '--rules', rules.dir, '--agreement', 'nobody']);
    expect({ code, err }).toEqual({ code: EXIT.usage, err: [`suanpan: --agreement nobody: no such agreement; the rules in ${rules.dir} hold ${CHAMBER}, ${SECOND}`] });
  });

  it('settle: with one agreement in the rules, --agreement may be left out', async () => {
    const one = rulesWithOnly(RULES_DIR, CHAMBER);
    try {
      const { code, out, err } = await cli(['settle', '--transactions', TX, '--external', EXT, ...PERIOD, '--rules', one.dir, '--no-progress']);
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expectWorkedExample(JSON.parse(out));
    } finally {
      one.cleanup();
    }
  });

  it('rules diff: a version two agreements have is ambiguous; the message says how to name it', async () => {
    const { code, err } = await cli(['rules', 'diff', '2026-01-01', '2027-01-01', '--orders', ORDERS, '--dir', rules.dir]);
    expect({ code, err }).toEqual({ code: EXIT.usage, err: [`suanpan: 2026-01-01 is a version of several agreements (${CHAMBER}, ${SECOND}): name one with --agreement <id> or write <agreement>/2026-01-01`] });
  });

  it.each([
    ['--agreement', ['2026-01-01', '2027-01-01', '--agreement', SECOND], ORDERS],
    ['<agreement>/<effectiveFrom>', [`${SECOND}/2026-01-01`, '2027-01-01'], ORDERS],
    ["the orders' agreement member", ['2026-01-01', '2027-01-01'], 'named'],
  ])('rules diff: the agreement from %s', async (_how, refs, orders) => {
    let ordersFile = orders;
    if (orders === 'named') {
      ordersFile = path.join(rules.dir, 'orders-named.json');
      const list = JSON.parse(readFileSync(ORDERS, 'utf8')) as object[];
      writeFileSync(ordersFile, JSON.stringify(list.map((order) => ({ ...order, agreement: SECOND }))));
    }
    const { code, out, err } = await cli(['rules', 'diff', ...refs, '--orders', ordersFile, '--dir', rules.dir, '--json']);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(out)).toMatchObject({ agreement: SECOND, totals: { change: { net: '-439.02' } } });
  });

  it('rules diff: orders naming an agreement that is not loaded are refused', async () => {
    const ordersFile = path.join(rules.dir, 'orders-unknown.json');
    writeFileSync(ordersFile, JSON.stringify([{ agreement: 'nobody', channel: 'group-buy', buyer: { id: 'X' }, lines: [{ sku: 'BYK-H01', quantity: 1 }] }]));
    const { code, err } = await cli(['rules', 'diff', '2026-01-01', '2027-01-01', '--orders', ordersFile, '--dir', rules.dir]);
    expect({ code, err }).toEqual({ code: EXIT.usage, err: [`suanpan: the input names agreement nobody, which is not loaded; the rules in ${rules.dir} hold ${CHAMBER}, ${SECOND}`] });
  });
});
