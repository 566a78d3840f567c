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
