import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { logWhenDone } from './access-log';
import { answerStalledBody } from './body-timeout';
import { mayCall, type ApiKeys, type Caller } from './api-key-auth';
import type { AppContext } from './context';
import { problemFromError } from './error-handler';
import { partnerOf } from './metrics';
import { buildProblem, HttpProblem, sendProblem } from './problem';
import { refuseRepeatedMembers } from './repeated-members';
import { batchAnswer, DATE_DEFAULTED_HEADER, quoteAnswer, type RequestAt } from './quote-responses';
import type { TokenBuckets } from './rate-limit';
import { requestIdFrom } from './request-id';
import { setSecurityHeaders } from './security-headers';

export interface QuoteLaneOptions {
  readonly ctx: AppContext;
  /** Largest body taken, in bytes (larger ones go to Express, which answers 413). */
  readonly bodyLimitBytes: number;
  /** A body that receives no byte for this many ms is answered 408, as bodyTimeout does. */
  readonly bodyTimeoutMs: number;
  readonly isShuttingDown: () => boolean;
  readonly securityHeaders: readonly (readonly [string, string])[];
  /** When set, every request needs a known API key (as apiKeyAuth). */
  readonly apiKeys?: ApiKeys;
  readonly rateLimiter?: TokenBuckets;
}

/** Handles a request and returns true, or returns false without touching it (Express serves it). */
export type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

const ROUTES: ReadonlySet<string> = new Set(['/v1/quotes', '/v1/quotes:batch']);
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(;[ \t]*charset[ \t]*=[ \t]*"?utf-8"?[ \t]*)?$/i;

/**
 * The quote lane: POST /v1/quotes and POST /v1/quotes:batch served on node:http directly, the
 * hot path of ERP callers. Express costs more per request than pricing a 10-line quote, so
 * the lane takes the ordinary requests to these two routes — a JSON body of known length,
 * uncompressed, within the limit, from a known key under its rate, while not draining — and
 * answers them exactly as Express would: the same request id, security headers, metrics,
 * access log line, answers (quoteAnswer and batchAnswer) and problems. Every other request,
 * including every one that would be refused before its body is read (401, 403, 413, 415, 429, a
 * chunked or compressed body, a trailing slash), is left untouched to Express, so each of
 * those answers has one implementation. The HTTP tests run through the lane.
 */
export function quoteLane(options: QuoteLaneOptions): Lane {
  const { ctx } = options;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const route = queryAt === -1 ? url : url.slice(0, queryAt);
    if (!ROUTES.has(route) || !takesBody(req, options.bodyLimitBytes) || options.isShuttingDown()) return false;
    let caller: Caller | undefined;
    if (options.apiKeys !== undefined) {
      caller = options.apiKeys.callerOf(req.headers.authorization, headerText(req.headers['x-api-key']));
      // Express answers 401, and 403 to a key that may not price quotes
      if (caller === undefined || !mayCall(caller, 'quote')) return false;
      // a refused token leaves the bucket as it was, so Express takes it again and answers 429
      if (options.rateLimiter !== undefined && !options.rateLimiter.take(caller.keyId).ok) return false;
    }

    const at: RequestAt = { originalUrl: url, requestId: requestIdFrom(req.headers['x-request-id']) };
    res.setHeader('X-Request-Id', at.requestId);
    setSecurityHeaders(res, options.securityHeaders);
    const authenticated = caller === undefined ? {} : { caller };
    ctx.metrics.timeRequest(res, () => ({ method: 'POST', route, partner: partnerOf(authenticated) }));
    logWhenDone(ctx.logger, req, res, () => ({ requestId: at.requestId, route, ...authenticated }));
    const query = queryAt === -1 ? {} : parseQuery(url.slice(queryAt + 1));

    readBody(req, res, options.bodyTimeoutMs, at, (text) => {
      let body: unknown;
      try {
        body = parseJson(text);
      } catch {
        sendProblem(res, buildProblem('MALFORMED_JSON', 'The body could not be parsed as JSON', { instance: at.originalUrl, requestId: at.requestId }));
        return;
      }
      try {
        refuseRepeatedMembers(text, body);
      } catch (error) {
        sendProblem(res, problemFromError(error, at, ctx.logger));
        return;
      }
      const answered: Promise<{ body: string | Buffer; priced: number; dateDefaulted?: string }> =
        route === '/v1/quotes'
          ? quoteAnswer(ctx, body, query, caller).then(({ json, dateDefaulted }) => ({ body: json, priced: 1, ...(dateDefaulted === undefined ? {} : { dateDefaulted }) }))
          : batchAnswer(ctx, body, query, at, caller);
      answered.then(
        ({ body: answer, priced, dateDefaulted }) => {
          ctx.metrics.recordPriced(authenticated, 'quote', priced);
          if (dateDefaulted !== undefined) res.setHeader(DATE_DEFAULTED_HEADER, dateDefaulted);
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': typeof answer === 'string' ? Buffer.byteLength(answer) : answer.length });
          res.end(answer);
        },
        (error: unknown) => {
          const problem = problemFromError(error, at, ctx.logger);
          // counted as the Express path's error handler counts its own (suanpan_server_faults_total)
          if (problem.code === 'INTERNAL_ERROR') ctx.metrics.recordServerFault('unhandled');
          sendProblem(res, problem, error instanceof HttpProblem ? error.headers : {});
        },
      ).catch((error: unknown) => {
        // writing the answer failed (the connection is gone): nothing left to tell the caller
        ctx.logger.error({ err: error, requestId: at.requestId }, 'could not write the answer');
        res.destroy();
      });
    });
    return true;
  };
}

/** A JSON body of known length up to the limit, not compressed, not waiting for 100-continue. */
function takesBody(req: IncomingMessage, limit: number): boolean {
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !JSON_MEDIA_TYPE.test(type)) return false;
  if (headers['transfer-encoding'] !== undefined || headers.expect !== undefined) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const length = headers['content-length'];
  if (length === undefined || !/^[0-9]{1,10}$/.test(length)) return false;
  const bytes = Number(length);
  return bytes > 0 && bytes <= limit;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Reads the whole body as UTF-8 text and hands it to `then`; answers 408 (and closes the
 * connection) when no byte arrives for `idleMs`, as bodyTimeout does on the Express path.
 */
function readBody(req: IncomingMessage, res: ServerResponse, idleMs: number, at: RequestAt, then: (text: string) => void): void {
  const chunks: Buffer[] = [];
  const timer = setTimeout(stalled, idleMs);
  function stalled(): void {
    if (!res.headersSent) answerStalledBody(req, res, idleMs, at);
  }
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    timer.refresh();
  });
  req.once('end', () => {
    clearTimeout(timer);
    if (res.headersSent) return;
    then((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
  });
  req.once('close', () => clearTimeout(timer));
  res.once('close', () => clearTimeout(timer));
}

/**
 * JSON.parse as express.json({ strict: true }) reads a body: a UTF-8 byte order mark is
 * dropped, and the text must be an object or an array.
 */
function parseJson(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(json)?.[1];
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
  return JSON.parse(json);
}
