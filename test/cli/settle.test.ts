import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { runCli, type CliIo } from '../../src/cli/main';
import { formatProgress, run } from '../../src/cli/settle';
import { FIXTURES_DIR, WORKED_EXAMPLE, expectWorkedExample } from '../support/settlement-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const TX = path.join(FIXTURES_DIR, 'worked-example-transactions.csv');
const EXT = path.join(FIXTURES_DIR, 'worked-example-external.csv');
/** The worked example's agreement and period. */
const PERIOD = ['--agreement', 'chamber-baiyikang', '--from', '2026-11-01', '--to', '2026-11-30'];

function captureIo(cwd?: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text), ...(cwd === undefined ? {} : { cwd }) };
}

describe('suanpan settle (in process)', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'suanpan-settle-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('settles the worked example from two CSV files, as JSON on stdout', async () => {
    const io = captureIo();
    expect(await runCli(['settle', '--transactions', TX, '--external', EXT, ...PERIOD, '--no-progress'], io)).toBe(0);
    expect(io.stderr).toEqual([]);
    expectWorkedExample(JSON.parse(io.stdout.join('\n')));
  });

  it('writes the CSV statement to --out, paths relative to the working directory', async () => {
    writeFileSync(path.join(work, 'claims.csv'), 'figure,claimed\ncommission,32578.27\ncompensation,0.00\n');
    const io = captureIo(work);
    expect(await run(['--transactions', TX, '--external', EXT, '--claimed', 'claims.csv', ...PERIOD, '--format', 'csv', '--out', 'statement.csv'], io, undefined)).toBe(0);
    const csv = readFileSync(path.join(work, 'statement.csv'), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(`\r\ncommission,${WORKED_EXAMPLE.commission},`);
    expect(csv).toContain('\r\ncompensation,0.00,1932.00,-1932.00\r\n');
  });

  it('reads NDJSON and prints HTML', async () => {
    const io = captureIo();
    expect(await run(['--transactions', path.join(FIXTURES_DIR, 'worked-example.ndjson'), ...PERIOD, '--format', 'html'], io, undefined)).toBe(0);
    expect(io.stdout.join('\n')).toContain('<td class="number">-¥1,428.86</td>');
  });

  it('writes an .xlsx workbook to --out (and asks for --out without it)', async () => {
    const io = captureIo(work);
    expect(await run(['--transactions', TX, '--external', EXT, ...PERIOD, '--format', 'xlsx', '--out', 'statement.xlsx'], io, undefined)).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(work, 'statement.xlsx'));
    const amounts: Record<string, string> = {};
    workbook.getWorksheet('汇总')!.eachRow((row, index) => {
      if (index > 2) amounts[row.getCell(1).value as string] = (row.getCell(2).value as number).toFixed(2);
    });
    expect(amounts).toMatchObject({ commission: WORKED_EXAMPLE.commission, chamberPaysSupplier: WORKED_EXAMPLE.chamberPaysSupplier });
    const noOut = captureIo(work);
    expect(await run(['--transactions', TX, ...PERIOD, '--format', 'xlsx'], noOut, undefined)).toBe(2);
    expect(noOut.stderr.join('\n')).toContain('--format xlsx writes a workbook: name it with --out <file.xlsx>');
  });

  it('lists every problem with its file, row and transaction, and exits 1', async () => {
    const bad = path.join(work, 'bad.csv');
    writeFileSync(bad, 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice\nT1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-H01,3,\nT2,2026-11-04,chamber-supply,CHAMBER,,,T1,BYK-H01,-4,\nT3,2026-11-05,chamber-supply,CHAMBER,,,,BYK-H99,1,\n');
    const io = captureIo();
    expect(await run(['--transactions', bad, ...PERIOD], io, undefined)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      '2 problem(s) in the settlement input:',
      '  bad.csv /rows/3/quantity [RETURN_EXCEEDS_SALE]: transaction T2: returns 4 × BYK-H01 but only 3 of the sale T1 are left to return',
      '  bad.csv /rows/4/sku [UNKNOWN_SKU]: transaction T3: SKU "BYK-H99" is not in the catalog of chamber-baiyikang',
    ]);
  });

  it.each([
    ['no period', ['--transactions', TX], '--from and --to are required'],
    ['a spreadsheet file', ['--transactions', 'tx.xlsx', ...PERIOD], 'use a .csv, .ndjson or .jsonl file'],
    ['an unknown format', ['--transactions', TX, ...PERIOD, '--format', 'pdf'], '--format must be one of json, csv, html, xlsx'],
    ['an unknown option', ['--transactions', TX, ...PERIOD, '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on bad usage: %s', async (_what, args, message) => {
    const io = captureIo();
    expect(await run(args, io, undefined)).toBe(2);
    expect(io.stderr.join('\n')).toContain(message);
  });

  it('shows progress on a terminal: bytes read out of the total, ending at 100 %', async () => {
    const written: string[] = [];
    const io = captureIo();
    expect(await run(['--transactions', TX, '--external', EXT, ...PERIOD], io, { write: (text) => written.push(text) })).toBe(0);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.every((text) => text.startsWith('\rsettling: '))).toBe(true);
    expect(written[written.length - 1]).toMatch(/\(100 %\).*\n$/);
  });

  it('formats progress', () => {
    expect(formatProgress(41_200_000, 80_000_000, 2000)).toBe('settling: 41.2 MB of 80.0 MB (51 %), 20.6 MB/s');
    expect(formatProgress(1_000_000, undefined, 0)).toBe('settling: 1.0 MB');
  });
});

