import { Router } from 'express';
import { streamedStatement } from '../../domain/settlement';
import { settleFilesStreamed } from '../../io/read-settlement-file';
import { openSpillFiles } from '../../io/spill-files';
import { calculateSettlement, openSettlement, settlementIssuesBeyondContract, type SettlementRequest } from '../../rules/calculate-settlement';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';
import { presentationIn } from '../../io/statement-presentation';
import { sendStatement } from '../send-statement';
import { statementFormat, toSettlementRequest, uploadEncoding, uploadFormat, uploadProblem, uploadQuery, uploadStream } from '../settlement-request';

/** POST /v1/settlements: a JSON request, or a CSV / NDJSON upload streamed row by row. */
/** Where a settlement spills past its in-memory limits: temporary files (TMPDIR). */
const SPILL_TO_FILES = { openSpill: () => openSpillFiles() };

export function settlementRoutes(ctx: AppContext, maxUploadBytes: number): Router {
  const router = Router();
  router.post('/v1/settlements', async (req, res) => {
    const format = statementFormat(req);
    const fileFormat = uploadFormat(req);
    if (fileFormat === undefined) {
      const statement = await calculateSettlement(ctx.catalog(), await readSettlementBody(ctx, req.body), SPILL_TO_FILES);
      ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
      await sendStatement(res, streamedStatement(statement), format, presentationIn(ctx.catalog(), statement));
      return;
    }
    const encoding = uploadEncoding(req);
    const query = uploadQuery(req);
    const settlement = openSettlement(ctx.catalog(), query.agreement, { from: query.from, to: query.to }, SPILL_TO_FILES);
    const statement = await settleFilesStreamed(settlement, [{ stream: uploadStream(req, maxUploadBytes), format: fileFormat, ...(encoding === undefined ? {} : { encoding }) }]).catch((error: unknown) => {
      throw uploadProblem(error, req);
    });
    ctx.metrics.recordPriced(req, 'settlement-line', statement.counts.lines);
    await sendStatement(res, statement, format, presentationIn(ctx.catalog(), statement));
  });
  return router;
}

/**
 * The JSON body as a settlement request; one that breaks the contract is a 400 listing its
 * faults and, with them, every settlement problem found in what could be read (an unknown SKU,
 * a return of an unknown transaction…): every problem in one answer.
 */
async function readSettlementBody(ctx: AppContext, body: unknown): Promise<SettlementRequest> {
  try {
    return toSettlementRequest(ctx.contract, body);
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.code !== 'VALIDATION_FAILED') throw error;
    const more = await settlementIssuesBeyondContract(ctx.catalog(), body, error.errors, SPILL_TO_FILES);
    if (more.length === 0) throw error;
    const listed = more.slice(0, 20).map((issue) => `${issue.pointer} ${issue.code}`).join('; ');
    throw new HttpProblem('VALIDATION_FAILED', `${error.message}; and ${more.length} settlement problem(s): ${listed}`, [...error.errors, ...more], error.headers);
  }
}
