import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { buildProblem, sendProblem } from './problem';

/**
 * Answers 408 REQUEST_TIMEOUT (problem+json, `Connection: close`) when no byte of a request's
 * body has arrived for `idleMs` — a client that sent fewer bytes than its Content-Length, or one
 * that stalled. It is an idle bound, not a total one, so a long upload that keeps moving (a
 * streamed settlement file) is not cut; Node's server.requestTimeout bounds the total.
 * Progress is read from the socket's byte count, so the body stream is left to its reader.
 */
export function bodyTimeout(idleMs: number): RequestHandler {
  return (req, res, next) => {
    if (req.get('content-length') === undefined && req.get('transfer-encoding') === undefined) {
      next();
      return;
    }
    let bytesSeen = req.socket.bytesRead;
    let timer: NodeJS.Timeout;
    const check = (): void => {
      if (res.headersSent) return;
      if (req.socket.bytesRead !== bytesSeen) {
        bytesSeen = req.socket.bytesRead;
        timer = setTimeout(check, idleMs);
        return;
      }
      answerStalledBody(req, res, idleMs, { originalUrl: req.originalUrl, requestId: req.requestId });
    };
    timer = setTimeout(check, idleMs);
    const clear = (): void => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    res.once('close', clear);
    next();
  };
}

/** The 408 of a body that stalled for `idleMs`; the connection closes once it is sent (the rest of the body may never come). */
export function answerStalledBody(req: IncomingMessage, res: ServerResponse, idleMs: number, at: { readonly originalUrl: string; readonly requestId: string }): void {
  res.once('finish', () => req.socket.destroySoon());
  sendProblem(res, buildProblem('REQUEST_TIMEOUT', `No byte of the body arrived for ${idleMs} ms`, { instance: at.originalUrl, requestId: at.requestId }), { Connection: 'close' });
}
