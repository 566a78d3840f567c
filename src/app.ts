import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import type { RuleCatalog } from './rules/rule-catalog';
import type { RulesHolder } from './rules/rules-holder';
import { accessLog } from './http/access-log';
import { loadApiContract, type ApiContract } from './http/api-contract';
import { ApiKeys, apiKeyAuth, bodyAgreementScope, type ApiKeyGrant } from './http/api-key-auth';
import { bodyTimeout } from './http/body-timeout';
import type { AppContext } from './http/context';
import { closeConnectionsWhenDraining } from './http/draining';
import { errorHandler, type Logger } from './http/error-handler';
import { createMetrics, type Metrics } from './http/metrics';
import { HttpProblem } from './http/problem';
import { rateLimit, type TokenBuckets } from './http/rate-limit';
import { requestId } from './http/request-id';
import { routeTemplates } from './http/route-template';
import { securityHeaderList, securityHeaders } from './http/security-headers';
import { quoteLane, type Lane } from './http/quote-lane';
import { agreementRoutes } from './http/routes/agreements';
import { healthRoutes } from './http/routes/health';
import { quoteRoutes } from './http/routes/quotes';
import { settlementRoutes } from './http/routes/settlements';
import { trustRoutes } from './http/routes/trust';
import { ledgerRoutes } from './http/routes/ledgers';
import type { LedgerService } from './ledger/ledger-service';
import { adminRoutes } from './http/routes/admin';
import { rulesetRoutes } from './http/routes/rulesets';
import { keepRawBody, keepsRawBody, refuseRepeatedMemberNames } from './http/raw-body';
import { parseJsonBodies } from './http/json-bodies';
import type { QuoteSigning } from './trust/quote-signature';
import { ephemeralKeyRing } from './trust/signing-keys';
import { DEFAULT_TIME_ZONE } from './rules/load-rules';
import { consoleRoutes } from './console/console-routes';

export interface AppDeps {
  readonly rules: RulesHolder;
  readonly logger: Logger;
  readonly contract?: ApiContract;
  /** The default quote date of an agreement; defaults to today in the agreement's time zone (agreement.json `timeZone`). */
  readonly today?: (agreement?: string) => string;
  /** Largest accepted JSON body in bytes; default 5 MiB. */
  readonly bodyLimitBytes?: number;
  /** Largest streamed settlement upload (CSV, NDJSON) in bytes; default 1 GiB. */
  readonly maxUploadBytes?: number;
  /** True once shutdown has begun: /readyz answers 503. */
  readonly isShuttingDown?: () => boolean;
  /** Prometheus metrics; default: a fresh registry without process metrics. */
  readonly metrics?: Metrics;
  /** API key → partner id (or its grant: the agreements and operations it may use); when non-empty every /v1 call needs a key. */
  readonly apiKeys?: ReadonlyMap<string, string | ApiKeyGrant>;
  /** Per-key token buckets for /v1 calls (only with apiKeys). */
  readonly rateLimiter?: TokenBuckets;
  /** A body that receives no byte for this many ms is answered 408; default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** Signing keys and quote validity; default a throwaway in-memory key and 30 days. */
  readonly signing?: Omit<QuoteSigning, 'now'>;
  /** The clock of issuedAt/expiresAt and of expiry checks; default the system clock. */
  readonly now?: () => Date;
  /** Bearer token for POST /admin/rules:reload; without one the admin endpoints are disabled. */
  readonly adminToken?: string;
  /** The settlement ledger; without one the /v1/ledgers and /v1/statements routes answer 503 LEDGER_UNAVAILABLE. */
  readonly ledger?: LedgerService;
  /** Where the console's built browser assets are (default dist/console/assets, built by `npm run build`). */
  readonly consoleAssetsDir?: string;
}

const todays = new Map<string, { readonly format: Intl.DateTimeFormat; second: number; today: string }>();

/**
 * Today's date (yyyy-mm-dd) in a time zone at `nowMs`. Formatting a date in a time zone costs
 * about as much as pricing a quote line, so the answer is kept for the rest of its second
 * (a date changes on a whole second in every time zone).
 */
export function todayIn(timeZone: string, nowMs: number = Date.now()): string {
  let cached = todays.get(timeZone);
  if (cached === undefined) {
    const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    cached = { format, second: Number.NaN, today: '' };
    todays.set(timeZone, cached);
  }
  const second = Math.floor(nowMs / 1000);
  if (cached.second !== second) {
    cached.today = cached.format.format(new Date(nowMs));
    cached.second = second;
  }
  return cached.today;
}

/**
 * The time zone whose today is an agreement's default date: its latest version's (a quote's
 * date selects the version, so the zone cannot wait for it); the default zone when the
 * agreement is unknown, which the pricing then refuses anyway.
 */
function timeZoneOf(catalog: RuleCatalog | undefined, agreement: string | undefined): string {
  if (catalog === undefined || agreement === undefined || !catalog.agreementIds().includes(agreement)) return DEFAULT_TIME_ZONE;
  const versions = catalog.versions(agreement);
  return versions[versions.length - 1]!.version.timeZone;
}

/**
 * Swagger UI over the contract, loaded on the first request to /docs: swagger-ui-express
 * takes ≈ 50 ms to load, and most processes (ERP traffic) never serve it.
 */
