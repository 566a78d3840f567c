import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DomainError } from '../../src/domain/errors';
import { openSpillFiles } from '../../src/io/spill-files';
import { calculateSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { loadCatalog } from '../support/settlement-fixtures';

// A sale that repeats an earlier id and that the agreement refuses (a member-direct order without
// a member card) is reported as both, whether the settlement spilled to disk or stayed in memory.
const catalog = loadCatalog();

describe('a refused sale under a repeated id', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(path.join(tmpdir(), 'dup-refused-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const request: SettlementRequest = {
    agreement: 'chamber-baiyikang',
    period: { from: '2026-11-01', to: '2026-11-30' },
    transactions: [
      { id: 'T1', date: '2026-11-03', channel: 'group-buy', buyer: { id: 'ENT-1' }, lines: [{ sku: 'BYK-L01', quantity: 5 }] },
      { id: 'T1', date: '2026-11-04', channel: 'member-direct', buyer: { id: 'P-1', member: false }, lines: [{ sku: 'BYK-L01', quantity: 1 }] },
    ],
  };
  const issuesOf = async (spillAfter?: number): Promise<string[]> => {
    const error = await calculateSettlement(catalog, request, spillAfter === undefined ? {} : { spillAfter, openSpill: () => openSpillFiles(directory) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).issues.map((issue) => `${issue.code} ${issue.pointer}`).sort();
  };

  it('in memory and spilled alike: DUPLICATE_TRANSACTION and ORDER_REFUSED', async () => {
    const inMemory = await issuesOf();
    expect(inMemory).toEqual(['DUPLICATE_TRANSACTION /transactions/1/id', 'ORDER_REFUSED /transactions/1/lines/0']);
    expect(await issuesOf(0)).toEqual(inMemory);
  });
});
