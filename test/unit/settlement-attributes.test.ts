import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import { wireStatement, type SettlementIssue } from '../../src/domain/settlement';
import { settleFiles, type SettlementFileFormat } from '../../src/io/read-settlement-file';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { vocabularyFixture } from '../support/vocabulary-fixture';

/**
 * A settlement reads the buyer and order attributes and the coupon its agreement declares —
 * from JSON, CSV columns and NDJSON keys alike — and refuses what it does not declare, as a
 * quote does. The made-up agreement of the vocabulary fixture declares a boolean buyer
 * attribute (publicSchool), a string and an enum order attribute (agent, region) and a coupon.
 */
const fixture = vocabularyFixture();
afterAll(() => fixture.cleanup());
const catalog = RuleCatalog.load(fixture.dir);
const PERIOD = { from: '2026-03-01', to: '2026-03-31' };

const request: SettlementRequest = {
  agreement: 'school-supplies',
  period: PERIOD,
  transactions: [
    { id: 'S1', date: '2026-03-02', channel: 'school', buyer: { id: 'SCH-1', publicSchool: true }, attributes: { agent: 'AG-7', region: 'north' }, coupon: 'BACK2SCHOOL', lines: [{ sku: 'B-1', quantity: 5 }, { sku: 'N-1', quantity: 20 }] },
    { id: 'S2', date: '2026-03-09', channel: 'school', buyer: { id: 'SCH-2', publicSchool: false }, attributes: { agent: 'AG-8' }, lines: [{ sku: 'P-1', quantity: 40 }] },
  ],
};

const HEADER = 'transaction,date,channel,buyer,publicSchool,agent,region,coupon,sku,quantity';
const ROWS = ['S1,2026-03-02,school,SCH-1,true,AG-7,north,BACK2SCHOOL,B-1,5', 'S1,2026-03-02,school,SCH-1,true,AG-7,north,BACK2SCHOOL,N-1,20', 'S2,2026-03-09,school,SCH-2,,AG-8,,,P-1,40'];

async function settleText(text: string, format: SettlementFileFormat = 'csv'): Promise<unknown> {
  try {
    return wireStatement(await settleFiles(openSettlement(catalog, 'school-supplies', PERIOD), [{ stream: Readable.from([text]), format }]));
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, issues: error.issues };
    throw error;
  }
}

function problemsOf(outcome: unknown): { pointer: string; code: string | undefined }[] {
  const issues = (outcome as { issues?: readonly SettlementIssue[] }).issues;
  if (issues === undefined) throw new Error(`settled, not refused: ${JSON.stringify(outcome)}`);
  return issues.map((issue) => ({ pointer: issue.pointer, code: issue.code }));
}

