import { Router } from 'express';
import { jwksOf } from '../../trust/signing-keys';
import { verifyQuote } from '../../trust/verify-quote';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';
import { quoteRecomputer } from '../recompute-quote';

/** GET /.well-known/jwks.json (the keys quotes are signed with) and POST /v1/quotes:verify. */
export function trustRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(jwksOf(ctx.signing.keys));
  });

  router.post('/v1/quotes\\:verify', ctx.requireJson, async (req, res) => {
    const issues = ctx.contract.validate('QuoteDocument', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'Send the quote document (a JSON object) as it was issued', issues);
    const document = req.body as Record<string, unknown>;
    res.json(await verifyQuote(document, { keys: ctx.signing.keys, now: ctx.now(), recompute: quoteRecomputer(ctx.contract, ctx.catalog()) }));
  });

  return router;
}
