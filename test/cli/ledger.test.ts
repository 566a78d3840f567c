import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type CliIo } from '../../src/cli/main';
import { FIXTURES_DIR } from '../support/settlement-fixtures';

function capture(cwd: string): CliIo & { readonly out_: string[]; readonly err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, cwd, out: (text) => out_.push(text), err: (text) => err_.push(text) };
}

describe('suanpan ledger', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-ledger-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const common = ['--data-dir', dir];

  it('migrates, loads a file, closes the month and lists its statement in one SQLite file', async () => {
    const migrate = capture(dir);
    expect(await runCli(['ledger', 'migrate', ...common], migrate)).toBe(0);
    expect(JSON.parse(migrate.out_[0]!)).toEqual({ backend: 'sqlite', applied: [] });

    const file = path.join(FIXTURES_DIR, 'worked-example-transactions.csv');
    const load = capture(dir);
    expect(await runCli(['ledger', 'load', '--agreement', 'chamber-baiyikang', file, ...common], load)).toBe(0);
    expect(JSON.parse(load.out_[0]!)).toMatchObject({ accepted: 5, unchanged: 0, periods: ['2026-11'] });

    const close = capture(dir);
    expect(await runCli(['ledger', 'close', '--agreement', 'chamber-baiyikang', '2026-11', ...common], close)).toBe(0);
    const closed = JSON.parse(close.out_.join('\n')) as { created: boolean; id: string; document: { statement: { commission: string } } };
    expect([closed.created, closed.id]).toEqual([true, 'chamber-baiyikang.2026-11']);

    const again = capture(dir);
    expect(await runCli(['ledger', 'load', '--agreement', 'chamber-baiyikang', file, ...common], again)).toBe(0);
    expect(JSON.parse(again.out_[0]!)).toMatchObject({ accepted: 0, unchanged: 5 });

    const list = capture(dir);
    expect(await runCli(['ledger', 'statements', ...common], list)).toBe(0);
    expect((JSON.parse(list.out_.join('\n')) as { statements: { id: string }[] }).statements.map((s) => s.id)).toEqual(['chamber-baiyikang.2026-11']);
  });

  it('exits 1 listing the problems of a refused load, 2 on bad usage', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'transaction,date,channel,buyer,sku,quantity\nX1,2026-12-01,nowhere,B,BYK-H01,1\n');
    const load = capture(dir);
    expect(await runCli(['ledger', 'load', '--agreement', 'chamber-baiyikang', bad, ...common], load)).toBe(1);
    expect(load.err_.join('\n')).toMatch(/INVALID_SETTLEMENT[\s\S]*\/rows\/2\/channel/);
    expect(await runCli(['ledger', 'close', '--agreement', 'chamber-baiyikang', '2026-13', ...common], capture(dir))).toBe(2);
  });
});
