import type { Request, RequestHandler } from 'express';
import type { Logger } from './error-handler';

/**
 * Logs one line per request when its response is finished (or the connection dropped before):
 * request id, method, route template, status, duration, bytes, partner and key fingerprint.
 * Never bodies, query strings or headers: those may carry customers' data or keys.
 */
export function accessLog(logger: Logger, routeOf: (req: Request) => string): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      const finished = res.writableFinished;
      const entry = {
        requestId: req.requestId,
        method: req.method,
        route: routeOf(req),
        status: finished ? res.statusCode : undefined,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        requestBytes: Number(req.get('content-length') ?? 0),
        responseBytes: Number(res.getHeader('content-length') ?? 0),
        ...(req.caller === undefined ? {} : { partnerId: req.caller.partnerId, keyId: req.caller.keyId }),
      };
      if (!finished) logger.warn({ ...entry, aborted: true }, 'request aborted by the client');
      else if (res.statusCode >= 500) logger.error(entry, 'request failed');
      else logger.info(entry, 'request');
    };
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}
