/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte sequence a JSON value signs as.
 * - object members sorted by their names' UTF-16 code units, recursively; no whitespace;
 * - strings escaped as ECMAScript's JSON.stringify does (which is what JCS specifies);
 * - numbers in ECMAScript's shortest round-trip form (JSON.stringify's), -0 as 0;
 * - members whose value is `undefined` are absent, as on the wire.
 * Refuses what I-JSON (RFC 7493) refuses: non-finite numbers and lone surrogates. suanpan's
 * money is already decimal strings, so no figure depends on number formatting.
 *
 * @example canonicalJson({ b: 1, a: [true, null, '€'] }) // '{"a":[true,null,"€"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError('a string with a lone surrogate cannot be canonicalized (RFC 8785 requires I-JSON)');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort(compareCodeUnits)
        .map((key) => `${canonicalJson(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} is not JSON`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Compares strings by UTF-16 code units (not by locale, not by code point), as JCS requires. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
