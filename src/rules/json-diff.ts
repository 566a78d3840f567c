/** One place where two JSON values differ. */
export interface JsonDifference {
  /** JSON pointer, e.g. `/lines/0/unitPrice`; `/` for the whole value. */
  readonly path: string;
  /** Absent when the left value lacks the field. */
  readonly left?: unknown;
  /** Absent when the right value lacks the field. */
  readonly right?: unknown;
}

/**
 * Every place where two JSON values differ: objects member by member (either side's
 * members), arrays item by item, scalars exactly (so decimal strings "0.10" and "0.1" differ).
 * @example diffJson({ a: '1.00', b: [1] }, { a: '1.0', b: [1, 2] }) // [{path:'/a',…}, {path:'/b/1', right: 2}]
 */
export function diffJson(left: unknown, right: unknown, at = ''): JsonDifference[] {
  if (Array.isArray(left) && Array.isArray(right)) {
    const out: JsonDifference[] = [];
    for (let i = 0; i < Math.max(left.length, right.length); i++) out.push(...diffJson(left[i], right[i], `${at}/${i}`));
    return out;
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    return keys.flatMap((key) => diffJson(left[key], right[key], `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  const same = !isPlainObject(left) && !isPlainObject(right) && !Array.isArray(left) && !Array.isArray(right) && Object.is(left, right);
  return same ? [] : [{ path: at === '' ? '/' : at, ...(left === undefined ? {} : { left }), ...(right === undefined ? {} : { right }) }];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
