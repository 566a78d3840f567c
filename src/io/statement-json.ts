import { wireStatement } from '../domain/settlement';
import type { PrintableStatement } from './statement-sections';

/**
 * The statement as JSON text, piece by piece: exactly `JSON.stringify(statement, null, indent)`
 * of the statement with its discrepancies as an array (members in the statement's order),
 * written one discrepancy at a time so a statement of millions of them is never one string.
 * `indent` 0 (the API's compact answer) or 2 (the command line's).
 */
export function* statementJsonPieces(statement: PrintableStatement, indent: 0 | 2 = 0): Generator<string> {
  const pad = ' '.repeat(indent);
  const newline = indent === 0 ? '' : '\n';
  // a member's value one level deep, a discrepancy two: their own lines indented as deep
  const nested = (value: unknown, depth: number): string => {
    const text = JSON.stringify(value, null, indent);
    return indent === 0 ? text : text.replace(/\n/g, `\n${pad.repeat(depth)}`);
  };
  let separator = '{';
  for (const [name, value] of Object.entries(wireStatement(statement))) {
    if (value === undefined || typeof value === 'function') continue;
    yield `${separator}${newline}${pad}${JSON.stringify(name)}:${indent === 0 ? '' : ' '}`;
    separator = ',';
    if (name !== 'discrepancies') {
      yield nested(value, 1);
      continue;
    }
    let comma = '';
    yield '[';
    for (const discrepancy of statement.discrepancies as Iterable<unknown>) {
      yield `${comma}${newline}${pad}${pad}${nested(discrepancy, 2)}`;
      comma = ',';
    }
    yield comma === '' ? ']' : `${newline}${pad}]`;
  }
  yield separator === '{' ? '{}' : `${newline}}`;
}
