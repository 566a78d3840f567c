import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { RuleCatalog } from './rules/rule-catalog';
import type { RulesHolder } from './rules/rules-holder';
import { accessLog } from './http/access-log';
import { loadApiContract, type ApiContract } from './http/api-contract';
import { apiKeyAuth } from './http/api-key-auth';
import { bodyTimeout } from './http/body-timeout';
import type { AppContext } from './http/context';
import { closeConnectionsWhenDraining } from './http/draining';
import { errorHandler, type Logger } from './http/error-handler';
import { createMetrics, type Metrics } from './http/metrics';
import { HttpProblem } from './http/problem';
import { rateLimit, type TokenBuckets } from './http/rate-limit';
import { requestId } from './http/request-id';
import { routeTemplates } from './http/route-template';
import { securityHeaders } from './http/security-headers';
import { agreementRoutes } from './http/routes/agreements';
import { healthRoutes } from './http/routes/health';
import { quoteRoutes } from './http/routes/quotes';
import { settlementRoutes } from './http/routes/settlements';
import { trustRoutes } from './http/routes/trust';
import { adminRoutes } from './http/routes/admin';
import { rulesetRoutes } from './http/routes/rulesets';
import type { QuoteSigning } from './trust/quote-signature';
import { ephemeralKeyRing } from './trust/signing-keys';

export interface AppDeps {
  readonly rules: RulesHolder;
  readonly logger: Logger;
  readonly contract?: ApiContract;
  /** The default quote date; defaults to today in Asia/Shanghai. */
  readonly today?: () => string;
  /** Largest accepted body; default 5 MB. */
  readonly bodyLimit?: string;
  /** Largest streamed settlement upload (CSV, NDJSON) in bytes; default 1 GiB. */
  readonly maxUploadBytes?: number;
  /** True once shutdown has begun: /readyz answers 503. */
  readonly isShuttingDown?: () => boolean;
  /** Prometheus metrics; default: a fresh registry without process metrics. */
  readonly metrics?: Metrics;
  /** API key → partner id; when non-empty every /v1 call needs a key. */
  readonly apiKeys?: ReadonlyMap<string, string>;
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
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date (yyyy-mm-dd) in a time zone. */
export function todayIn(timeZone: string): string {
  // building an Intl.DateTimeFormat costs more than pricing a quote: keep one per zone
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(new Date());
}

/** Builds the Express app (no listen: supertest and server.ts both use it). */
export function createApp(deps: AppDeps): Express {
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
    today: deps.today ?? (() => todayIn('Asia/Shanghai')),
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
  if (deps.apiKeys !== undefined && deps.apiKeys.size > 0) {
    app.use('/v1', apiKeyAuth(deps.apiKeys));
    if (deps.rateLimiter !== undefined) app.use('/v1', rateLimit(deps.rateLimiter));
  }
  app.use(bodyTimeout(deps.bodyTimeoutMs ?? 10_000));
  app.use(express.json({ limit: deps.bodyLimit ?? '5mb', strict: true }));

  app.use(healthRoutes(ctx, isShuttingDown));
  app.get('/metrics', metrics.serve);
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(contract.yamlText);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(contract.document, { customSiteTitle: 'suanpan API' }));
  app.use(quoteRoutes(ctx));
  app.use(trustRoutes(ctx));
  app.use(rulesetRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(agreementRoutes(ctx));
  app.use(settlementRoutes(ctx, deps.maxUploadBytes ?? 1024 ** 3));

  app.use((req, _res, next) => {
    next(new HttpProblem('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
