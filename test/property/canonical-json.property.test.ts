import fc from 'fast-check';
import { canonicalJson } from '../../src/trust/canonical-json';

const json = fc.jsonValue({ noUnicodeString: false }).filter((value) => {
  try {
    canonicalJson(value);
    return true;
  } catch {
    return false; // lone surrogates are refused by design
  }
});

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffleKeys(item, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries.length === 0 ? entries : [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse();
  return Object.fromEntries(rotated.map(([k, v], i) => [k, shuffleKeys(v, seed + i)]));
}

describe('canonicalJson properties', () => {
  it('does not depend on member order', () => {
    fc.assert(fc.property(json, fc.nat(50), (value, seed) => canonicalJson(shuffleKeys(value, seed)) === canonicalJson(value)));
  });

  it('is a fixed point: parsing the canonical form and canonicalising again gives the same bytes', () => {
    fc.assert(fc.property(json, (value) => canonicalJson(JSON.parse(canonicalJson(value))) === canonicalJson(value)));
  });

  it('parses back to the same JSON value', () => {
    fc.assert(fc.property(json, (value) => expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))));
  });
});

/** JSON.stringify of the value with every object's members in UTF-16 code-unit order. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => [key, sortedDeep(record[key])]),
  );
}

/** True when some object has an array-index-like key: JavaScript orders those first, numerically, whatever the insertion order. */
function hasIndexKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasIndexKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, member]) => /^(0|[1-9]\d*)$/.test(key) || hasIndexKey(member));
}

describe('canonicalJson bytes', () => {
  it('equal JSON.stringify of the value with its members sorted by code units', () => {
    fc.assert(
      fc.property(
        json.filter((value) => !hasIndexKey(value)),
        (value) => canonicalJson(value) === JSON.stringify(sortedDeep(value)),
      ),
      { seed: 8785, numRuns: 500 },
    );
  });
});

describe('canonicalJson fast path (members already in order: JSON.stringify)', () => {
  it('gives the bytes of the member-by-member path whatever the member order', () => {
    fc.assert(
      fc.property(json.filter((value) => !hasIndexKey(value)), fc.nat(50), (value, seed) => canonicalJson(sortedDeep(value)) === canonicalJson(shuffleKeys(value, seed))),
      { seed: 1707, numRuns: 500 },
    );
  });
});
