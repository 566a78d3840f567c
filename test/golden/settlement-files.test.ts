import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import { wireStatement } from '../../src/domain/settlement';
import { settleFiles, type SettlementFileFormat } from '../../src/io/read-settlement-file';
import { transactionColumnsOf } from '../../src/io/settlement-rows';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { listGoldenCases } from '../../src/rules/golden-cases';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { settlementFileOf } from '../support/settlement-file';
import { RULES_DIR } from '../support/test-app';

/**
 * Every settlement golden case of the bundled rules (whatever agreements they hold), written
 * as a CSV file and as an NDJSON file — its transactions with the buyer and order attributes
 * and the coupon their agreement declares, its external sales, its claims — settles to the
 * statement the JSON request gives, byte for byte. Prior transactions (which a file does not
 * carry) are handed to the settlement first, as the ledger does.
 */
const catalog = RuleCatalog.load(RULES_DIR);
const cases = listGoldenCases(RULES_DIR).filter((found) => found.goldenCase.kind === 'settlement' && found.goldenCase.expect !== undefined);

async function settledFromFile(request: SettlementRequest, format: SettlementFileFormat): Promise<unknown> {
  const settlement = openSettlement(catalog, request.agreement, request.period);
  const prior = request.priorTransactions ?? [];
  for (let i = 0; i < prior.length; i++) {
    await settlement.addPrior(prior[i]!, { field: (name) => `/priorTransactions/${i}/${name}`, lineField: (line, name) => `/priorTransactions/${i}/lines/${line}/${name}` });
  }
  const text = settlementFileOf(request, transactionColumnsOf(settlement.version), format);
  try {
    return wireStatement(await settleFiles(settlement, [{ stream: Readable.from([text]), format }]));
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, issues: error.issues };
    throw error;
  }
}

describe('a settlement golden case written as a file', () => {
  it('finds settlement cases in the bundled rules', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((found) => [found.file, found.goldenCase.request as SettlementRequest] as const))('%s: CSV and NDJSON settle as the JSON request', async (_file, request) => {
    const expected = JSON.stringify(wireStatement(await calculateSettlement(catalog, request)));
    expect(JSON.stringify(await settledFromFile(request, 'csv'))).toBe(expected);
    expect(JSON.stringify(await settledFromFile(request, 'ndjson'))).toBe(expected);
  });
});
