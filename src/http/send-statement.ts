import type { Response } from 'express';
import type { StreamedStatement } from '../domain/settlement';
import { statementCsvLines } from '../io/statement-csv';
import { STATEMENT_HTML_CSP, statementHtmlLines } from '../io/statement-html';
import { statementJsonPieces } from '../io/statement-json';
import type { StatementPresentation } from '../io/statement-presentation';
import { XLSX_MEDIA_TYPE, writeStatementXlsx } from '../io/statement-xlsx';
import type { StatementFormat } from './settlement-request';

/** Characters gathered before a write: few large writes, each waiting for the client to drain the one before. */
const WRITE_CHARS = 1 << 16;

/**
 * Answers with the statement in the negotiated representation, written as a stream (its
 * discrepancies read back one at a time and the socket drained between writes), so an answer
 * of millions of discrepancies is never one string; then closes the statement's discrepancies.
 * The formats people read (HTML, xlsx) take the agreement's `presentation` (its scale, 折,
 * channel labels, rebate tiers); without it they read from the statement alone.
 */
export async function sendStatement(res: Response, statement: StreamedStatement, format: StatementFormat, presentation?: StatementPresentation): Promise<void> {
  try {
    res.vary('Accept');
    const name = `settlement-${statement.agreement}-${statement.period.from}-${statement.period.to}`;
    if (format === 'json') {
      res.type('application/json; charset=utf-8');
      await writePieces(res, statementJsonPieces(statement));
    } else if (format === 'csv') {
      res.set('Content-Disposition', `attachment; filename="${name}.csv"`).type('text/csv; charset=utf-8');
      await writePieces(res, statementCsvLines(statement));
    } else if (format === 'xlsx') {
      res.set('Content-Disposition', `attachment; filename="${name}.xlsx"`).type(XLSX_MEDIA_TYPE);
      await writeStatementXlsx(statement, res, presentation);
    } else {
      res.set('Content-Security-Policy', STATEMENT_HTML_CSP).type('text/html; charset=utf-8');
      await writePieces(res, statementHtmlLines(statement, presentation));
    }
  } finally {
    statement.discrepancies.close();
  }
}

async function writePieces(res: Response, pieces: Iterable<string>): Promise<void> {
  let buffered = '';
  for (const piece of pieces) {
    buffered += piece;
    if (buffered.length < WRITE_CHARS) continue;
    const flowing = res.write(buffered);
    buffered = '';
    // the client went away: nothing more to write
    if (res.destroyed) return;
    if (!flowing) await drainedOrClosed(res);
    if (res.destroyed) return;
  }
  res.end(buffered);
}

/** Resolves when the response can take more, or is closed (its listeners removed either way: one wait per write). */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
