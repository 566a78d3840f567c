import { Router, type Response } from 'express';
import type { AppContext } from '../context';
import { batchAnswer, DATE_DEFAULTED_HEADER, quoteAnswer } from '../quote-responses';

/**
 * POST /v1/quotes and POST /v1/quotes:batch through Express: the requests the quote lane
 * (src/http/quote-lane.ts) leaves to Express, with the same answers.
 */
export function quoteRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/v1/quotes', ctx.requireJson, async (req, res) => {
    const { json, dateDefaulted } = await quoteAnswer(ctx, req.body, req.query, req.caller);
    ctx.metrics.recordPriced(req, 'quote', 1);
    if (dateDefaulted !== undefined) res.set(DATE_DEFAULTED_HEADER, dateDefaulted);
    sendJson(res, json);
  });

  router.post('/v1/quotes\\:batch', ctx.requireJson, async (req, res) => {
    const { body, priced, dateDefaulted } = await batchAnswer(ctx, req.body, req.query, req, req.caller);
    ctx.metrics.recordPriced(req, 'quote', priced);
    if (dateDefaulted !== undefined) res.set(DATE_DEFAULTED_HEADER, dateDefaulted);
    sendJson(res, body);
  });

  return router;
}

/** Answers 200 with a body that is already JSON (text, or its UTF-8 bytes). */
function sendJson(res: Response, json: string | Buffer): void {
  res.set('Content-Type', 'application/json; charset=utf-8').send(json);
}
