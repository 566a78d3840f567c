import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Accepted from X-Request-Id when well-formed, generated otherwise; echoed in the response. */
    requestId: string;
  }
}

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    req.requestId = given !== undefined && WELL_FORMED.test(given) ? given : randomUUID();
    res.set('X-Request-Id', req.requestId);
    next();
  };
}
