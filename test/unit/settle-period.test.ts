import { figureAmount } from '../../src/domain/settlement';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../src/domain/errors';
import { MAX_LISTED_ISSUES, checkSettlementPeriod, createSettlementAccumulator } from '../../src/domain/settle-period';
import type { SettlementTransaction, TransactionLocator } from '../../src/domain/settlement';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { loadCatalog, settlementIssues } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const CHAMBER = { id: 'CHAMBER', member: false, keyAccount: false };
type Tx = SettlementRequest['transactions'][number];

const sale = (id: string, lines: Tx['lines'], extra: Partial<Tx> = {}): Tx => ({ id, date: '2026-11-05', channel: 'chamber-supply', buyer: CHAMBER, lines, ...extra });
const settle = (transactions: Tx[], extra: Partial<SettlementRequest> = {}) => calculateSettlement(catalog, { agreement: 'chamber-baiyikang', period: PERIOD, transactions, ...extra });


describe('settlement checks: each refusal names the field, all at once', () => {
  it.each([
    ['a sale with a negative quantity', [sale('T1', [{ sku: 'BYK-H01', quantity: -1 }])], [['/transactions/0/lines/0/quantity', 'NEGATIVE_QUANTITY']]],
    ['a zero quantity', [sale('T1', [{ sku: 'BYK-H01', quantity: 0 }])], [['/transactions/0/lines/0/quantity', 'INVALID_QUANTITY']]],
    ['a date that is no day', [sale('T1', [{ sku: 'BYK-H01', quantity: 1 }], { date: '2026-11-31' })], [['/transactions/0/date', 'INVALID_DATE']]],
    ['an unknown channel', [sale('T1', [{ sku: 'BYK-H01', quantity: 1 }], { channel: 'mail-order' })], [['/transactions/0/channel', 'UNKNOWN_CHANNEL']]],
    ['a negative invoiced price', [sale('T1', [{ sku: 'BYK-H01', quantity: 1, unitPrice: '-1.00' }])], [['/transactions/0/lines/0/unitPrice', 'INVALID_UNIT_PRICE']]],
    ['a duplicate id', [sale('T1', [{ sku: 'BYK-H01', quantity: 1 }]), sale('T1', [{ sku: 'BYK-L01', quantity: 1 }])], [['/transactions/1/id', 'DUPLICATE_TRANSACTION']]],
    ['a transaction returning itself', [sale('T1', [{ sku: 'BYK-H01', quantity: -1 }], { returnOf: 'T1' })], [['/transactions/0/returnOf', 'RETURN_OF_ITSELF']]],
    [
      'a return of a return',
      [sale('T1', [{ sku: 'BYK-H01', quantity: 2 }]), sale('R1', [{ sku: 'BYK-H01', quantity: -1 }], { returnOf: 'T1' }), sale('R2', [{ sku: 'BYK-H01', quantity: -1 }], { returnOf: 'R1' })],
      [['/transactions/2/returnOf', 'RETURN_OF_RETURN']],
    ],
    [
      'a return on another channel, by another buyer, before the sale',
      [sale('T1', [{ sku: 'BYK-H01', quantity: 2 }], { date: '2026-11-10' }), sale('R1', [{ sku: 'BYK-H01', quantity: -1 }], { returnOf: 'T1', channel: 'group-buy', buyer: { id: 'ENT-001', member: false, keyAccount: false }, date: '2026-11-09' })],
      [
        ['/transactions/1/channel', 'RETURN_MISMATCH'],
        ['/transactions/1/buyer/id', 'RETURN_MISMATCH'],
        ['/transactions/1/date', 'RETURN_BEFORE_SALE'],
      ],
    ],
    ['a return of a SKU the sale does not have', [sale('T1', [{ sku: 'BYK-H01', quantity: 2 }]), sale('R1', [{ sku: 'BYK-L01', quantity: -1 }], { returnOf: 'T1' })], [['/transactions/1/lines/0/sku', 'RETURN_SKU_NOT_SOLD']]],
    [
      'two returns together returning more than was sold',
      [sale('T1', [{ sku: 'BYK-H01', quantity: 3 }]), sale('R1', [{ sku: 'BYK-H01', quantity: -2 }], { returnOf: 'T1' }), sale('R2', [{ sku: 'BYK-H01', quantity: -1 }, { sku: 'BYK-H01', quantity: -1 }], { returnOf: 'T1' })],
      [['/transactions/2/lines/1/quantity', 'RETURN_EXCEEDS_SALE']],
    ],
    [
      'a return of a refused sale',
      [sale('R1', [{ sku: 'BYK-H01', quantity: -1 }], { returnOf: 'T1' }), sale('T1', [{ sku: 'BYK-H01', quantity: 3 }], { date: '2026-12-01' })],
      [
        ['/transactions/1/date', 'OUTSIDE_PERIOD'],
        ['/transactions/0/returnOf', 'ORIGINAL_REFUSED'],
      ],
    ],
  ] as const)('%s', async (_what, transactions, expected) => {
    expect(await settlementIssues(settle([...transactions]))).toEqual(expected);
  });

  it('checks external sales and claims', async () => {
    const issues = await settlementIssues(
      settle([], {
        externalSales: [{ institution: 'X', sku: 'BYK-H01', date: '2026-10-31', quantity: 0, unitPrice: '1,00' }],
        claimed: { commission: '1.005', rebates: { 'ENT-001': 'x' } },
      }),
    );
    expect(issues).toEqual([
      ['/externalSales/0/date', 'OUTSIDE_PERIOD'],
      ['/externalSales/0/quantity', 'INVALID_QUANTITY'],
      ['/externalSales/0/unitPrice', 'INVALID_UNIT_PRICE'],
      ['/claimed/commission', 'INVALID_AMOUNT'],
      ['/claimed/rebates/ENT-001', 'INVALID_AMOUNT'],
    ]);
  });

  it(`lists ${MAX_LISTED_ISSUES} issues and counts the rest`, async () => {
    const many = Array.from({ length: MAX_LISTED_ISSUES + 5 }, (_, i) => sale(`T${i}`, [{ sku: 'NOPE', quantity: 1 }]));
    const issues = await settlementIssues(settle(many));
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(issues[MAX_LISTED_ISSUES]).toEqual(['/', 'TOO_MANY_ISSUES']);
  });

  it.each([
    [{ from: '2026-11-30', to: '2026-11-01' }, [['/period', 'INVALID_PERIOD']]],
    [{ from: '2026-02-30', to: '2026-13-01' }, [['/period/from', 'INVALID_DATE'], ['/period/to', 'INVALID_DATE']]],
  ])('refuses the period %j', (period, expected) => {
    expect(checkSettlementPeriod(period).map((issue) => [issue.pointer, issue.code])).toEqual(expected);
  });

  it('refuses a period that spans two versions of the agreement', () => {
    const rules = copyRules();
    try {
      cpSync(path.join(rules.dir, VERSION_DIR), path.join(rules.dir, 'chamber-baiyikang/2027-01-01'), { recursive: true });
      rules.edit('chamber-baiyikang/2027-01-01/agreement.json', (json) => {
        json.effectiveFrom = '2027-01-01';
      });
      const twoVersions = RuleCatalog.load(rules.dir);
      expect(() => openSettlement(twoVersions, 'chamber-baiyikang', { from: '2026-12-15', to: '2027-01-15' })).toThrow(
        expect.objectContaining({ code: 'INVALID_SETTLEMENT', issues: [expect.objectContaining({ pointer: '/period', code: 'PERIOD_SPANS_VERSIONS' })] }),
      );
      expect(openSettlement(twoVersions, 'chamber-baiyikang', { from: '2027-01-01', to: '2027-01-31' }).version.effectiveFrom).toBe('2027-01-01');
    } finally {
      rules.cleanup();
    }
  });
});