describe('npx suanpan settle (compiled, spawned)', () => {
  let build: string;
  beforeAll(() => {
    // A private build so this test works from a fresh clone and never races another test over dist/.
    build = mkdtempSync(path.join(tmpdir(), 'suanpan-build-'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(build, 'dist')], { stdio: 'pipe' });
    mkdirSync(path.join(build, 'bin'));
    copyFileSync(path.join(ROOT, 'bin/suanpan.js'), path.join(build, 'bin/suanpan.js'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
    symlinkSync(path.join(ROOT, 'rules'), path.join(build, 'rules'));
  }, 120_000);
  afterAll(() => rmSync(build, { recursive: true, force: true }));

  it('bin/suanpan.js dispatches to the settle command', () => {
    const result = spawnSync(process.execPath, [path.join(build, 'bin/suanpan.js'), 'settle', '--transactions', TX, '--external', EXT, ...PERIOD], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expectWorkedExample(JSON.parse(result.stdout));
    // streamed to stdout piece by piece, it is the statement as JSON.stringify indents it
    expect(result.stdout).toBe(`${JSON.stringify(JSON.parse(result.stdout), null, 2)}\n`);
  });

  it('writes to --out, streamed, the bytes it prints on stdout (JSON, CSV, HTML)', () => {
    for (const format of ['json', 'csv', 'html']) {
      const out = path.join(build, `statement.${format}`);
      const args = [path.join(build, 'bin/suanpan.js'), 'settle', '--transactions', TX, '--external', EXT, ...PERIOD, '--format', format];
      const printed = spawnSync(process.execPath, args, { encoding: 'utf8' });
      expect(spawnSync(process.execPath, [...args, '--out', out], { encoding: 'utf8' }).status).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    }
  });

  it('--help prints the usage on stdout and exits 0', () => {
    for (const args of [['--help'], ['settle', '--help']]) {
      const result = spawnSync(process.execPath, [path.join(build, 'bin/suanpan.js'), ...args], { encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: suanpan/);
    }
  });

  it('a missing input file, --out folder or --rules directory: one line, no stack, exit 3', () => {
    const cases = [
      [['--transactions', 'nope.csv', ...PERIOD], `suanpan: --transactions ${path.join(build, 'nope.csv')}: no such file or directory\n`],
      [['--transactions', TX, ...PERIOD, '--out', 'missing/s.json'], `suanpan: --out ${path.join(build, 'missing/s.json')}: no such file or directory\n`],
      [['--transactions', TX, ...PERIOD, '--rules', 'missing-rules'], `suanpan: --rules ${path.join(build, 'missing-rules')}: no such file or directory\n`],
    ] as const;
    for (const [args, message] of cases) {
      const result = spawnSync(process.execPath, [path.join(build, 'bin/suanpan.js'), 'settle', ...args], { encoding: 'utf8', cwd: build });
      expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 3, stderr: message, stdout: '' });
    }
  });

  it('without a command it prints the usage and exits 2', () => {
    const result = spawnSync(process.execPath, [path.join(build, 'bin/suanpan.js')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('settle');
  });
});
