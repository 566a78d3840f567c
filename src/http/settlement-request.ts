import type { Readable } from 'node:stream';
import type { Request } from 'express';
import type { FieldIssue } from '../domain/errors';
import { countBytes, InputTooLargeError, type SettlementFileFormat } from '../io/read-settlement-file';
import type { TextEncodingName } from '../io/text-decoding';
import { SpillFailedError } from '../io/spill-files';
import type { SettlementRequest } from '../rules/calculate-settlement';
import type { ApiContract } from './api-contract';
import { HttpProblem } from './problem';

/** The representations of a statement, by Accept. */
export type StatementFormat = 'json' | 'csv' | 'html' | 'xlsx';

const MEDIA_TYPES: Readonly<Record<string, StatementFormat>> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'text/html': 'html',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};
const FILE_FORMATS: Readonly<Record<string, SettlementFileFormat>> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/ndjson': 'ndjson' };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;

/** Validates a JSON settlement body against openapi.yaml's SettlementRequest; throws VALIDATION_FAILED naming every field. */
export function toSettlementRequest(contract: ApiContract, body: unknown): SettlementRequest {
  const issues = contract.validate('SettlementRequest', body);
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', `The settlement request has ${issues.length} invalid field(s): ${issues.slice(0, 20).map((i) => `${i.pointer} ${i.detail}`).join('; ')}`, issues);
  return body as SettlementRequest;
}

/** The file format of an uploaded body, or undefined when the body is JSON; throws 415 for anything else. */
export function uploadFormat(req: Request): SettlementFileFormat | undefined {
  if (req.is('application/json')) return undefined;
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const format = FILE_FORMATS[type];
  if (format === undefined) {
    throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', `Send the settlement as application/json, text/csv or application/x-ndjson (got ${req.get('content-type') ?? 'no Content-Type'})`);
  }
  return format;
}

const CHARSETS: Readonly<Record<string, TextEncodingName>> = { 'utf-8': 'utf-8', utf8: 'utf-8', gb18030: 'gb18030', gbk: 'gb18030', gb2312: 'gb18030' };

/**
 * The encoding an upload's Content-Type declares (`charset=utf-8`, or `gbk`, `gb2312`,
 * `gb18030`: all read as GB18030, their superset); undefined when it declares none, and the
 * file is read as what its bytes are (see InputTextDecoder). Any other charset is a 415.
 */
export function uploadEncoding(req: Request): TextEncodingName | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset === undefined) return undefined;
  const encoding = CHARSETS[charset];
  if (encoding === undefined) throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', `A CSV or NDJSON upload is read as UTF-8 or GB18030 (charset=utf-8, gbk, gb2312 or gb18030; got charset=${charset})`);
  return encoding;
}

/** `agreement`, `from` and `to` from the query string of an uploaded settlement. */
export function uploadQuery(req: Request): { agreement: string; from: string; to: string } {
  const issues: FieldIssue[] = [];
  const read = (name: string, pattern: RegExp, what: string): string => {
    const value = req.query[name];
    if (typeof value !== 'string' || !pattern.test(value)) issues.push({ pointer: `/query/${name}`, detail: `is required with a CSV or NDJSON body: ${what}`, code: 'required' });
    return typeof value === 'string' ? value : '';
  };
  const query = { agreement: read('agreement', ID, 'the agreement id'), from: read('from', ISO_DATE, 'the first day (yyyy-mm-dd)'), to: read('to', ISO_DATE, 'the last day (yyyy-mm-dd)') };
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'Name the settlement in the query: ?agreement=…&from=yyyy-mm-dd&to=yyyy-mm-dd', issues);
  return query;
}

/** The representation Accept asks for (JSON when it does not care); throws 406 when none fits. */
export function statementFormat(req: Request): StatementFormat {
  const accepted = req.accepts(Object.keys(MEDIA_TYPES));
  if (accepted === false) throw new HttpProblem('NOT_ACCEPTABLE', 'A statement is available as application/json, text/csv, text/html or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  return MEDIA_TYPES[accepted]!;
}

/** The upload's bytes, failing past `maxBytes`; an aborted upload ends the stream with its error. */
export function uploadStream(req: Request, maxBytes: number): Readable {
  const counted = countBytes(() => undefined, maxBytes);
  req.on('error', (error) => counted.destroy(error));
  return req.pipe(counted);
}

/** Maps a failure while reading an upload to its problem: too large (413) or cut short (400); a failed spill stays the server's fault. */
export function uploadProblem(error: unknown, req: Request): unknown {
  if (error instanceof InputTooLargeError) return new HttpProblem('PAYLOAD_TOO_LARGE', `The upload is larger than ${error.limit} bytes`, [], { Connection: 'close' });
  if (error instanceof SpillFailedError) return error;
  if (!req.complete) return new HttpProblem('VALIDATION_FAILED', 'The upload ended before it was complete');
  return error;
}