describe('settlement figures', () => {
  const version = catalog.versionOn('chamber-baiyikang', '2026-11-01').version;
  const rule = (id: string) => version.rules.find((r) => r.id === id)!;
  const at: TransactionLocator = { field: (name) => `/${name}`, lineField: (i, name) => `/lines/${i}/${name}` };

  it('a return spanning two sale lines of one SKU at different prices takes each part at its own price, first line first', () => {
    const acc = createSettlementAccumulator(version, PERIOD);
    const tx: SettlementTransaction = { id: 'T1', date: '2026-11-05', channel: 'chamber-supply', buyer: CHAMBER, lines: [{ sku: 'BYK-L02', quantity: 2 }, { sku: 'BYK-L02', quantity: 3 }] };
    // line 0 at list (39.90), line 1 at the supply price (33.915); both earn commission
    acc.bookSale(acc.add(tx, at)!, [[rule('chamber-commission')], [rule('supply-price'), rule('chamber-commission')]]);
    acc.add({ ...tx, id: 'R1', returnOf: 'T1', lines: [{ sku: 'BYK-L02', quantity: -3, unitPrice: '39.90' }] }, at);
    const s = acc.finish();
    // sale 79.80 + 101.745→101.75; return −79.80 (2 × 39.90) and −33.915→−33.92
    expect(s.volume['chamber-supply']).toBe('67.83');
    // commission 7.98 + 10.175→10.18 − 7.98 − 3.3915→3.39
    expect(s.commission).toBe('6.79');
    expect(s.discrepancies).toEqual([expect.objectContaining({ transaction: 'R1', quantity: -1, invoicedUnitPrice: '39.90', agreedUnitPrice: '33.915', invoicedAmount: '-39.90', agreedAmount: '-33.92', difference: '-5.98' })]);
  });

  it('the lowest factor is truncated for display, the breach and compensation use exact prices; ties keep the first institution', async () => {
    const s = await settle([sale('T1', [{ sku: 'BYK-L02', quantity: 7 }])], {
      externalSales: [
        { institution: 'A', sku: 'BYK-L02', date: '2026-11-02', quantity: 1, unitPrice: '33.91' },
        { institution: 'B', sku: 'BYK-L02', date: '2026-11-03', quantity: 1, unitPrice: '33.91' },
      ],
    });
    // 33.91 / 39.90 = 0.84987…; 7 × (33.915 − 33.91) = 0.035 → 0.04
    expect(s.priceGuarantee).toEqual([{ sku: 'BYK-L02', lowestFactor: '0.8498', lowestUnitPrice: '33.91', institution: 'A', breach: true, compensation: '0.04' }]);
  });

  it('a breach without chamber supply of the SKU is flagged with nothing to compensate', async () => {
    const s = await settle([], { externalSales: [{ institution: 'A', sku: 'BYK-M01', date: '2026-11-02', quantity: 1, unitPrice: '200.00' }] });
    expect(s.priceGuarantee).toEqual([expect.objectContaining({ sku: 'BYK-M01', breach: true, compensation: '0.00' })]);
    expect(figureAmount(s, 'chamberPaysSupplier')).toBe('0.00');
  });
});

