import type { RequestHandler } from 'express';

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
