import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import { SpillReader, SpillWriter } from '../../src/domain/spill-codec';
import { settleFiles } from '../../src/io/read-settlement-file';
import { SPILL_DIRECTORY_PREFIX, openSpillFiles } from '../../src/io/spill-files';
import { calculateSettlement, openSettlement } from '../../src/rules/calculate-settlement';
import { MemorySpillStore } from '../support/memory-spill-store';
import { loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const HEADER = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice';
const GOOD = [HEADER, 'R1,2026-11-20,group-buy,ENT-001,true,true,T1,BYK-M01,-2,', 'T1,2026-11-03,group-buy,ENT-001,true,true,,BYK-M01,30,', 'T2,2026-11-04,member-direct,M-1,true,false,,BYK-L01,3,'].join('\n');

describe('spill files', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(path.join(tmpdir(), 'spill-test-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const settleCsv = (chunks: Iterable<string> | AsyncIterable<string>, spillAfter: number) =>
    settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD, { spillAfter, openSpill: () => openSpillFiles(directory) }), [{ stream: Readable.from(chunks), format: 'csv' }]);

  it('gives the statement it gives in memory, and leaves no file behind', async () => {
    const inMemory = await settleCsv([GOOD], 1_000_000);
    expect(await settleCsv([GOOD], 0)).toEqual(inMemory);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('leaves no file behind after an input with issues', async () => {
    const error = await settleCsv([`${GOOD}\nT1,2026-11-05,group-buy,ENT-001,true,true,,BYK-M01,1,\nR9,2026-11-20,group-buy,ENT-001,true,true,T404,BYK-M01,-2,`], 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).issues.map((issue) => issue.code)).toEqual(['DUPLICATE_TRANSACTION', 'UNKNOWN_ORIGINAL']);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('leaves no file behind when the input stream fails half way (an aborted upload)', async () => {
    let spilled = 0;
    async function* broken(): AsyncGenerator<string> {
      yield `${GOOD}\n`;
      // the stream reads ahead: wait until the rows read so far have spilled
      for (let turns = 0; turns < 10_000 && readdirSync(directory).length === 0; turns++) await new Promise(setImmediate);
      spilled = readdirSync(directory).length;
      throw new Error('the client went away');
    }
    await expect(settleCsv(broken(), 0)).rejects.toThrow('the client went away');
    expect(spilled).toBe(1);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('a JSON request spills too, and cleans up', async () => {
    const request = workedExampleRequest();
    expect(await calculateSettlement(catalog, request, { spillAfter: 0, openSpill: () => openSpillFiles(directory) })).toEqual(await calculateSettlement(catalog, request));
    expect(readdirSync(directory)).toEqual([]);
  });

  it('an aborted settlement that spilled takes no more input', () => {
    const settlement = openSettlement(catalog, 'chamber-baiyikang', PERIOD, { spillAfter: 0, openSpill: () => openSpillFiles(directory) });
    const sale = { id: 'T1', date: '2026-11-03', channel: 'group-buy', buyer: { id: 'ENT-001', member: true, keyAccount: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] };
    const at = { field: (name: string) => `/transactions/0/${name}`, lineField: (i: number, name: string) => `/transactions/0/lines/${i}/${name}` };
    void settlement.add(sale, at);
    expect(readdirSync(directory)).toHaveLength(1);
    settlement.abort();
    expect(readdirSync(directory)).toEqual([]);
    expect(() => settlement.add({ ...sale, id: 'T2' }, at)).toThrow('finished or aborted');
  });

  it('keeps its partitions while open and removes its directory on close (twice is fine)', () => {
    const store = openSpillFiles(directory);
    store.append(3, Uint8Array.of(1, 2, 3));
    store.append(3, Uint8Array.of(4));
    expect([...store.read(3)]).toEqual([1, 2, 3, 4]);
    expect(store.read(5).length).toBe(0);
    expect(readdirSync(directory).filter((name) => name.startsWith(SPILL_DIRECTORY_PREFIX))).toHaveLength(1);
    store.close();
    store.close();
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe('spill records', () => {
  it('read back the numbers and texts written, whatever the buffer size', () => {
    const value = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ maxLength: 5000 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.array(value, { maxLength: 6 }))), fc.constantFrom(8, 64, 4096), (records, bufferBytes) => {
        const store = new MemorySpillStore();
        const writer = new SpillWriter(store, 4, bufferBytes);
        for (const [partition, fields] of records) {
          writer.begin(7);
          let previous = '';
          for (const field of fields) {
            if (typeof field === 'number') writer.uint(field);
            else writer.textAfter(previous, (previous = field));
          }
          writer.end(partition);
        }
        writer.flushAll();
        for (let partition = 0; partition < 4; partition++) {
          const reader = new SpillReader(store.read(partition));
          for (const [, fields] of records.filter(([p]) => p === partition)) {
            expect(reader.next()).toBe(7);
            let previous = '';
            for (const field of fields) expect(typeof field === 'number' ? reader.uint() : (previous = reader.textAfter(previous))).toBe(field);
          }
          expect(reader.next()).toBeUndefined();
        }
        store.close();
      }),
      { seed: 20261126, numRuns: 100 },
    );
  });
});
