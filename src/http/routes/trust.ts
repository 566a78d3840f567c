import { Router } from 'express';
import { firstMemberProblem } from '../../trust/duplicate-members';
import { jwksOf } from '../../trust/signing-keys';
import { MAX_DOCUMENT_DEPTH, verifyQuote } from '../../trust/verify-quote';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';
import { rawBodyOf } from '../raw-body';
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
    const raw = rawBodyOf(req);
    const problem = raw === undefined ? undefined : firstMemberProblem(raw.toString('utf8'), MAX_DOCUMENT_DEPTH);
    if (problem?.kind === 'duplicate') {
      throw new HttpProblem('VALIDATION_FAILED', 'A quote document names each member once (I-JSON, RFC 7493): of two values under one name, which was signed cannot be told', [
        { pointer: problem.pointer, detail: 'this member name appears twice in its object', code: 'duplicateMember' },
      ]);
    }
    if (problem?.kind === 'too-deep') {
      throw new HttpProblem('VALIDATION_FAILED', `A quote document nests arrays and objects at most ${MAX_DOCUMENT_DEPTH} deep`, [
        { pointer: problem.pointer, detail: `is nested deeper than ${MAX_DOCUMENT_DEPTH} levels`, code: 'maxDepth' },
      ]);
    }
    const document = req.body as Record<string, unknown>;
    res.json(await verifyQuote(document, { keys: ctx.signing.keys, now: ctx.now(), recompute: quoteRecomputer(ctx.contract, ctx.catalog()) }));
  });

  return router;
}
