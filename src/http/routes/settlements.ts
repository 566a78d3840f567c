import { Router } from 'express';
import { settleFiles } from '../../io/read-settlement-file';
import { calculateSettlement, openSettlement } from '../../rules/calculate-settlement';
import type { AppContext } from '../context';
import { sendStatement, statementFormat, toSettlementRequest, uploadEncoding, uploadFormat, uploadProblem, uploadQuery, uploadStream } from '../settlement-request';

/** POST /v1/settlements: a JSON request, or a CSV / NDJSON upload streamed row by row. */
export function settlementRoutes(ctx: AppContext, maxUploadBytes: number): Router {
  const router = Router();
  router.post('/v1/settlements', async (req, res) => {
    const format = statementFormat(req);
    const fileFormat = uploadFormat(req);
    if (fileFormat === undefined) {
      const statement = await calculateSettlement(ctx.catalog(), toSettlementRequest(ctx.contract, req.body));
      ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
      sendStatement(res, statement, format);
      return;
    }
    const encoding = uploadEncoding(req);
    const query = uploadQuery(req);
    const settlement = openSettlement(ctx.catalog(), query.agreement, { from: query.from, to: query.to });
    const statement = await settleFiles(settlement, [{ stream: uploadStream(req, maxUploadBytes), format: fileFormat, ...(encoding === undefined ? {} : { encoding }) }]).catch((error: unknown) => {
      throw uploadProblem(error, req);
    });
    ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
    sendStatement(res, statement, format);
  });
  return router;
}
