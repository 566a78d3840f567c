import { periodsTable, programmesTable, type LedgerPeriods } from '../../src/console/client/ledger-tables';

// The periods contract with figures and programmes (the counts-only answer is tested in the
// browser against the real service): the rows the ledger page shows for it.
const withFigures: LedgerPeriods = {
  agreement: 'agreement-a',
  periods: [
    {
      period: '2026-10',
      state: 'closed',
      transactions: 12,
      returns: 1,
      adjustments: 0,
      closedAt: '2026-11-01T09:00:00.000Z',
      statementId: 'agreement-a.2026-10',
      figures: [
        { id: 'supplyPayable', label: { zh: '应付进货款', en: 'Supply payable' }, payer: 'partner', payee: 'supplier', amount: '1234567.80' },
        { id: 'commission', label: { zh: '提成', en: 'Commission' }, payer: 'supplier', payee: 'partner', amount: '-1000.05' },
        { id: 'net', label: { zh: '净额', en: 'Net' }, payer: 'partner', payee: 'supplier', amount: '1233567.75', net: true },
      ],
    },
    { period: '2026-11', state: 'open', transactions: 3, returns: 0, adjustments: 2, figuresProblem: { code: 'INVALID_SETTLEMENT', detail: 'a return exceeds its sale' } },
    {
      period: '2026-12',
      state: 'open',
      transactions: 1,
      returns: 0,
      adjustments: 0,
      figures: [
        { id: 'net', label: { zh: '净额', en: 'Net' }, amount: '999.00', net: true },
        { id: 'supplyPayable', label: { zh: '应付进货款', en: 'Supply payable' }, amount: '999.00' },
      ],
    },
  ],
  programmes: [
    {
      programme: 'quarterly-rebate',
      label: { zh: '季度返点', en: 'Quarterly rebate' },
      kind: 'quarter',
      period: '2026-Q4',
      months: ['2026-10', '2026-11', '2026-12'],
      state: 'open',
      asOf: '2026-11',
      volumeToDate: '250000.00',
      rebateToDate: '5000.00',
      tier: { from: '200000', rate: '0.02' },
      nextTier: { from: '500000', rate: '0.035' },
      final: false,
    },
    { programme: 'yearly-rebate', label: { zh: '年度返点', en: 'Yearly rebate' }, kind: 'year', period: '2026', months: ['2026-01', '2026-12'], state: 'closed', asOf: '2026-12', volumeToDate: '90.00', rebateToDate: '0.00', final: true },
  ],
};

describe('the ledger page\'s months table', () => {
  it('puts each figure in a column in declared order, net last, with its label in the page\'s language and amounts grouped', () => {
    const model = periodsTable(withFigures, 'en');
    expect(model.columns.map((c) => c.label)).toEqual(['Month', 'State', 'Transactions', 'Returns', 'Adjustments']);
    expect(model.figureColumns.map((c) => [c.id, c.label, c.net === true])).toEqual([
      ['supplyPayable', 'Supply payable', false],
      ['commission', 'Commission', false],
      ['net', 'Net', true],
    ]);
    expect(model.rows.map((r) => [...r.counts, ...r.figures])).toEqual([
      ['2026-10', 'Closed', '12', '1', '0', '1,234,567.80', '-1,000.05', '1,233,567.75'],
      ['2026-11', 'Open', '3', '0', '2', '', '', ''],
      ['2026-12', 'Open', '1', '0', '0', '999.00', '', '999.00'],
    ]);
    expect(model.rows.map((r) => [r.closable, r.statementId, r.problem])).toEqual([
      [false, 'agreement-a.2026-10', undefined],
      [true, undefined, 'INVALID_SETTLEMENT: a return exceeds its sale'],
      [true, undefined, undefined],
    ]);
  });

  it('reads in 中文', () => {
    const model = periodsTable(withFigures, 'zh');
    expect(model.columns.map((c) => c.label)).toEqual(['月份', '状态', '交易', '退货', '前期调整']);
    expect(model.figureColumns.map((c) => c.label)).toEqual(['应付进货款', '提成', '净额']);
    expect(model.rows.map((r) => r.counts[1])).toEqual(['已结账', '未结账', '未结账']);
  });

  it('without figures (the counts-only answer) has no figure column; a figures problem alone still gets one to say why', () => {
    const counts: LedgerPeriods = { agreement: 'a', periods: [{ period: '2026-11', state: 'open', transactions: 5, returns: 1, adjustments: 0 }] };
    const model = periodsTable(counts, 'en');
    expect(model.figureColumns).toEqual([]);
    expect(model.rows).toEqual([{ period: '2026-11', state: 'open', closable: true, counts: ['2026-11', 'Open', '5', '1', '0'], figures: [] }]);
    const problemOnly = periodsTable({ agreement: 'a', periods: [{ period: '2026-11', state: 'open', transactions: 0, returns: 0, adjustments: 0, figuresProblem: { code: 'NO_RULESET_IN_FORCE' } }] }, 'en');
    expect([problemOnly.figureColumns.map((c) => c.label), problemOnly.rows[0]!.problem, problemOnly.rows[0]!.figures]).toEqual([['Figures'], 'NO_RULESET_IN_FORCE', ['']]);
    expect(periodsTable({ agreement: 'a', periods: [] }, 'zh').rows).toEqual([]);
  });
});

describe('the ledger page\'s programme periods', () => {
  it('shows volume and rebate to date, the tier reached and the next threshold, final or to date', () => {
    const model = programmesTable(withFigures.programmes, 'en');
    expect(model.columns.map((c) => c.label)).toEqual(['Programme', 'Kind', 'Period', 'Months', 'State', 'As of', 'Volume to date', 'Tier reached', 'Next threshold', 'Rebate to date', 'Final']);
    expect(model.rows.map((r) => r.cells)).toEqual([
      ['Quarterly rebate', 'Quarter', '2026-Q4', '2026-10, 2026-11, 2026-12', 'Open', '2026-11', '250,000.00', '2 % (from 200,000)', '500,000 → 3.5 %', '5,000.00', 'to date'],
      ['Yearly rebate', 'Year', '2026', '2026-01, 2026-12', 'Closed', '2026-12', '90.00', '—', '—', '0.00', 'final'],
    ]);
    expect(programmesTable(withFigures.programmes, 'zh').rows[0]!.cells).toEqual(['季度返点', '季度', '2026-Q4', '2026-10, 2026-11, 2026-12', '未结账', '2026-11', '250,000.00', '2 %（自 200,000 起）', '500,000 → 3.5 %', '5,000.00', '暂计']);
  });

  it('has no row when the answer has no programmes', () => {
    expect(programmesTable(undefined, 'en').rows).toEqual([]);
    expect(programmesTable([], 'en').rows).toEqual([]);
  });
});
