import { performance } from 'node:perf_hooks';
import { calculateQuoteUnder } from '../rules/calculate-quote';
import type { RuleCatalog } from '../rules/rule-catalog';
import { issueQuote } from '../trust/quote-signature';
import type { AppContext } from './context';
import { problemFromError } from './error-handler';
import { presentQuote } from './present-quote';
import { checkBatchLines, toQuoteInput } from './quote-request';
import { HttpProblem } from './problem';

/** A batch lets other requests in after at most this much pricing (ms). */
const BATCH_SLICE_MS = 5;

/** Where a request came from, for the problems it gets. */
export interface RequestAt {
  readonly originalUrl: string;
  readonly requestId: string;
}

/**
 * The answer to POST /v1/quotes as JSON text: the request body validated, priced with the
 * rules in force on its date, presented and signed. Throws HttpProblem or DomainError for
 * the error handler. Both the Express route and the quote lane answer with it.
 */
export async function quoteAnswer(ctx: AppContext, body: unknown, explain: boolean): Promise<string> {
  return issueOne(ctx, ctx.catalog(), body, ctx.today(), explain);
}

/**
 * The answer to POST /v1/quotes:batch as JSON text, and how many quotes were priced. The
 * batch as a whole must be well-formed (else it throws); each quote is then answered in its
 * slot, a quote's own problem included, all under one catalog (a reload meanwhile does not
 * mix versions).
 */
export async function batchAnswer(ctx: AppContext, body: unknown, explain: boolean, at: RequestAt): Promise<{ json: string; priced: number }> {
  const issues = ctx.contract.validate('QuoteBatchRequest', body);
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The batch must be {"quotes": [...]} with 1 to 1000 quote requests', issues);
  const batch = body as { quotes: unknown[] };
  checkBatchLines(batch);
  const catalog = ctx.catalog(); // 503 for the whole batch while no rules are loaded
  const today = ctx.today();
  // each result is written as JSON once: a quote's is the signed string itself
  const results: string[] = [];
  let priced = 0;
  let sliceStart = performance.now();
  for (const quote of batch.quotes) {
    if (performance.now() - sliceStart > BATCH_SLICE_MS) {
      // let other requests (and the liveness probe) in between two quotes of a big batch
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    try {
      results.push(`{"quote":${await issueOne(ctx, catalog, quote, today, explain)},"status":200}`);
      priced++;
    } catch (error) {
      const problem = problemFromError(error, at, ctx.logger);
      results.push(JSON.stringify({ problem, status: problem.status }));
    }
  }
  return { json: `{"results":[${results.join(',')}]}`, priced };
}

async function issueOne(ctx: AppContext, catalog: RuleCatalog, body: unknown, today: string, explain: boolean): Promise<string> {
  const input = toQuoteInput(ctx.contract, body, today);
  const ruleSet = catalog.versionOn(input.agreement, input.date);
  const quote = await calculateQuoteUnder(ruleSet, input, { explain });
  return issueQuote(presentQuote(quote, ruleSet.version), ctx.signing).json;
}
