import { Router } from 'express';
import { streamedStatement } from '../../domain/settlement';
import { settleFilesStreamed } from '../../io/read-settlement-file';
import { calculateSettlement, openSettlement } from '../../rules/calculate-settlement';
import type { AppContext } from '../context';
import { sendStatement } from '../send-statement';
import { statementFormat, toSettlementRequest, uploadFormat, uploadProblem, uploadQuery, uploadStream } from '../settlement-request';

/** POST /v1/settlements: a JSON request, or a CSV / NDJSON upload streamed row by row. */
export function settlementRoutes(ctx: AppContext, maxUploadBytes: number): Router {
  const router = Router();
  router.post('/v1/settlements', async (req, res) => {
    const format = statementFormat(req);
    const fileFormat = uploadFormat(req);
    if (fileFormat === undefined) {
      const statement = await calculateSettlement(ctx.catalog(), toSettlementRequest(ctx.contract, req.body));
      ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
      await sendStatement(res, streamedStatement(statement), format);
      return;
    }
    const query = uploadQuery(req);
    const settlement = openSettlement(ctx.catalog(), query.agreement, { from: query.from, to: query.to });
    const statement = await settleFilesStreamed(settlement, [{ stream: uploadStream(req, maxUploadBytes), format: fileFormat }]).catch((error: unknown) => {
      throw uploadProblem(error, req);
    });
    ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
    await sendStatement(res, statement, format);
  });
  return router;
}
