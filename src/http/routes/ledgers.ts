import { Router, type Request } from 'express';
import { streamedStatement } from '../../domain/settlement';
import { LedgerError } from '../../ledger/ledger-errors';
import type { LedgerService, UploadContent } from '../../ledger/ledger-service';
import type { LedgerStatementDocument } from '../../ledger/statement-document';
import { isPeriodKey, type StoredStatement } from '../../ledger/ledger-store';
import { mayCall, requireAgreement, type KeyOperation } from '../api-key-auth';
import type { AppContext } from '../context';
import { HttpProblem } from '../problem';
import { sendStatement } from '../send-statement';
import { statementFormat, uploadEncoding, uploadFormat, uploadProblem, uploadStream } from '../settlement-request';

/**
 * The settlement ledger: POST /v1/ledgers/{agreement}/transactions, GET …/periods,
 * POST …/periods/{yyyy-mm}:close, GET …/audit. Without a ledger (none configured) each answers
 * 503 LEDGER_UNAVAILABLE.
 */
export function ledgerRoutes(ctx: AppContext, ledger: LedgerService | undefined, maxUploadBytes: number): Router {
  const router = Router();
  const service = (): LedgerService => {
    if (ledger === undefined) throw new HttpProblem('LEDGER_UNAVAILABLE', 'This server has no ledger: set SUANPAN_DATA_DIR or SUANPAN_DATABASE_URL');
    return ledger;
  };

  router.post('/v1/ledgers/:agreement/transactions', async (req, res) => {
    const agreement = allow(req, 'settle');
    const content = await uploadContent(ctx, req, maxUploadBytes);
    const claimsPeriod = typeof req.query['claimsPeriod'] === 'string' ? req.query['claimsPeriod'] : undefined;
    const result = await ledgerCall(() =>
      service().upload({ agreement, partner: req.caller?.partnerId ?? null, adjustment: req.query['adjustment'] === 'true', ...(claimsPeriod === undefined ? {} : { claimsPeriod }), content }),
    ).catch((error: unknown) => {
      throw content.kind === 'file' ? uploadProblem(error, req) : error;
    });
    res.json({ agreement, ...result });
  });

  router.get('/v1/ledgers/:agreement/periods', async (req, res) => {
    const agreement = allow(req, 'read');
    const figures = booleanQuery(req.query['figures'], true, '/query/figures');
    const from = periodQuery(req, 'from');
    const to = periodQuery(req, 'to');
    if (from !== undefined && to !== undefined && from > to) throw new HttpProblem('INVALID_PERIOD', `to (${to}) is before from (${from})`, [{ pointer: '/query/to', code: 'INVALID_PERIOD', detail: 'must not be before from' }]);
    const listing = await ledgerCall(() => service().periods(agreement, { figures, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }));
    res.json({ agreement, ...listing });
  });

  router.post('/v1/ledgers/:agreement/periods/:action', async (req, res) => {
    const agreement = allow(req, 'settle');
    const action = /^(.*):close$/.exec(String(req.params['action']));
    if (action === null) throw new HttpProblem('NOT_FOUND', `No route for ${req.method} ${req.path}`);
    const { statement, created } = await ledgerCall(() => service().close(agreement, action[1]!, req.caller?.partnerId ?? null));
    res.status(created ? 201 : 200);
    await sendStoredStatement(res, statement, 'json');
  });

  router.get('/v1/ledgers/:agreement/audit', async (req, res) => {
    const agreement = allow(req, 'read');
    const limit = boundedInt(req.query['limit'], 100, 1, 1000, '/query/limit');
    const before = req.query['before'] === undefined ? undefined : boundedInt(req.query['before'], 0, 1, Number.MAX_SAFE_INTEGER, '/query/before');
    res.json({ agreement, records: await ledgerCall(() => service().audit(agreement, { limit, ...(before === undefined ? {} : { before }) })) });
  });

  router.get('/v1/statements', async (req, res) => {
    allowOperation(req, 'read');
    const filter: Record<string, string> = {};
    for (const name of ['agreement', 'period', 'partner']) {
      const value = req.query[name];
      if (typeof value === 'string' && value !== '') filter[name] = value;
    }
    if (filter['agreement'] !== undefined) requireAgreement(req.caller, filter['agreement'], '/query/agreement');
    const limit = boundedInt(req.query['limit'], 100, 1, 1000, '/query/limit');
    const statements = await ledgerCall(() => service().statements({ ...filter, limit }));
    res.json({ statements: statements.filter((statement) => mayRead(req, statement.agreement)) });
  });

  router.post('/v1/statements\\:verify', ctx.requireJson, async (req, res) => {
    allowOperation(req, 'verify');
    const issues = ctx.contract.validate('StatementVerifyRequest', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', 'Send {"statementId": …} and, optionally, the contentHash you hold', issues);
    const body = req.body as { statementId: string; contentHash?: string };
    const stored = await ledgerCall(() => service().statement(body.statementId));
    requireAgreement(req.caller, stored.agreement, '/statementId');
    res.json(await ledgerCall(() => service().verify(body.statementId, body.contentHash)));
  });

  router.get('/v1/statements/:id', async (req, res) => {
    allowOperation(req, 'read');
    const format = statementFormat(req);
    const statement = await ledgerCall(() => service().statement(String(req.params['id'])));
    requireAgreement(req.caller, statement.agreement, '/path/id');
    await sendStoredStatement(res, statement, format);
  });

  return router;
}

/** The archived statement: JSON as stored and signed, CSV and HTML through the statement renderers. */
async function sendStoredStatement(res: import('express').Response, stored: StoredStatement, format: ReturnType<typeof statementFormat>): Promise<void> {
  const document = JSON.parse(stored.body) as LedgerStatementDocument;
  res.set('Digest', `sha-256=${Buffer.from(stored.contentHash, 'hex').toString('base64')}`);
  if (format !== 'json') {
    await sendStatement(res, streamedStatement(document.statement), format);
    return;
  }
  const { body: _body, ...record } = stored;
  res.json({ ...record, document });
}

/** The upload's transactions (and external sales, claims): a JSON body checked against the contract, or a CSV / NDJSON stream. */
async function uploadContent(ctx: AppContext, req: Request, maxUploadBytes: number): Promise<UploadContent> {
  const format = uploadFormat(req);
  if (format === undefined) {
    const issues = ctx.contract.validate('LedgerUpload', req.body);
    if (issues.length > 0) throw new HttpProblem('VALIDATION_FAILED', `The upload has ${issues.length} invalid field(s): ${issues.slice(0, 20).map((i) => `${i.pointer} ${i.detail}`).join('; ')}`, issues);
    const body = req.body as Pick<Extract<UploadContent, { kind: 'json' }>, 'transactions' | 'externalSales' | 'claimed'>;
    return { kind: 'json', transactions: body.transactions, ...(body.externalSales === undefined ? {} : { externalSales: body.externalSales }), ...(body.claimed === undefined ? {} : { claimed: body.claimed }) };
  }
  const encoding = uploadEncoding(req);
  return { kind: 'file', file: { stream: uploadStream(req, maxUploadBytes), format, ...(encoding === undefined ? {} : { encoding }) } };
}

/** Maps the ledger's refusals to problems. */
async function ledgerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LedgerError) throw new HttpProblem(error.code, error.message, error.issues);
    throw error;
  }
}

