import { Router } from 'express';
import { describeAgreement, listAgreements } from '../../rules/describe-agreement';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** GET /v1/agreements and GET /v1/agreements/{agreement}?date= */
export function agreementRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/v1/agreements', (_req, res) => {
    res.json(listAgreements(ctx.catalog()));
  });
  router.get('/v1/agreements/:agreement', (req, res) => {
    const date = req.query['date'];
    if (date !== undefined && (typeof date !== 'string' || !ISO_DATE.test(date) || Number.isNaN(Date.parse(date)))) {
      throw new HttpProblem('VALIDATION_FAILED', 'date must be yyyy-mm-dd', [{ pointer: '/query/date', detail: 'must be a valid date (yyyy-mm-dd)' }]);
    }
    const catalog = ctx.catalog();
    catalog.versions(req.params['agreement']!, '/path/agreement');
    res.json(describeAgreement(catalog.versionOn(req.params['agreement']!, typeof date === 'string' ? date : ctx.today())));
  });
  return router;
}
