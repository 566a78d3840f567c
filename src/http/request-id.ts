import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Accepted from X-Request-Id when well-formed, generated otherwise; echoed in the response. */
    requestId: string;
  }
}

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of a request whose X-Request-Id header is `given`: that one when well-formed, else a new UUID. */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    req.requestId = requestIdFrom(req.get('x-request-id'));
    res.set('X-Request-Id', req.requestId);
    next();
  };
}
