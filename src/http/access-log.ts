import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from './error-handler';

/** What an access log line says of a request besides its method, status, duration and sizes. */
export interface AccessInfo {
  readonly requestId: string;
  readonly route: string;
  readonly caller?: { readonly partnerId: string; readonly keyId: string };
}

/**
 * Logs one line per request when its response is finished (or the connection dropped before):
 * request id, method, route template, status, duration, bytes, partner and key fingerprint.
 * Never bodies, query strings or headers: those may carry customers' data or keys. `info` is
 * read when the line is written.
 */
export function logWhenDone(logger: Logger, req: IncomingMessage, res: ServerResponse, info: () => AccessInfo): void {
  const started = process.hrtime.bigint();
  let logged = false;
  const log = (): void => {
    if (logged) return;
    logged = true;
    const finished = res.writableFinished;
    const { requestId, route, caller } = info();
    const entry = {
      requestId,
      method: req.method,
      route,
      status: finished ? res.statusCode : undefined,
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      requestBytes: Number(req.headers['content-length'] ?? 0),
      responseBytes: Number(res.getHeader('content-length') ?? 0),
      ...(caller === undefined ? {} : { partnerId: caller.partnerId, keyId: caller.keyId }),
    };
    if (!finished) logger.warn({ ...entry, aborted: true }, 'request aborted by the client');
    else if (res.statusCode >= 500) logger.error(entry, 'request failed');
    else logger.info(entry, 'request');
  };
  res.once('finish', log);
  res.once('close', log);
}

/** The access log of every request Express serves (see {@link logWhenDone}). */
export function accessLog(logger: Logger, routeOf: (req: Request) => string): RequestHandler {
  return (req, res, next) => {
    logWhenDone(logger, req, res, () => ({ requestId: req.requestId, route: routeOf(req), ...(req.caller === undefined ? {} : { caller: req.caller }) }));
    next();
  };
}
