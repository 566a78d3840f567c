import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors';
import { Dec, isUnitPriceText, roundMoney } from '../../src/domain/money';
import { Readable } from 'node:stream';
import { settleFiles } from '../../src/io/read-settlement-file';
import { calculateSettlement, openSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog } from '../support/settlement-fixtures';
import { contractIssues } from '../support/test-app';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const HALF_UP = { mode: 'half-up', scale: 2 } as const;

/** A unit price within the bound: up to 12 digits before the point and 8 after, the largest ones often. */
const unitPrice = fc
  .tuple(fc.oneof(fc.constant(999_999_999_999n), fc.bigInt({ min: 0n, max: 999_999_999_999n })), fc.oneof(fc.constant(99_999_999n), fc.bigInt({ min: 0n, max: 99_999_999n })), fc.integer({ min: 0, max: 8 }))
  .map(([whole, fraction, decimals]) => (decimals === 0 ? `${whole}` : `${whole}.${String(fraction % 10n ** BigInt(decimals)).padStart(decimals, '0')}`));
const quantity = fc.oneof(fc.constantFrom(1_000_000, -1_000_000), fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((q) => q !== 0));

/** The exact value of a decimal string as an integer of 10^-8. */
function scaled(text: string): bigint {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(whole!) * 10n ** 8n + BigInt(fraction.padEnd(8, '0'));
  return text.startsWith('-') ? -value : value;
}

/** `value` (an integer of 10^-8) rounded half-up (away from zero on a tie) to the fen, as a decimal string with 2 decimals. */
function fenHalfUp(value: bigint): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const fen = (magnitude + 500_000n) / 1_000_000n;
  const text = `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
  return negative && fen !== 0n ? `-${text}` : text;
}

describe('unit prices at the bound: every product is exact (issue 12, item 15)', () => {
  it('unit price × quantity, and its rounding to the fen, equal integer arithmetic', () => {
    fc.assert(
      fc.property(unitPrice, quantity, (price, q) => {
        expect(isUnitPriceText(price)).toBe(true);
        const exact = scaled(price) * BigInt(q);
        const product = new Dec(price).times(q);
        expect(scaled(product.toFixed(8))).toBe(exact);
        expect(product.toDecimalPlaces(8).eq(product)).toBe(true);
        expect(roundMoney(product, HALF_UP).toFixed(2)).toBe(fenHalfUp(exact));
      }),
      { seed: 15, numRuns: 2000 },
    );
  });

  it('an invoiced price at the bound gives the exact invoiced amount and difference in the statement', async () => {
    await fc.assert(
      fc.asyncProperty(unitPrice, fc.integer({ min: 1, max: 1_000_000 }), async (price, q) => {
        const statement = await calculateSettlement(catalog, {
          agreement: 'chamber-baiyikang',
          period: PERIOD,
          transactions: [{ id: 'T1', date: '2026-11-03', channel: 'chamber-supply', buyer: { id: 'CHAMBER' }, lines: [{ sku: 'BYK-H01', quantity: q, unitPrice: price }] }],
        });
        // BYK-H01 at the supply price 1094.80
        const invoiced = fenHalfUp(scaled(price) * BigInt(q));
        const agreed = fenHalfUp(scaled('1094.80') * BigInt(q));
        if (invoiced === agreed) {
          expect(statement.discrepancies).toEqual([]);
          return;
        }
        expect(statement.discrepancies).toEqual([expect.objectContaining({ invoicedAmount: invoiced, agreedAmount: agreed, difference: fenHalfUp(scaled(invoiced) - scaled(agreed)) })]);
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('a unit price past the bound (25 + 6 digits) is refused: by the contract and by the settlement', async () => {
    const price = '9999999999999999999999999.999999';
    const transactions = [{ id: 'T1', date: '2026-11-03', channel: 'chamber-supply', buyer: { id: 'CHAMBER' }, lines: [{ sku: 'BYK-H01', quantity: 999_999, unitPrice: price }] }];
    const body = { agreement: 'chamber-baiyikang', period: PERIOD, transactions, externalSales: [{ institution: 'A', sku: 'BYK-H01', date: '2026-11-03', quantity: 1, unitPrice: '1234567890123' }] };
    const pointers = (contractIssues('SettlementRequest', body) as { pointer: string }[]).map((issue) => issue.pointer);
    expect([...new Set(pointers)]).toEqual(['/transactions/0/lines/0/unitPrice', '/externalSales/0/unitPrice']);
    const error = await calculateSettlement(catalog, body).catch((e: DomainError) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      ['/transactions/0/lines/0/unitPrice', 'INVALID_UNIT_PRICE'],
      ['/externalSales/0/unitPrice', 'INVALID_UNIT_PRICE'],
    ]);
  });

  it('a file holds unit prices to the same bound', async () => {
    const csv = ['transaction,date,channel,buyer,sku,quantity,unitPrice', 'T1,2026-11-03,chamber-supply,CHAMBER,BYK-H01,30,999999999999.99999999', 'T2,2026-11-03,chamber-supply,CHAMBER,BYK-H01,30,1094.800000001', '', 'institution,sku,date,quantity,unitPrice', 'A,BYK-H01,2026-11-03,1,1000000000000'].join('\n');
    const error = await settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([csv]), format: 'csv' }]).catch((e: DomainError) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      ['/rows/3/unitPrice', 'INVALID_DECIMAL'],
      ['/rows/6/unitPrice', 'INVALID_DECIMAL'],
    ]);
  });
});
