/**
 * BENCH BASELINES ONLY, on $PORT in SUANPAN_WORKERS processes like the real service:
 * - POST /echo: a bare Express JSON echo (express.json() in, res.json() out), the upper
 *   bound of any Express JSON endpoint on this machine;
 * - POST /canned: parses the body like /echo but answers the signed quote of the bench order
 *   through res.json(): the same bytes in and out as POST /v1/quotes, without validating,
 *   pricing or signing anything (computed once, on the first call, so the start-up of this
 *   baseline stays that of a bare Express app).
 */
import express from 'express';
import { runOnCores, workerCount } from '../cluster';
import { presentQuote } from '../http/quote-request';
import { calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog } from '../rules/rule-catalog';
import { signQuote } from '../trust/quote-signature';
import { ephemeralKeyRing } from '../trust/signing-keys';
import { RULES_DIR } from './domain-suite';
import { httpBenchOrder } from './orders';

runOnCores(
  workerCount(),
  () => {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '5mb' }));
    let canned: unknown;
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.post('/canned', async (_req, res) => {
      canned ??= await signQuote(presentQuote(calculateQuoteSync(RuleCatalog.load(RULES_DIR), httpBenchOrder())), { keys: ephemeralKeyRing() });
      res.json(canned);
    });
    app.get('/readyz', (_req, res) => {
      res.json({ status: 'ready' });
    });
    app.listen(Number(process.env['PORT'] ?? 8081), process.env['HOST'] ?? '127.0.0.1');
  },
  () => undefined,
);
