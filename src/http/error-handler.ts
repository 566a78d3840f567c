import type { ErrorRequestHandler } from 'express';
import { DomainError, OrderRefused } from '../domain/errors';
import { SpillFailedError } from '../io/spill-files';
import type { Metrics } from './metrics';
import { buildProblem, HttpProblem, sendProblem, type Problem } from './problem';

/** A logger with pino's call shape (pino satisfies it; tests pass a silent one). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * Turns any error into an RFC 9457 problem. Known errors keep their code; body-parser's map
 * to MALFORMED_JSON / PAYLOAD_TOO_LARGE / UNSUPPORTED_MEDIA_TYPE; anything else is a 500
 * whose body says nothing of the internals (the log has the stack and the request id).
 */
export function problemFromError(error: unknown, req: { readonly originalUrl: string; readonly requestId: string }, logger: Logger): Problem {
  const extras = { instance: req.originalUrl, requestId: req.requestId };
  if (error instanceof HttpProblem) return buildProblem(error.code, error.message, { ...extras, errors: error.errors });
  if (error instanceof DomainError) {
    const code = error.code === 'RULESET_INVALID' ? 'RULESET_INVALID' : error.code;
    return buildProblem(code, error.message, { ...extras, errors: error.issues, ...(error instanceof OrderRefused ? { breaches: error.breaches } : {}) });
  }
  const parserError = error as BodyParserError;
  switch (parserError.type) {
    case 'entity.parse.failed':
      return buildProblem('MALFORMED_JSON', 'The body could not be parsed as JSON', extras);
    case 'entity.too.large':
      return buildProblem('PAYLOAD_TOO_LARGE', 'The body is larger than the limit', extras);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return buildProblem('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding or charset (use UTF-8)', extras);
    case 'request.aborted':
      return buildProblem('MALFORMED_JSON', 'The body ended before its declared length', extras);
    default:
      break;
  }
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return buildProblem('VALIDATION_FAILED', 'The request could not be read', extras);
  }
  if (error instanceof SpillFailedError) {
    logger.error({ err: error, requestId: req.requestId }, 'settlement spill failed (is the temporary directory there, writable, and not full?)');
    return buildProblem('INTERNAL_ERROR', undefined, extras);
  }
  logger.error({ err: error, requestId: req.requestId }, 'unhandled error');
  return buildProblem('INTERNAL_ERROR', undefined, extras);
}

/**
 * The Express error handler: answers the problem of `error` and counts each internal error in
 * `suanpan_server_faults_total` (kind `spill`, or `unhandled`). An answer given before the body
 * was read to its end closes the connection (the rest of the body is not waited for).
 */
export function errorHandler(logger: Logger, metrics?: Pick<Metrics, 'recordServerFault'>): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = problemFromError(error, req, logger);
    if (problem.code === 'INTERNAL_ERROR') metrics?.recordServerFault(error instanceof SpillFailedError ? 'spill' : 'unhandled');
    const headers = { ...(req.complete ? {} : { Connection: 'close' }), ...(error instanceof HttpProblem ? error.headers : {}) };
    sendProblem(res, problem, headers);
  };
}
