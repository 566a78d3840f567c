/**
 * BENCH BASELINES ONLY, on $PORT in SUANPAN_WORKERS processes like the real service:
 * - POST /echo: a bare Express JSON echo (express.json() in, res.json() out), the upper
 *   bound of any Express JSON endpoint on this machine;
 * - POST /canned: parses the body like /echo but answers the signed quote of the bench order
 *   as POST /v1/quotes sends it: the same bytes in and out, without validating,
 *   pricing or signing anything (computed once, on the first call, so the start-up of this
 *   baseline stays that of a bare Express app).
 */
import express from 'express';
import { runOnCores, workerCount } from '../cluster';
import { presentQuote } from '../http/present-quote';
import { calculateQuoteSync } from '../rules/calculate-quote';
import { RuleCatalog } from '../rules/rule-catalog';
import { issueQuote } from '../trust/quote-signature';
import { ephemeralKeyRing } from '../trust/signing-keys';
import { RULES_DIR } from './domain-suite';
import { httpBenchOrder } from './orders';

runOnCores(
  workerCount(),
  () => {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '5mb' }));
    let canned: string | undefined;
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.post('/canned', (_req, res) => {
      if (canned === undefined) {
        const catalog = RuleCatalog.load(RULES_DIR);
        const order = httpBenchOrder();
        const quote = presentQuote(calculateQuoteSync(catalog, order), catalog.versionOn(order.agreement, order.date).version);
        canned = issueQuote(quote, { keys: ephemeralKeyRing() }).json;
      }
      res.type('application/json').send(canned);
    });
    app.get('/readyz', (_req, res) => {
      res.json({ status: 'ready' });
    });
    app.listen(Number(process.env['PORT'] ?? 8081), process.env['HOST'] ?? '127.0.0.1');
  },
  () => undefined,
);
