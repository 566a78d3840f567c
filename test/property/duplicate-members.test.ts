import fc from 'fast-check';
import { firstDuplicateMember } from '../../src/trust/duplicate-members';

/** JSON text of `value` in which the object at `target` (a path) repeats its first member last. */
function withDuplicate(value: unknown, target: readonly (string | number)[], pretty: boolean, at: (string | number)[] = []): string {
  const gap = pretty ? '\n  ' : '';
  if (Array.isArray(value)) return `[${gap}${value.map((item, i) => withDuplicate(item, target, pretty, [...at, i])).join(`,${gap}`)}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const members = entries.map(([name, member]) => `${JSON.stringify(name)}${pretty ? ' : ' : ':'}${withDuplicate(member, target, pretty, [...at, name])}`);
    if (at.length === target.length && at.every((step, i) => step === target[i])) members.push(`${JSON.stringify(entries[0]![0])}:"again"`);
    return `{${gap}${members.join(`,${gap}`)}}`;
  }
  return JSON.stringify(value);
}

/** The paths of every object with at least one member. */
function objectPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectPaths(item, [...at, i]));
  if (value !== null && typeof value === 'object') {
    const own = Object.keys(value).length > 0 ? [at] : [];
    return [...own, ...Object.entries(value).flatMap(([name, member]) => objectPaths(member, [...at, name]))];
  }
  return [];
}

const pointer = (path: readonly (string | number)[]): string => path.map((token) => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

describe('firstDuplicateMember', () => {
  it.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"totals":{"net":"849.30","net":"1.00"}}', '/totals/net'],
    ['{"a":1,"\\u0061":2}', '/a'],
    ['{"lines":[{"sku":"A"},{"sku":"B","sku":"C"}]}', '/lines/1/sku'],
    ['{"a/b":{"c~d":1,"c~d":1}}', '/a~1b/c~0d'],
    ['{ "x" : "{\\"a\\":1,\\"a\\":2}", "x" : 0 }', '/x'],
  ])('%s: %s', (json, expected) => {
    expect(() => JSON.parse(json)).not.toThrow();
    expect(firstDuplicateMember(json)).toBe(expected);
  });

  it.each([['{"a":[{"b":1},{"b":1}]}'], ['{"a":{"a":{"a":1}}}'], ['{"x":"\\"x\\":1,\\"x\\":2"}'], ['[1,{"a":1},{"a":2}]'], ['"a"'], ['{}']])('%s has none', (json) => {
    expect(firstDuplicateMember(json)).toBeUndefined();
  });

  it('finds none in what JSON.stringify writes, compact or indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(firstDuplicateMember(JSON.stringify(value))).toBeUndefined();
        expect(firstDuplicateMember(JSON.stringify(value, null, 2))).toBeUndefined();
      }),
    );
  });

  it('finds a repeated member wherever it is, and names it', () => {
    const withObjects = fc.jsonValue().filter((value) => objectPaths(value).length > 0);
    fc.assert(
      fc.property(withObjects, fc.nat(), fc.boolean(), (value, pick, pretty) => {
        const paths = objectPaths(value);
        const target = paths[pick % paths.length]!;
        const json = withDuplicate(value, target, pretty);
        expect(() => JSON.parse(json)).not.toThrow();
        const first = Object.keys(target.reduce<any>((node, step) => node[step], value))[0]!; // eslint-disable-line @typescript-eslint/no-explicit-any
        expect(firstDuplicateMember(json)).toBe(pointer([...target, first]));
      }),
    );
  });
});
