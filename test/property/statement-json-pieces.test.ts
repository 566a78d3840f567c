import fc from 'fast-check';
import { wireStatement, type SettlementStatement } from '../../src/domain/settlement';
import { statementJsonPieces } from '../../src/io/statement-json';
import { calculateSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';

/**
 * The statement written piece by piece (the API compact, the command line indented) is exactly
 * JSON.stringify of the statement, whatever its discrepancies: none, one, many, nested text
 * with line breaks and quotes in its strings.
 */
let statement: SettlementStatement;
beforeAll(async () => {
  statement = await calculateSettlement(loadCatalog(), workedExampleRequest());
  expect(statement.discrepancies.length).toBeGreaterThan(0);
});

const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '商', ' ', '{', ']') });

describe('statementJsonPieces', () => {
  it('joined, equals JSON.stringify of the statement, compact and indented by 2', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), text), { maxLength: 6 }), fc.constantFrom(0 as const, 2 as const), (picks, indent) => {
        const base = statement.discrepancies;
        const discrepancies = picks.map(([at, note]) => ({ ...base[at % base.length]!, transaction: note }));
        const variant: SettlementStatement = { ...statement, discrepancies };
        expect([...statementJsonPieces(variant, indent)].join('')).toBe(JSON.stringify(wireStatement(variant), null, indent));
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });
});
