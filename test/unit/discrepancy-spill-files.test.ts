import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import { settleFiles, settleFilesStreamed } from '../../src/io/read-settlement-file';
import { SPILL_DIRECTORY_PREFIX, openSpillFiles } from '../../src/io/spill-files';
import { openSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const HEADER = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice';
/** Five mispriced sales, a return of one of them (itself invoiced wrong), and one sale invoiced right. */
const CSV = [
  HEADER,
  ...[1, 2, 3, 4, 5].map((n) => `T${n},2026-11-0${n},chamber-supply,CHAMBER,,,,BYK-H01,${n * 10},1.00`),
  'R1,2026-11-09,chamber-supply,CHAMBER,,,T2,BYK-H01,-3,2.00',
  'T6,2026-11-09,chamber-supply,CHAMBER,,,,BYK-H01,10,1094.80',
].join('\n');

describe('discrepancies spilled to a file of their own', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(path.join(tmpdir(), 'discrepancy-spill-test-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const open = (discrepanciesInMemory: number, spillAfter = 1_000_000) => openSettlement(catalog, 'chamber-baiyikang', PERIOD, { discrepanciesInMemory, spillAfter, openSpill: () => openSpillFiles(directory) });

  it('lists what memory lists, read back from the file, which is removed once the list is closed', async () => {
    const inMemory = await settleFiles(open(1_000), [{ stream: Readable.from([CSV]), format: 'csv' }]);
    expect(inMemory.discrepancies.map((d) => `${d.transaction} ${d.quantity}`)).toEqual(['T1 10', 'T2 20', 'T3 30', 'T4 40', 'T5 50', 'R1 -3']);
    for (const spillAfter of [0, 1_000_000]) {
      const streamed = await settleFilesStreamed(open(1, spillAfter), [{ stream: Readable.from([CSV]), format: 'csv' }]);
      // the statement is ready, its discrepancies still in their file until written
      expect(readdirSync(directory).filter((name) => name.startsWith(SPILL_DIRECTORY_PREFIX))).toHaveLength(1);
      expect(streamed.discrepancies).toHaveLength(6);
      expect([...streamed.discrepancies]).toEqual(inMemory.discrepancies);
      streamed.discrepancies.close();
      expect(readdirSync(directory)).toEqual([]);
    }
  });

  it('leaves no file behind when the input has problems', async () => {
    const error = await settleFilesStreamed(open(1), [{ stream: Readable.from([`${CSV}\nT7,2026-11-09,chamber-supply,CHAMBER,,,,BYK-X99,1,`]), format: 'csv' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(readdirSync(directory)).toEqual([]);
  });
});