function swaggerUiOf(contract: ApiContract): RequestHandler {
  let docs: RequestHandler | undefined;
  return (req, res, next) => {
    if (docs === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const swaggerUi = require('swagger-ui-express') as typeof import('swagger-ui-express');
      const router = express.Router();
      router.use(swaggerUi.serve, swaggerUi.setup(contract.document, { customSiteTitle: 'suanpan API' }));
      docs = router;
    }
    docs(req, res, next);
  };
}

/** The service as a node:http request listener. */
export type App = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Builds the service (no listen: supertest and server.ts both use it): the quote lane for
 * ordinary POST /v1/quotes and /v1/quotes:batch requests (src/http/quote-lane.ts), the Express
 * app for everything else.
 */
export function createApp(deps: AppDeps): App {
  const { lane, express: app } = createAppParts(deps);
  return (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
}

/** The two halves createApp joins, apart: tests compare what each answers. */
export function createAppParts(deps: AppDeps): { readonly lane: Lane; readonly express: Express } {
  const contract = deps.contract ?? loadApiContract();
  const routeOf = routeTemplates(contract.document);
  const metrics = deps.metrics ?? createMetrics({ rules: deps.rules, routeOf });
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const now = deps.now ?? (() => new Date());
  const ctx: AppContext = {
    metrics,
    contract,
    rules: deps.rules,
    logger: deps.logger,
    today: deps.today ?? ((agreement) => todayIn(timeZoneOf(deps.rules.current(), agreement))),
    now,
    signing: { ...deps.signing, keys: deps.signing?.keys ?? ephemeralKeyRing(), now },
    ...(deps.adminToken === undefined || deps.adminToken === '' ? {} : { adminToken: deps.adminToken }),
    catalog(): RuleCatalog {
      const catalog = deps.rules.current();
      if (catalog === undefined) throw new HttpProblem('RULES_NOT_LOADED', 'Rules are not loaded yet; retry shortly', [], { 'Retry-After': '1' });
      return catalog;
    },
    requireJson(req, _res, next) {
      if (!req.is('application/json')) {
        next(new HttpProblem('UNSUPPORTED_MEDIA_TYPE', `Send the body as application/json (got ${req.get('content-type') ?? 'no Content-Type'})`));
        return;
      }
      next();
    },
  };

  // NOTE for whoever adds middleware below: ordinary POST /v1/quotes and /v1/quotes:batch
  // requests never reach Express — the quote lane (src/http/quote-lane.ts) answers them. A
  // concern every request needs must be added there too; test/http/quote-lane.test.ts compares
  // the two paths' answers header for header.
  const app = express();
  app.disable('x-powered-by');
  // POST answers are never revalidated, and hashing every ~10 KB quote body cost more than pricing it
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId());
  app.use(securityHeaders());
  app.use(metrics.observeRequests);
  app.use(accessLog(deps.logger, routeOf));
  app.use(closeConnectionsWhenDraining(isShuttingDown));
  // Callers are authenticated and limited before their bodies are read.
  const apiKeys = deps.apiKeys !== undefined && deps.apiKeys.size > 0 ? new ApiKeys(deps.apiKeys) : undefined;
  if (apiKeys !== undefined) {
    app.use('/v1', apiKeyAuth(apiKeys));
    if (deps.rateLimiter !== undefined) app.use('/v1', rateLimit(deps.rateLimiter));
  }
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? 10_000;
  const bodyLimitBytes = deps.bodyLimitBytes ?? 5 * 1024 * 1024;
  app.use(bodyTimeout(bodyTimeoutMs));
  // only the operations that take a JSON body read one (an admin call or an unknown path never
  // does); quote, settlement, diff and quote-document bodies are kept as sent too: a repeated
  // member name is refused, not silently resolved
  app.use(parseJsonBodies(contract.document, express.json({ limit: bodyLimitBytes, strict: true, verify: keepRawBody(keepsRawBody) })));
  app.use(refuseRepeatedMemberNames());
  if (apiKeys !== undefined) app.use('/v1', bodyAgreementScope());

  app.use(healthRoutes(ctx, isShuttingDown));
  app.get('/metrics', metrics.serve);
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(contract.yamlText);
  });
  app.use('/docs', swaggerUiOf(contract));
  app.use(consoleRoutes(deps.consoleAssetsDir));
  app.use(quoteRoutes(ctx));
  app.use(trustRoutes(ctx));
  app.use(rulesetRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(agreementRoutes(ctx));
  app.use(settlementRoutes(ctx, deps.maxUploadBytes ?? 1024 ** 3));
  app.use(ledgerRoutes(ctx, deps.ledger, deps.maxUploadBytes ?? 1024 ** 3));

  app.use((req, _res, next) => {
    next(new HttpProblem('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger, metrics));

  const lane = quoteLane({
    ctx,
    bodyLimitBytes,
    bodyTimeoutMs,
    isShuttingDown,
    securityHeaders: securityHeaderList(),
    ...(apiKeys === undefined ? {} : { apiKeys, ...(deps.rateLimiter === undefined ? {} : { rateLimiter: deps.rateLimiter }) }),
  });
  return { lane, express: app };
}
