import { calculateQuoteUnder } from '../rules/calculate-quote';
import type { RuleCatalog } from '../rules/rule-catalog';
import { timeSlicer } from '../rules/time-slicer';
import { canonicalJson } from '../trust/canonical-json';
import { issueQuote, QuoteBatchIssuer } from '../trust/quote-signature';
import type { AppContext } from './context';
import { problemFromError } from './error-handler';
import { presentQuote } from './present-quote';
import { checkBatchLines, toQuoteInput } from './quote-request';
import type { AgreementVersion } from '../domain/agreement';
import type { FieldIssue } from '../domain/errors';
import { quoteInputIssues } from '../domain/line-facts';
import type { AttributeValue, QuoteInput } from '../domain/quote';
import { HttpProblem } from './problem';
import { requireAgreement, type Caller } from './api-key-auth';

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

/** A quote answer's JSON, and the date a request without one was priced for (today). */
export interface QuoteAnswer {
  readonly json: string;
  /** Set when the request had no `date`: the answer is for today, in the business time zone. */
  readonly dateDefaulted?: string;
}

/**
 * The answer to POST /v1/quotes as JSON text: the request body validated, priced with the
 * rules in force on its date, presented and signed (issued to `caller` when authenticated).
 * Throws HttpProblem or DomainError for the error handler. Both the Express route and the
 * quote lane answer with it.
 */
export async function quoteAnswer(ctx: AppContext, body: unknown, query: Readonly<Record<string, unknown>>, caller?: Caller): Promise<QuoteAnswer> {
  const options = quoteOptions(query);
  const today = todayFor(ctx, body);
  const document = await priceOne(ctx, ctx.catalog(), body, today, options, caller);
  // unsigned, the answer is the canonical JSON of the priced document: the same bytes for the same request and rule version
  const json = options.sign ? issueQuote(document, ctx.signing, caller).json : canonicalJson(document);
  return leavesDateToDefault(body) ? { json, dateDefaulted: today } : { json };
}

/**
 * The answer to POST /v1/quotes:batch as JSON (UTF-8 bytes: a batch's quotes are encoded once
 * each, and the whole is not measured again for its length), how many quotes were priced, and
 * today's date when a quote of the batch had none. The batch as a whole must be well-formed
 * (else it throws); each quote is then answered in its slot, a quote's own problem included
 * (403 for an agreement `caller` may not use), all under one catalog (a reload meanwhile does
 * not mix versions).
 */
export async function batchAnswer(
  ctx: AppContext,
  body: unknown,
  query: Readonly<Record<string, unknown>>,
  at: RequestAt,
  caller?: Caller,
): Promise<{ body: Buffer; priced: number; dateDefaulted?: string }> {
  const options = quoteOptions(query);
  const issues = ctx.contract.validate('QuoteBatchRequest', body);
  if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The batch must be {"quotes": [...]} with 1 to 1000 quote requests', issues);
  const batch = body as { quotes: unknown[] };
  checkBatchLines(batch);
  const catalog = ctx.catalog(); // 503 for the whole batch while no rules are loaded
  // signed, the whole batch takes one signature (over the Merkle root of its quotes); each quote carries its inclusion proof
  const issuer = options.sign ? new QuoteBatchIssuer(ctx.signing, caller) : undefined;
  // each priced quote is encoded at once (unsigned) or added to the issuer; a problem is kept for its slot
  const unsigned: Buffer[] = [];
  const problems = new Map<number, string>();
  const slicer = timeSlicer(BATCH_SLICE_MS);
  let dateDefaulted: string | undefined;
  for (const [slot, quote] of batch.quotes.entries()) {
    // lets other requests (and the liveness probe) in between two quotes of a big batch
    await slicer.maybeYield();
    try {
      const today = todayFor(ctx, quote);
      const document = await priceOne(ctx, catalog, quote, today, options, caller);
      if (issuer === undefined) unsigned.push(Buffer.from(canonicalJson(document), 'utf8'));
      else issuer.add(document);
      if (dateDefaulted === undefined && leavesDateToDefault(quote)) dateDefaulted = today;
    } catch (error) {
      const problem = problemFromError(error, at, ctx.logger);
      problems.set(slot, JSON.stringify({ problem, status: problem.status }));
    }
  }
  const quotes = issuer === undefined ? unsigned : issuer.finish();
  const chunks: Buffer[] = [RESULTS_OPEN];
  let next = 0;
  for (let i = 0; i < batch.quotes.length; i++) {
    if (i > 0) chunks.push(COMMA);
    const problem = problems.get(i);
    if (problem === undefined) chunks.push(QUOTE_OPEN, quotes[next++]!, QUOTE_CLOSE);
    else chunks.push(Buffer.from(problem, 'utf8'));
  }
  chunks.push(RESULTS_CLOSE);
  return { body: Buffer.concat(chunks), priced: quotes.length, ...(dateDefaulted === undefined ? {} : { dateDefaulted }) };
}

