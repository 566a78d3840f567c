import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliIo } from '../../src/cli/main';
import { vocabularyFixture } from '../support/vocabulary-fixture';

/**
 * `rules diff --orders file.csv` reads a column per attribute the agreement declares (named as
 * in a settlement file) and a coupon column, typed by the declaration; a column it does not
 * declare is refused, naming the columns it may have. The made-up agreement of the vocabulary
 * fixture declares publicSchool (buyer, boolean), agent and region (order) and a coupon.
 */
const fixture = vocabularyFixture();
afterAll(() => fixture.cleanup());

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), cwd: fixture.dir };
  return { code: await runCli(args, io), out: out.join('\n'), err };
}

function ordersCsv(name: string, lines: string[]): string {
  const file = path.join(fixture.dir, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}

describe('rules diff --orders with a CSV of the agreement\'s own columns', () => {
  it('prices each order with its attributes and coupon, the same as the JSON orders', async () => {
    const csv = ordersCsv('orders.csv', [
      'order,channel,date,buyer,publicSchool,order.agent,region,coupon,sku,quantity',
      'O1,school,2026-03-02,SCH-1,true,AG-7,north,BACK2SCHOOL,B-1,5',
      'O1,school,2026-03-02,SCH-1,true,AG-7,north,BACK2SCHOOL,N-1,20',
      'O2,school,2026-03-09,SCH-2,,AG-8,,,P-1,40',
    ]);
    const json = path.join(fixture.dir, 'orders.json');
    writeFileSync(
      json,
      JSON.stringify([
        { id: 'O1', channel: 'school', date: '2026-03-02', buyer: { id: 'SCH-1', publicSchool: true }, attributes: { agent: 'AG-7', region: 'north' }, coupon: 'BACK2SCHOOL', lines: [{ sku: 'B-1', quantity: 5 }, { sku: 'N-1', quantity: 20 }] },
        { id: 'O2', channel: 'school', date: '2026-03-09', buyer: { id: 'SCH-2', publicSchool: false }, attributes: { agent: 'AG-8' }, lines: [{ sku: 'P-1', quantity: 40 }] },
      ]),
    );
    const fromCsv = await cli(['rules', 'diff', '2026-01-01', '2026-01-01', '--orders', csv, '--dir', fixture.dir, '--json']);
    expect({ code: fromCsv.code, err: fromCsv.err }).toEqual({ code: 0, err: [] });
    const fromJson = await cli(['rules', 'diff', '2026-01-01', '2026-01-01', '--orders', json, '--dir', fixture.dir, '--json']);
    expect(JSON.parse(fromCsv.out)).toEqual(JSON.parse(fromJson.out));
    // 654.00 + 100.00 net; commission 65.40 + 10.00 to the agents (docs: the fixture's terms)
    expect(JSON.parse(fromCsv.out)).toMatchObject({ totals: { orders: 2, failed: 0, from: { net: '754.00', commission: '75.40' } } });
  });

  it('refuses a column the agreement does not declare, naming the columns it may have', async () => {
    const csv = ordersCsv('orders-bad.csv', ['order,channel,buyer,colour,sku,quantity', 'O1,school,SCH-1,red,P-1,40']);
    const { code, err } = await cli(['rules', 'diff', '2026-01-01', '2026-01-01', '--orders', csv, '--dir', fixture.dir]);
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`${csv}: unknown CSV column(s) colour; the columns are order,channel,date,buyer,sku,quantity,coupon,publicSchool,agent,region`);
  });
});
