import { Router } from 'express';
import { diffVersions, resolveVersion, type DiffOrderJson } from '../../rules/diff-versions';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';

interface RulesetDiffBody {
  agreement?: string;
  from: string;
  to: string;
  orders: DiffOrderJson[];
}

/**
 * The most lines a diff may carry in all its orders together (stated in openapi.yaml), as a
 * batch: each is priced twice, and within the other limits a 5 MB request could hold ~100,000.
 */
export const MAX_LINES_PER_DIFF = 10_000;

/** POST /v1/rulesets:diff — prices orders under two versions and reports the changes. */
export function rulesetRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/v1/rulesets\\:diff', ctx.requireJson, async (req, res) => {
    const issues = ctx.contract.validate('RulesetDiffRequest', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', `The diff request has ${issues.length} invalid field(s)`, issues);
    const body = req.body as RulesetDiffBody;
    checkDiffLines(body.orders);
    const catalog = ctx.catalog();
    const from = resolveVersion(catalog, body.from, body.agreement, '/from');
    const to = resolveVersion(catalog, body.to, body.agreement ?? from.version.agreement, '/to');
    res.json(await diffVersions(from, to, body.orders));
  });
  return router;
}

/** Refuses a diff whose orders carry more than MAX_LINES_PER_DIFF lines together (400, before pricing anything). */
function checkDiffLines(orders: readonly DiffOrderJson[]): void {
  const lines = orders.reduce((sum, order) => sum + order.lines.length, 0);
  if (lines > MAX_LINES_PER_DIFF) {
    throw new HttpProblem('VALIDATION_FAILED', `The diff has ${lines} lines in all; at most ${MAX_LINES_PER_DIFF} are priced in one call (split it)`, [
      { pointer: '/orders', detail: `must have at most ${MAX_LINES_PER_DIFF} lines in all its orders (has ${lines})`, code: 'maxLinesPerDiff' },
    ]);
  }
}