/** Whether a (valid) quote request leaves its date to the default. */
function leavesDateToDefault(request: unknown): boolean {
  return (request as { date?: unknown }).date === undefined;
}

/** The header naming the date a quote without one was priced for (see openapi.yaml). */
export const DATE_DEFAULTED_HEADER = 'Suanpan-Date-Defaulted';

const RESULTS_OPEN = Buffer.from('{"results":[');
const QUOTE_OPEN = Buffer.from('{"quote":');
const QUOTE_CLOSE = Buffer.from(',"status":200}');
const COMMA = Buffer.from(',');
const RESULTS_CLOSE = Buffer.from(']}');

/** Today in the time zone of the agreement the request names: the date of a quote that gives none. */
function todayFor(ctx: AppContext, body: unknown): string {
  const agreement = (body as { agreement?: unknown } | null)?.agreement;
  return ctx.today(typeof agreement === 'string' ? agreement : undefined);
}

/** The request validated, priced under the rule version in force on its date, and presented; 403 for an agreement `caller` may not use. */
async function priceOne(ctx: AppContext, catalog: RuleCatalog, body: unknown, today: string, options: QuoteOptions, caller: Caller | undefined): Promise<object> {
  const input = withEveryProblem(catalog, body, today, () => toQuoteInput(ctx.contract, body, today));
  requireAgreement(caller, input.agreement, '/agreement');
  const ruleSet = catalog.versionOn(input.agreement, input.date);
  return presentQuote(await calculateQuoteUnder(ruleSet, input, { explain: options.explain }), ruleSet.version);
}

/**
 * Runs the contract check; when it fails, the agreement's own problems of what could still be
 * read (an unknown SKU on another line, an undeclared attribute) join its errors, so the caller
 * hears every problem of the request in one answer.
 */
function withEveryProblem(catalog: RuleCatalog, body: unknown, today: string, check: () => QuoteInput): QuoteInput {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.code !== 'VALIDATION_FAILED') throw error;
    const more = readableQuoteIssues(catalog, body, today).filter((issue) => !error.errors.some((reported) => issue.pointer.startsWith(reported.pointer) || reported.pointer.startsWith(issue.pointer)));
    if (more.length === 0) throw error;
    throw new HttpProblem('VALIDATION_FAILED', `${error.message}; ${more.map((issue) => `${issue.pointer} ${issue.detail}`).join('; ')}`, [...error.errors, ...more], error.headers);
  }
}

/** The agreement's problems with the readable parts of a quote body that broke the contract (none when its agreement or date cannot be read). */
function readableQuoteIssues(catalog: RuleCatalog, body: unknown, today: string): FieldIssue[] {
  const request = body as { agreement?: unknown; date?: unknown; channel?: unknown; buyer?: unknown; attributes?: unknown; coupon?: unknown; lines?: unknown } | null;
  if (request === null || typeof request !== 'object' || typeof request.agreement !== 'string') return [];
  const date = typeof request.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(request.date) ? request.date : today;
  let version: AgreementVersion;
  try {
    version = catalog.versionOn(request.agreement, date).version;
  } catch {
    return [];
  }
  const object = (value: unknown): Record<string, AttributeValue> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, AttributeValue>) : {});
  const buyer = object(request.buyer);
  const lines = Array.isArray(request.lines) ? (request.lines as unknown[]) : [];
  const issues = quoteInputIssues(version, {
    agreement: request.agreement,
    channel: typeof request.channel === 'string' ? request.channel : [...version.channels.keys()][0]!,
    date,
    buyer: { ...buyer, id: typeof buyer['id'] === 'string' ? buyer['id'] : '' },
    attributes: object(request.attributes),
    ...(typeof request.coupon === 'string' ? { coupon: request.coupon } : {}),
    lines: lines.map((line) => ({ sku: typeof object(line)['sku'] === 'string' ? (object(line)['sku'] as string) : [...version.catalog.keys()][0]!, quantity: 1 })),
  });
  return issues;
}
