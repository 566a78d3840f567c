import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliIo } from '../../src/cli/main';
import { copyRules } from '../support/rules-fixture';
import { RULES_DIR } from '../support/test-app';

const EXAMPLES = path.resolve(__dirname, '../../examples');
/** The diffs below compare the chamber agreement's two versions (their figures are worked out by hand). */
const CHAMBER = ['--agreement', 'chamber-baiyikang'];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), cwd: path.resolve(__dirname, '../..') };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('suanpan rules lint', () => {
  it('exits 0 on the bundled rules (default dir ./rules)', async () => {
    const { code, out } = await cli('rules', 'lint');
    expect(code).toBe(0);
    expect(out).toContain('chamber-baiyikang/2027-01-01');
    expect(out).toMatch(/ok: no errors, 0 warning\(s\)$/);
  });

  it('exits 1 with file, rule id, reason and fix on each problem', async () => {
    const rules = copyRules();
    try {
      rules.edit('chamber-baiyikang/2027-01-01/rules/chamber-commission.json', (j) => void (j.event.params.rate = '1'));
      const { code, out } = await cli('rules', 'lint', rules.dir);
      expect(code).toBe(1);
      expect(out).toContain('error chamber-baiyikang/2027-01-01/rules/chamber-commission.json [rule chamber-commission]: rate 1 is out of range');
      expect(out).toContain('    fix: write the rate as a fraction');
      expect(out).toMatch(/1 error\(s\), 0 warning\(s\)$/);
    } finally {
      rules.cleanup();
    }
  });

  it('answers --json for CI', async () => {
    const { code, out } = await cli('rules', 'lint', RULES_DIR, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ errors: [], warnings: [], lockAdded: [] });
  });
});

describe('suanpan rules test', () => {
  it('runs every golden case and exits 0', async () => {
    const { code, out } = await cli('rules', 'test', RULES_DIR);
    expect(code).toBe(0);
    expect(out).toContain('✓ chamber-baiyikang/cases/example-1-chamber-supply.json');
    expect(out).toMatch(/\d+ passed, 0 failed$/);
  });

  it('shows the path, expected and actual value of each difference', async () => {
    const rules = copyRules();
    try {
      rules.edit('chamber-baiyikang/cases/member-direct.json', (j) => void (j.expect.totals.net = '849.31'));
      const { code, out } = await cli('rules', 'test', rules.dir);
      expect(code).toBe(1);
      expect(out).toContain('✗ chamber-baiyikang/cases/member-direct.json');
      expect(out).toContain('    totals.net\n      expected "849.31"\n      actual   "849.30"');
      expect(out).toMatch(/1 failed$/);
    } finally {
      rules.cleanup();
    }
  });
});

describe('suanpan rules diff', () => {
  it('reports per order, per SKU and in total, from a CSV or a JSON file alike', async () => {
    const csv = await cli('rules', 'diff', '2026-01-01', '2027-01-01', ...CHAMBER, '--orders', path.join(EXAMPLES, 'orders.csv'), '--json');
    const json = await cli('rules', 'diff', 'chamber-baiyikang/2026-01-01', 'chamber-baiyikang/2027-01-01', '--orders', path.join(EXAMPLES, 'orders.json'), '--json');
    expect(csv.code).toBe(0);
    expect(JSON.parse(csv.out)).toEqual(JSON.parse(json.out));
    const diff = JSON.parse(csv.out);
    // T3: 3 × 298 at 0.95 = 849.30 → at 0.92 = 822.48; commission 84.93 → 82.25
    expect(diff.orders[2]).toEqual({ id: 'T3', from: { net: '849.30', commission: '84.93', rebate: '0.00' }, to: { net: '822.48', commission: '82.25', rebate: '0.00' }, change: { net: '-26.82', commission: '-2.68', rebate: '0.00' } });
    // T4: 30 × 458 at 0.95 = 13053.00 → at 0.92 = 12640.80; commission 1305.30 → 1264.08
    expect(diff.skus.find((s: { sku: string }) => s.sku === 'BYK-M02')).toEqual({ sku: 'BYK-M02', quantity: 30, from: { net: '13053.00', commission: '1305.30', rebate: '0.00' }, to: { net: '12640.80', commission: '1264.08', rebate: '0.00' }, change: { net: '-412.20', commission: '-41.22', rebate: '0.00' } });
    expect(diff.totals.change).toEqual({ net: '-439.02', commission: '-43.90', rebate: '0.00' });
    expect(diff.rules).toEqual({ added: [], removed: [], changed: [{ ruleId: 'member-discount', changes: expect.arrayContaining([{ path: '/event/params/rate', from: '0.05', to: '0.08' }]) }] });
  });

  it('prints a readable table', async () => {
    const { code, out } = await cli('rules', 'diff', '2026-01-01', '2027-01-01', ...CHAMBER, '--orders', path.join(EXAMPLES, 'orders.json'));
    expect(code).toBe(0);
    expect(out).toContain('      /event/params/rate: "0.05" → "0.08"');
    expect(out).toMatch(/T3 +849\.30 +822\.48 +-26\.82 +-2\.68 +0\.00/);
  });

  it('refuses bad input with a message and a non-zero exit', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-orders-'));
    try {
      writeFileSync(path.join(dir, 'bad.csv'), 'order,channel,sku,quantity,colour\nA,group-buy,BYK-H01,1,red\n');
      writeFileSync(path.join(dir, 'bad.json'), JSON.stringify([{ channel: 'group-buy', buyer: { id: 'X' }, lines: [{ sku: 'BYK-H01', quantity: 0 }] }]));
      expect(await cli('rules', 'diff', '2026-01-01', '2027-01-01', ...CHAMBER, '--orders', path.join(dir, 'bad.csv'))).toMatchObject({ code: 1, err: expect.stringContaining('unknown CSV column(s) colour') });
      expect(await cli('rules', 'diff', '2026-01-01', '2027-01-01', ...CHAMBER, '--orders', path.join(dir, 'bad.json'))).toMatchObject({ code: 1, err: expect.stringContaining('order #1 /lines/0/quantity') });
      expect(await cli('rules', 'diff', '2025-01-01', '2027-01-01', ...CHAMBER, '--orders', path.join(dir, 'bad.json'))).toMatchObject({ code: 1, err: expect.stringContaining('no such version') });
      expect(await cli('rules', 'diff', '2026-01-01', '--orders', 'x.json')).toMatchObject({ code: 2 });
      expect(await cli('rules', 'lint', '--frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown option --frobnicate') });
      expect(await cli('nothing')).toMatchObject({ code: 2, err: expect.stringMatching(/^unknown command nothing\n[^]*\n  rules /) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
