import type { Response } from 'express';
import { Router } from 'express';
import { performance } from 'node:perf_hooks';
import { calculateQuoteUnder } from '../../rules/calculate-quote';
import type { RuleCatalog } from '../../rules/rule-catalog';
import { issueQuote } from '../../trust/quote-signature';
import type { AppContext } from '../context';
import { problemFromError } from '../error-handler';
import { presentQuote } from '../present-quote';
import { checkBatchLines, toQuoteInput } from '../quote-request';
import { HttpProblem } from '../problem';

/** A batch lets other requests in after at most this much pricing (ms). */
const BATCH_SLICE_MS = 5;

/** POST /v1/quotes and POST /v1/quotes:batch. */
export function quoteRoutes(ctx: AppContext): Router {
  const router = Router();

  /** Prices, presents and signs one quote request; returns the quote's JSON as the service sends it. */
  const issue = async (catalog: RuleCatalog, body: unknown, today: string, explain: boolean): Promise<string> => {
    const input = toQuoteInput(ctx.contract, body, today);
    const ruleSet = catalog.versionOn(input.agreement, input.date);
    const quote = await calculateQuoteUnder(ruleSet, input, { explain });
    return issueQuote(presentQuote(quote, ruleSet.version), ctx.signing).json;
  };

  router.post('/v1/quotes', ctx.requireJson, async (req, res) => {
    const json = await issue(ctx.catalog(), req.body, ctx.today(), req.query['explain'] === 'true');
    ctx.metrics.recordPriced(req, 'quote', 1);
    sendJson(res, json);
  });

  router.post('/v1/quotes\\:batch', ctx.requireJson, async (req, res) => {
    const issues = ctx.contract.validate('QuoteBatchRequest', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'The batch must be {"quotes": [...]} with 1 to 1000 quote requests', issues);
    checkBatchLines(req.body as { quotes: unknown[] });
    // one catalog for the whole batch (a reload meanwhile does not mix versions); 503 while none is loaded
    const catalog = ctx.catalog();
    const explain = req.query['explain'] === 'true';
    const today = ctx.today();
    // Each result is written as JSON once: a quote's is the signed string itself.
    const results: string[] = [];
    let priced = 0;
    let sliceStart = performance.now();
    for (const body of (req.body as { quotes: unknown[] }).quotes) {
      if (performance.now() - sliceStart > BATCH_SLICE_MS) {
        // let other requests (and the liveness probe) in between two quotes of a big batch
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      try {
        results.push(`{"quote":${await issue(catalog, body, today, explain)},"status":200}`);
        priced++;
      } catch (error) {
        const problem = problemFromError(error, req, ctx.logger);
        results.push(JSON.stringify({ problem, status: problem.status }));
      }
    }
    ctx.metrics.recordPriced(req, 'quote', priced);
    sendJson(res, `{"results":[${results.join(',')}]}`);
  });

  return router;
}

/** Answers 200 with a body that is already JSON text. */
function sendJson(res: Response, json: string): void {
  res.type('application/json').send(json);
}

