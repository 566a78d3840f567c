import { Router } from 'express';
import { isIsoDate } from '../../domain/iso-date';
import { describeAgreement, listAgreements } from '../../rules/describe-agreement';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';

/** GET /v1/agreements and GET /v1/agreements/{agreement}?date= */
export function agreementRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/v1/agreements', (_req, res) => {
    res.json(listAgreements(ctx.catalog()));
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
