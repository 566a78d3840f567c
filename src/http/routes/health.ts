import { Router } from 'express';
import type { AppContext } from '../context';

/** GET /livez (the process answers) and GET /readyz (rules loaded, not shutting down). */
export function healthRoutes(ctx: AppContext, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const rules = ctx.rules.status();
    const status = isShuttingDown() ? 'shutting-down' : rules.ready ? 'ready' : 'not-ready';
    res.status(status === 'ready' ? 200 : 503).json({ status, rules });
  });
  return router;
}
