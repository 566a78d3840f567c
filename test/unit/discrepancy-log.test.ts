import fc from 'fast-check';
import { DiscrepancyLog } from '../../src/domain/discrepancy-log';
import type { Discrepancy } from '../../src/domain/settlement';
import { mergeInInputOrder, type Keyed, type MatchingKey } from '../../src/domain/settlement-spill';
import { MemorySpillStore } from '../support/memory-spill-store';

const discrepancy = (n: number): Discrepancy => ({
  transaction: `T${n}`,
  sku: 'BYK-H01',
  quantity: n % 7 === 0 ? -(n + 1) : n + 1,
  invoicedUnitPrice: '1.00',
  agreedUnitPrice: '1094.80',
  invoicedAmount: `${n + 1}.00`,
  agreedAmount: '1094.80',
  difference: `-${n}.50`,
});

/** Calls as the accumulator makes them: discrepancies recorded in input order, then (at finish) found with their keys, in any order. */
const calls = fc.record({
  recorded: fc.array(fc.nat({ max: 3 }), { maxLength: 40 }),
  found: fc.array(fc.record({ trigger: fc.oneof(fc.nat({ max: 60 }), fc.constant(Number.POSITIVE_INFINITY)), phase: fc.constantFrom(1, 2, 3), sub: fc.nat({ max: 60 }) }), { maxLength: 40 }),
  forgetAfter: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
});

describe('DiscrepancyLog: discrepancies in flat memory, listed in statement order', () => {
  afterEach(() => expect(MemorySpillStore.open).toBe(0));

  it('lists what was recorded merged with what was found, as a run that never spilled does, however little it keeps in memory', () => {
    fc.assert(
      fc.property(calls, fc.constantFrom(0, 1, 2, 5), ({ recorded, found, forgetAfter }, inMemory) => {
        let n = 0;
        const items: Discrepancy[] = [];
        const seqs: number[] = [];
        let seq = 0;
        for (const gap of recorded) {
          seq += gap;
          items.push(discrepancy(n++));
          seqs.push(seq);
        }
        let keyed: Keyed<Discrepancy>[] = [];
        const stores: MemorySpillStore[] = [];
        const log = new DiscrepancyLog(() => {
          const store = new MemorySpillStore();
          stores.push(store);
          return store;
        }, inMemory);
        items.forEach((item, i) => log.record(seqs[i]!, item));
        found.forEach((key: MatchingKey, i) => {
          if (i === forgetAfter) {
            log.forgetFound();
            keyed = [];
          }
          const item = discrepancy(n++);
          log.recordFound(key, item);
          keyed.push({ key, item });
        });
        // a stable sort: the items of one key in the order found
        keyed.sort((a, b) => a.key.trigger - b.key.trigger || a.key.phase - b.key.phase || a.key.sub - b.key.sub);
        const expected = mergeInInputOrder(items, seqs, keyed);
        const list = log.list();
        expect(list.length).toBe(expected.length);
        expect([...list]).toEqual(expected);
        // read twice: the same
        expect([...list]).toEqual(expected);
        if (items.length > inMemory || keyed.length > inMemory) expect(stores).toHaveLength(1);
        list.close();
        expect(() => [...list]).toThrow(/closed/);
      }),
      { seed: 1212, numRuns: 400 },
    );
  });

  it('keeps everything in memory without a store', () => {
    const log = new DiscrepancyLog(undefined, 0);
    log.record(0, discrepancy(0));
    log.recordFound({ trigger: 0, phase: 2, sub: 0 }, discrepancy(1));
    expect([...log.list()]).toEqual([discrepancy(0), discrepancy(1)]);
  });
});
