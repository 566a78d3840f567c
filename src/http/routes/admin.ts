import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { reloadAndLog } from '../../rules/rules-holder';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';

/** POST /admin/rules:reload — disabled (404) without an admin token, 401 without the right bearer. */
export function adminRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/admin/rules\\:reload', async (req, res) => {
    requireAdmin(ctx, req);
    const outcome = await reloadAndLog(ctx.rules, ctx.logger, 'POST /admin/rules:reload');
    if (!outcome.ok) {
      const errors = outcome.problems.map((problem) => ({
        pointer: `/${problem.file}`,
        detail: `${problem.ruleId === undefined ? '' : `[rule ${problem.ruleId}] `}${problem.reason}${problem.hint === undefined ? '' : ` (fix: ${problem.hint})`}`,
        code: 'RULESET_INVALID',
      }));
      throw new HttpProblem('RULESET_INVALID', `The rules were not reloaded (${errors.length} problem(s)); the previous rules are still served`, errors);
    }
    // in a cluster, the answer comes once every worker serves the new rules, and says how many do
    res.json({ status: 'reloaded', ...(outcome.workers === undefined ? {} : { workers: outcome.workers }), rules: ctx.rules.status() });
  });
  return router;
}

function requireAdmin(ctx: AppContext, req: Request): void {
  if (ctx.adminToken === undefined) throw new HttpProblem('NOT_FOUND', 'Admin endpoints are disabled (no admin token configured)');
  const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  if (match === null || !timingSafeEqual(digest(match[1]!), digest(ctx.adminToken))) {
    throw new HttpProblem('UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>', [], { 'WWW-Authenticate': 'Bearer realm="suanpan-admin"' });
  }
}