describe('declared attributes and coupons in a settlement', () => {
  let expected: string;
  beforeAll(async () => {
    expected = JSON.stringify(wireStatement(await calculateSettlement(catalog, request)));
  });

  it('the JSON request prices them: the coupon and the agent commission are in the statement', () => {
    const statement = JSON.parse(expected) as { commission: string; counts: { transactions: number } };
    // S1: 5 × 120.00 × 0.90 + 20 × 8.00 × 0.90 = 684.00, BACK2SCHOOL −30.00 → 654.00; commission 10 % capped at 100.00 an order → 65.40
    // S2: 40 × 2.50 = 100.00 (no public-school price) → commission 10.00; Σ 75.40
    expect(statement.commission).toBe('75.40');
  });

  it('CSV columns named as the attributes (or buyer.<name> / order.<name>) settle as the JSON request', async () => {
    expect(JSON.stringify(await settleText([HEADER, ...ROWS].join('\n')))).toBe(expected);
    const prefixed = HEADER.replace('publicSchool', 'buyer.publicSchool').replace('region', 'ORDER.region');
    expect(JSON.stringify(await settleText([prefixed, ...ROWS].join('\n')))).toBe(expected);
  });

  it('NDJSON keys settle as the JSON request; a key the agreement does not declare is refused', async () => {
    const columns = HEADER.split(',');
    const records = ROWS.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [columns[i]!, cell]).filter(([, cell]) => cell !== '')));
    records[2]!['order.agent'] = records[2]!['agent']!;
    delete records[2]!['agent'];
    expect(JSON.stringify(await settleText(records.map((record) => JSON.stringify(record)).join('\n'), 'ndjson'))).toBe(expected);
    records[0]!['colour'] = 'red';
    expect(problemsOf(await settleText(records.map((record) => JSON.stringify(record)).join('\n'), 'ndjson'))).toEqual([{ pointer: '/rows/1/colour', code: 'UNKNOWN_FIELD' }]);
  });

  it('a JSON transaction with an attribute or a coupon the agreement does not declare, or of another type, is refused naming each', async () => {
    const bad: SettlementRequest = {
      ...request,
      transactions: [{ ...request.transactions[0]!, buyer: { id: 'SCH-1', publicSchool: 'yes', vip: true }, attributes: { agent: 'AG-7', region: 'east', colour: 'red' }, coupon: 'NOPE' }],
    };
    const refused = await calculateSettlement(catalog, bad).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(problemsOf(refused)).toEqual([
      { pointer: '/transactions/0/buyer/publicSchool', code: 'INVALID_ATTRIBUTE' },
      { pointer: '/transactions/0/buyer/vip', code: 'INVALID_ATTRIBUTE' },
      { pointer: '/transactions/0/attributes/region', code: 'INVALID_ATTRIBUTE' },
      { pointer: '/transactions/0/attributes/colour', code: 'INVALID_ATTRIBUTE' },
      { pointer: '/transactions/0/coupon', code: 'UNKNOWN_COUPON' },
    ]);
  });

  it('CSV cells of the wrong type, an unknown coupon and rows of one transaction that disagree are refused at their cells', async () => {
    const rows = [
      'S1,2026-03-02,school,SCH-1,maybe,AG-7,east,BACK2SCHOOL,B-1,5',
      'S1,2026-03-02,school,SCH-1,maybe,AG-9,east,BACK2SCHOOL,N-1,20',
      'S2,2026-03-09,school,SCH-2,,AG-8,,NOPE,P-1,40',
    ];
    const problems = problemsOf(await settleText([HEADER, ...rows].join('\n')));
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: '/rows/2/publicSchool', code: 'INVALID_FLAG' },
        { pointer: '/rows/2/region', code: 'INVALID_ATTRIBUTE' },
        { pointer: '/rows/3/agent', code: 'ROWS_DISAGREE' },
        { pointer: '/rows/4/coupon', code: 'UNKNOWN_COUPON' },
      ]),
    );
  });

  it('a CSV header with a column the agreement does not declare is refused, naming it and the columns it may have', async () => {
    const outcome = await settleText([`${HEADER},colour`, `${ROWS[0]},red`].join('\n'));
    expect(problemsOf(outcome)).toEqual([{ pointer: '/rows/1', code: 'INVALID_HEADER' }]);
    const detail = (outcome as { issues: SettlementIssue[] }).issues[0]!.detail;
    expect(detail).toContain('unknown column(s) colour');
    expect(detail).toContain('publicSchool,agent,region');
  });

  it('CSV claims name the figures this agreement can reconcile (here commission and compensation), not another agreement\'s', async () => {
    const claimed = await settleText([HEADER, ...ROWS, '', 'figure,claimed', 'commission,75.00'].join('\n'));
    expect((claimed as { reconciliation: unknown }).reconciliation).toEqual([{ figure: 'commission', claimed: '75.00', computed: '75.40', difference: '-0.40' }]);
    const unknown = await settleText([HEADER, ...ROWS, '', 'figure,claimed', 'supplyPayable,75.00'].join('\n'));
    expect(problemsOf(unknown)).toEqual([{ pointer: '/rows/7/figure', code: 'UNKNOWN_FIGURE' }]);
    expect((unknown as { issues: SettlementIssue[] }).issues[0]!.detail).toContain('not one of commission, compensation, rebates/<buyer>');
  });
});
