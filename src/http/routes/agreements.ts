import { Router } from 'express';
import { isIsoDate } from '../../domain/iso-date';
import { describeAgreement, listAgreements } from '../../rules/describe-agreement';
import { mayUse } from '../api-key-auth';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';

/** GET /v1/agreements and GET /v1/agreements/{agreement}?date= */
export function agreementRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/v1/agreements', (req, res) => {
    // a key limited to some agreements sees those only
    const { agreements } = listAgreements(ctx.catalog()) as { agreements: { agreement: string }[] };
    res.json({ agreements: agreements.filter((listed) => mayUse(req.caller, listed.agreement)) });
  });
  router.get('/v1/agreements/:agreement', (req, res) => {
    const date = req.query['date'];
    if (date !== undefined && (typeof date !== 'string' || !isIsoDate(date))) {
      throw new HttpProblem('VALIDATION_FAILED', 'date must be yyyy-mm-dd', [{ pointer: '/query/date', detail: 'must be a valid date (yyyy-mm-dd)' }]);
    }
    const catalog = ctx.catalog();
    catalog.versions(req.params['agreement']!, '/path/agreement');
    res.json(describeAgreement(catalog.versionOn(req.params['agreement']!, typeof date === 'string' ? date : ctx.today(req.params['agreement']))));
  });
  return router;
}