/** The path's agreement, once the caller's key may call `operation` on it. */
function allow(req: Request, operation: KeyOperation): string {
  allowOperation(req, operation);
  const agreement = String(req.params['agreement']);
  requireAgreement(req.caller, agreement, '/path/agreement');
  return agreement;
}

function allowOperation(req: Request, operation: KeyOperation): void {
  if (!mayCall(req.caller, operation)) throw new HttpProblem('FORBIDDEN', `This API key may not call ${operation} operations`);
}

function mayRead(req: Request, agreement: string): boolean {
  try {
    requireAgreement(req.caller, agreement, '');
    return true;
  } catch {
    return false;
  }
}

/** The month (yyyy-mm) the query member `name` gives, if any; INVALID_PERIOD naming it when it is not one. */
function periodQuery(req: Request, name: 'from' | 'to'): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isPeriodKey(value)) {
    throw new HttpProblem('INVALID_PERIOD', `${name} must be a month (yyyy-mm)`, [{ pointer: `/query/${name}`, code: 'INVALID_PERIOD', detail: 'must be yyyy-mm' }]);
  }
  return value;
}

function booleanQuery(value: unknown, fallback: boolean, pointer: string): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new HttpProblem('VALIDATION_FAILED', `${pointer.slice(7)} must be true or false`, [{ pointer, detail: 'must be true or false', code: 'enum' }]);
}

function boundedInt(value: unknown, fallback: number, min: number, max: number, pointer: string): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new HttpProblem('VALIDATION_FAILED', `${pointer.slice(7)} must be a whole number from ${min} to ${max}`, [{ pointer, detail: `must be from ${min} to ${max}`, code: 'range' }]);
  return n;
}
