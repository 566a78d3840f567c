import { Router } from 'express';
import { calculateQuote } from '../../rules/calculate-quote';
import { signQuote } from '../../trust/quote-signature';
import type { AppContext } from '../context';
import { problemFromError } from '../error-handler';
import { checkBatchLines, presentQuote, toQuoteInput } from '../quote-request';
import { HttpProblem } from '../problem';

/** POST /v1/quotes and POST /v1/quotes:batch. */
export function quoteRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/v1/quotes', ctx.requireJson, async (req, res) => {
    const input = toQuoteInput(ctx.contract, req.body, ctx.today());
    const quote = await calculateQuote(ctx.catalog(), input, { explain: req.query['explain'] === 'true' });
    ctx.metrics.recordPriced(req, 'quote', 1);
    res.json(await signQuote(presentQuote(quote), ctx.signing));
  });

  router.post('/v1/quotes\\:batch', ctx.requireJson, async (req, res) => {
    const issues = ctx.contract.validate('QuoteBatchRequest', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The batch must be {"quotes": [...]} with 1 to 1000 quote requests', issues);
    checkBatchLines(req.body as { quotes: unknown[] });
    const catalog = ctx.catalog();
    const explain = req.query['explain'] === 'true';
    const today = ctx.today();
    const results = [];
    for (const body of (req.body as { quotes: unknown[] }).quotes) {
      // Let other requests (and the liveness probe) in between two quotes of a big batch.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const quote = presentQuote(await calculateQuote(catalog, toQuoteInput(ctx.contract, body, today), { explain }));
        results.push({ status: 200, quote: await signQuote(quote, ctx.signing) });
      } catch (error) {
        const problem = problemFromError(error, req, ctx.logger);
        results.push({ status: problem.status, problem });
      }
    }
    ctx.metrics.recordPriced(req, 'quote', results.filter((result) => result.status === 200).length);
    res.json({ results });
  });

  return router;
}
