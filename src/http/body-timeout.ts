import type { RequestHandler } from 'express';
import { buildProblem, sendProblem } from './problem';

/**
 * Answers 408 REQUEST_TIMEOUT (problem+json, `Connection: close`) when a request's body has not
 * fully arrived within `ms` — a client that sent fewer bytes than its Content-Length, or one that
 * trickles them. Node's own server.requestTimeout stays as the hard backstop behind it.
 */
export function bodyTimeout(ms: number): RequestHandler {
  return (req, res, next) => {
    if (req.readableEnded || (req.get('content-length') === undefined && req.get('transfer-encoding') === undefined)) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.once('finish', () => req.socket.destroySoon());
      sendProblem(res, buildProblem('REQUEST_TIMEOUT', `The body did not arrive within ${ms} ms`, { instance: req.originalUrl, requestId: req.requestId }), { Connection: 'close' });
    }, ms);
    const clear = (): void => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    res.once('close', clear);
    next();
  };
}
