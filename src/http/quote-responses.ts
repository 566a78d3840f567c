import { performance } from 'node:perf_hooks';
import { calculateQuoteUnder } from '../rules/calculate-quote';
import type { RuleCatalog } from '../rules/rule-catalog';
import { canonicalJson } from '../trust/canonical-json';
import { issueQuote, issueQuoteBatch } from '../trust/quote-signature';
import type { AppContext } from './context';
import { problemFromError } from './error-handler';
import { presentQuote } from './present-quote';
import { checkBatchLines, toQuoteInput } from './quote-request';
import type { FieldIssue } from '../domain/errors';
import { HttpProblem } from './problem';

/** A batch lets other requests in after at most this much pricing (ms). */
const BATCH_SLICE_MS = 5;

/** How a quote is answered: with explanations, signed. */
export interface QuoteOptions {
  /** `?explain=true`: each line says which rules did not apply and why. */
  readonly explain: boolean;
  /** `?sign=false` answers the priced document alone: no quoteId, issuedAt, expiresAt or signature. */
  readonly sign: boolean;
}

/**
 * The options of the query string (`explain`, `sign`: `true` or `false`; defaults false and
 * true); any other value is a 400 naming the parameter.
 */
export function quoteOptions(query: Readonly<Record<string, unknown>>): QuoteOptions {
  const issues: FieldIssue[] = [];
  const flag = (name: string, otherwise: boolean): boolean => {
    const value = query[name];
    if (value === undefined) return otherwise;
    if (value === 'true' || value === 'false') return value === 'true';
    issues.push({ pointer: `/query/${name}`, detail: `must be true or false (got ${JSON.stringify(value)})`, code: 'enum' });
    return otherwise;
  };
  const options = { explain: flag('explain', false), sign: flag('sign', true) };
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The query has invalid parameters', issues);
  return options;
}

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
export async function quoteAnswer(ctx: AppContext, body: unknown, query: Readonly<Record<string, unknown>>): Promise<string> {
  const options = quoteOptions(query);
  return answerOne(ctx, ctx.catalog(), body, ctx.today(), options);
}

/**
 * The answer to POST /v1/quotes:batch as JSON text, and how many quotes were priced. The
 * batch as a whole must be well-formed (else it throws); each quote is then answered in its
 * slot, a quote's own problem included, all under one catalog (a reload meanwhile does not
 * mix versions).
 */
export async function batchAnswer(ctx: AppContext, body: unknown, query: Readonly<Record<string, unknown>>, at: RequestAt): Promise<{ json: string; priced: number }> {
  const options = quoteOptions(query);
  const issues = ctx.contract.validate('QuoteBatchRequest', body);
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The batch must be {"quotes": [...]} with 1 to 1000 quote requests', issues);
  const batch = body as { quotes: unknown[] };
  checkBatchLines(batch);
  const catalog = ctx.catalog(); // 503 for the whole batch while no rules are loaded
  const today = ctx.today();
  // a slot holds its priced document until the batch is issued, or its problem as JSON
  const slots: Array<{ readonly document: object } | { readonly problem: string }> = [];
  let sliceStart = performance.now();
  for (const quote of batch.quotes) {
    if (performance.now() - sliceStart > BATCH_SLICE_MS) {
      // let other requests (and the liveness probe) in between two quotes of a big batch
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    try {
      slots.push({ document: await priceOne(ctx, catalog, quote, today, options) });
    } catch (error) {
      const problem = problemFromError(error, at, ctx.logger);
      slots.push({ problem: JSON.stringify({ problem, status: problem.status }) });
    }
  }
  const documents = slots.flatMap((slot) => ('document' in slot ? [slot.document] : []));
  // signed, the whole batch takes one signature (over the Merkle root of its quotes); each quote carries its inclusion proof
  const quotes = options.sign ? issueQuoteBatch(documents, ctx.signing).map((issued) => issued.json) : documents.map((document) => canonicalJson(document));
  let next = 0;
  const results = slots.map((slot) => ('document' in slot ? `{"quote":${quotes[next++]!},"status":200}` : slot.problem));
  return { json: `{"results":[${results.join(',')}]}`, priced: documents.length };
}

async function answerOne(ctx: AppContext, catalog: RuleCatalog, body: unknown, today: string, options: QuoteOptions): Promise<string> {
  const document = await priceOne(ctx, catalog, body, today, options);
  // unsigned, the answer is the canonical JSON of the priced document: the same bytes for the same request and rule version
  return options.sign ? issueQuote(document, ctx.signing).json : canonicalJson(document);
}

/** The request validated, priced under the rule version in force on its date, and presented. */
async function priceOne(ctx: AppContext, catalog: RuleCatalog, body: unknown, today: string, options: QuoteOptions): Promise<object> {
  const input = toQuoteInput(ctx.contract, body, today);
  const ruleSet = catalog.versionOn(input.agreement, input.date);
  return presentQuote(await calculateQuoteUnder(ruleSet, input, { explain: options.explain }), ruleSet.version);
}
