import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { buildProblem, sendProblem } from './problem';

/**
 * Once shutdown has begun, every response says `Connection: close`, so clients on keep-alive
 * connections move to another replica instead of sending more requests to one that is leaving.
 */
export function closeConnectionsWhenDraining(isShuttingDown: () => boolean): RequestHandler {
  return (_req, res, next) => {
    if (isShuttingDown()) res.set('Connection', 'close');
    next();
  };
}

/** Seconds a client is told to wait before sending an upload cut short by shutdown again. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/**
 * The requests whose bodies are still arriving (a settlement file being uploaded, a body sent
 * slowly), so that shutdown can answer them rather than reset their connections at its
 * deadline. `track` takes every request of the server (register it as a 'request' listener).
 */
export class UploadsInFlight {
  private readonly uploads = new Map<IncomingMessage, ServerResponse>();

  track(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete) return;
    this.uploads.set(req, res);
    const forget = (): void => {
      this.uploads.delete(req);
    };
    req.once('end', forget);
    res.once('finish', forget);
    res.once('close', forget);
  }

  /** How many requests are still receiving their bodies. */
  get size(): number {
    return this.uploads.size;
  }

  /**
   * Stops reading every body still arriving and answers its request `503 SHUTTING_DOWN` with
   * `Retry-After` and `Connection: close` (the connection closes once it is sent): the client
   * hears it should send the upload again, to a replica that stays. Returns how many.
   */
  answerShuttingDown(): number {
    let answered = 0;
    for (const [req, res] of this.uploads) {
      this.uploads.delete(req);
      if (res.headersSent || req.complete) continue;
      req.unpipe();
      req.pause();
      res.once('finish', () => req.socket.destroySoon());
      const requestId = res.getHeader('x-request-id');
      sendProblem(
        res,
        buildProblem('SHUTTING_DOWN', 'The service is shutting down and stopped reading this upload; send it again', { instance: req.url ?? '', ...(typeof requestId === 'string' ? { requestId } : {}) }),
        { 'Retry-After': String(SHUTDOWN_RETRY_AFTER_SECONDS), Connection: 'close' },
      );
      answered++;
    }
    return answered;
  }
}
