import type { AttributeValue, QuoteInput } from '../domain/quote';
import type { ApiContract } from './api-contract';
import { HttpProblem } from './problem';

interface QuoteRequestBody {
  agreement: string;
  channel: string;
  date?: string;
  buyer: { id: string } & Record<string, AttributeValue>;
  attributes?: Record<string, AttributeValue>;
  coupon?: string | null;
  lines: { sku: string; quantity: number }[];
}

/**
 * Validates a quote request body against openapi.yaml's QuoteRequest and fills the default
 * date (today). Throws VALIDATION_FAILED naming every field. The buyer and order attributes
 * are checked against the agreement's declarations when the quote is priced.
 */
export function toQuoteInput(contract: ApiContract, body: unknown, today: string): QuoteInput {
  const issues = contract.validate('QuoteRequest', body);
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', `The quote request has ${issues.length} invalid field(s): ${issues.map((i) => `${i.pointer} ${i.detail}`).join('; ')}`, issues);
  const request = body as QuoteRequestBody;
  return {
    agreement: request.agreement,
    channel: request.channel,
    date: request.date ?? today,
    buyer: request.buyer,
    ...(request.attributes === undefined ? {} : { attributes: request.attributes }),
    ...(request.coupon === undefined ? {} : { coupon: request.coupon }),
    lines: request.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
  };
}

/** The most lines a batch may carry in all its quotes together (stated in openapi.yaml). */
export const MAX_LINES_PER_BATCH = 10_000;

/**
 * Refuses a batch whose quotes carry more than MAX_LINES_PER_BATCH lines together: within the
 * per-quote and per-batch limits a 5 MB batch could otherwise hold ~160,000 lines, take tens of
 * seconds of CPU and answer with hundreds of megabytes.
 */
export function checkBatchLines(batch: { quotes: unknown[] }): void {
  let lines = 0;
  for (const quote of batch.quotes) {
    const quoteLines = (quote as { lines?: unknown } | null)?.lines;
    if (Array.isArray(quoteLines)) lines += quoteLines.length;
  }
  if (lines > MAX_LINES_PER_BATCH) {
    throw new HttpProblem('VALIDATION_FAILED', `The batch has ${lines} lines in all; at most ${MAX_LINES_PER_BATCH} are priced in one call (split it)`, [
      { pointer: '/quotes', detail: `must have at most ${MAX_LINES_PER_BATCH} lines in all its quotes (has ${lines})`, code: 'maxLinesPerBatch' },
    ]);
  }
}
