import { wireStatement } from '../domain/settlement';
import type { PrintableStatement } from './statement-sections';

/**
 * The statement as JSON text, piece by piece: exactly `JSON.stringify` of the statement with
 * its discrepancies as an array (members in the statement's order), written one discrepancy
 * at a time so a statement of millions of them is never one string.
 */
export function* statementJsonPieces(statement: PrintableStatement): Generator<string> {
  let separator = '{';
  for (const [name, value] of Object.entries(wireStatement(statement))) {
    if (value === undefined || typeof value === 'function') continue;
    yield `${separator}${JSON.stringify(name)}:`;
    separator = ',';
    if (name !== 'discrepancies') {
      yield JSON.stringify(value);
      continue;
    }
    let comma = '';
    yield '[';
    for (const discrepancy of statement.discrepancies as Iterable<unknown>) {
      yield comma + JSON.stringify(discrepancy);
      comma = ',';
    }
    yield ']';
  }
  yield separator === '{' ? '{}' : '}';
}
