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

/** POST /v1/rulesets:diff — prices orders under two versions and reports the changes. */
export function rulesetRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/v1/rulesets\\:diff', ctx.requireJson, async (req, res) => {
    const issues = ctx.contract.validate('RulesetDiffRequest', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', `The diff request has ${issues.length} invalid field(s)`, issues);
    const body = req.body as RulesetDiffBody;
    const catalog = ctx.catalog();
    const from = resolveVersion(catalog, body.from, body.agreement, '/from');
    const to = resolveVersion(catalog, body.to, body.agreement ?? from.version.agreement, '/to');
    res.json(await diffVersions(from, to, body.orders));
  });
  return router;
}