describe('settlement memory bounds (issue 12)', () => {
  const keyAccount = (id: string): Tx['buyer'] => ({ id, member: true, keyAccount: true });
  const groupBuy = (id: string, buyer: string): Tx => sale(id, [{ sku: 'BYK-H01', quantity: 40 }], { channel: 'group-buy', buyer: keyAccount(buyer) });

  it('refuses, with the counts, a period with more key-account buyers than maxRebateAccounts', async () => {
    const request: SettlementRequest = { agreement: 'chamber-baiyikang', period: PERIOD, transactions: [groupBuy('T1', 'ENT-001'), groupBuy('T2', 'ENT-002'), groupBuy('T3', 'ENT-003'), groupBuy('T4', 'ENT-002')] };
    expect((await calculateSettlement(catalog, request, { maxRebateAccounts: 3 })).rebates.map((r) => r.buyer)).toEqual(['ENT-001', 'ENT-002', 'ENT-003']);
    const error = await calculateSettlement(catalog, request, { maxRebateAccounts: 1 }).catch((e: DomainError) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).issues).toEqual([
      {
        pointer: '/',
        code: 'REBATE_ACCOUNTS_OVER_LIMIT',
        detail: 'more than 1 key-account buyers earn a settlement rebate in the period (the statement holds at most 1): 3 line(s) of the buyers past the limit were not counted; settle the period in parts',
      },
    ]);
  });
});
