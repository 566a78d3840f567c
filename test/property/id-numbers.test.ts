import fc from 'fast-check';
import { IdNumbers } from '../../src/domain/id-numbers';

describe('IdNumbers', () => {
  it('answers as a Map<string, number> given the same sets and gets, through growth', () => {
    const id = fc.oneof(fc.string({ maxLength: 8 }), fc.nat({ max: 3000 }).map((n) => `T${n}`), fc.string({ unit: 'grapheme', maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), id, fc.integer({ min: -3, max: 1_000_000 })), { maxLength: 5000 }), (operations) => {
        const ids = new IdNumbers();
        const map = new Map<string, number>();
        for (const [isSet, key, value] of operations) {
          if (isSet) {
            ids.set(key, value);
            map.set(key, value);
          } else {
            expect(ids.get(key)).toBe(map.get(key));
            expect(ids.has(key)).toBe(map.has(key));
          }
        }
        expect(ids.size).toBe(map.size);
        for (const [key, value] of map) expect(ids.get(key)).toBe(value);
        const visited: [string, number][] = [];
        ids.forEach((key, value) => visited.push([key, value]));
        expect(visited).toEqual([...map]);
      }),
      { seed: 20261126, numRuns: 60 },
    );
  });
});
