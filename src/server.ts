import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { createApp } from './app';
import { limitHeapGrowth } from './limit-heap-growth';
import { ConfigError, loadConfig, type Config } from './config';
import type { Logger } from './http/error-handler';
import { createMetrics } from './http/metrics';
import { UploadsInFlight } from './http/draining';
import { TokenBuckets } from './http/rate-limit';
import { routeTemplates } from './http/route-template';
import { loadApiContract } from './http/api-contract';
import { reloadAndLog, RulesHolder } from './rules/rules-holder';
import { validateCatalog } from './rules/validate-rules';
import { joinClusterRules, RULES_SNAPSHOT_VARIABLE } from './cluster-rules';
import { formatRuleProblem } from './rules/ruleset-error';
import { readTrustConfig } from './trust/trust-config';
import type { KeyRing } from './trust/signing-keys';
import { LedgerService } from './ledger/ledger-service';
import { openLedgerStore } from './ledger/open-ledger-store';
import { openSpillFiles } from './io/spill-files';
import type { RuleCatalog } from './rules/rule-catalog';

/**
 * Composition root: reads the configuration (exits 1 naming every bad variable), loads and
 * checks the rules against their schema and rules.lock.json (exits 1 naming each file and
 * reason when they are invalid), serves
 * on $HOST:$PORT, reloads the rules on SIGHUP (a bad reload keeps the old rules) and drains on
 * SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  limitHeapGrowth();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`suanpan: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'suanpan', pid: process.pid } });
  const trust = readTrustConfig(process.env, logger); // signing keys, quote validity, admin token
  const rules = new RulesHolder(config.rulesDir);
  const contract = loadApiContract();
  const metrics = createMetrics({ rules, routeOf: routeTemplates(contract.document), processMetrics: true });
  rules.onLoad((outcome) => metrics.recordRulesLoad(outcome));
  // a worker of src/cluster.ts loads the copy of the rules its primary serves, and reloads through it
  const snapshot = cluster.isWorker ? process.env[RULES_SNAPSHOT_VARIABLE] : undefined;
  const loaded = snapshot === undefined ? rules.load() : joinClusterRules(rules, snapshot, (level, message, fields = {}) => logger[level](fields, message));
  // start-up validates as a reload does: schema, semantics and lock above, then the lint and
  // every golden case, before the port is opened (a failing case keeps a version from going live)
  const problems = loaded.ok ? await validateCatalog(loaded.catalog, snapshot ?? config.rulesDir) : loaded.problems;
  if (!loaded.ok || problems.length > 0) {
    logger.error({ rulesDir: config.rulesDir, problems }, `rules refused:\n${problems.map(formatRuleProblem).join('\n')}`);
    process.exitCode = 1;
    return;
  }
  logger.info({ rulesDir: config.rulesDir, agreements: loaded.catalog.agreementIds() }, 'rules loaded');

  let ledger: LedgerService;
  try {
    ledger = await openLedger(config, rules, trust.signing.keys);
  } catch (error) {
    logger.error({ dataDir: config.dataDir, database: config.databaseUrl === undefined ? 'sqlite' : 'postgres' }, `ledger could not open: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }

  let shuttingDown = false;
  const app = createApp({
    ledger,
    rules,
    logger,
    contract,
    metrics,
    isShuttingDown: () => shuttingDown,
    apiKeys: config.apiKeys,
    bodyTimeoutMs: config.bodyTimeoutMs,
    ...trust,
    ...(config.rateLimit === undefined ? {} : { rateLimiter: new TokenBuckets(config.rateLimit.ratePerSecond, config.rateLimit.burst) }),
  });
  const server = createServer(app);
  const uploads = new UploadsInFlight();
  server.on('request', (req, res) => uploads.track(req, res));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info({ host: config.host, port, auth: config.apiKeys.size > 0 ? `${config.apiKeys.size} API keys` : 'off', rateLimit: config.rateLimit ?? 'off' }, `suanpan listening on http://${config.host}:${port} (docs at /docs/)`);
  });
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;

  process.on('SIGHUP', () => void reloadAndLog(rules, logger, 'SIGHUP'));
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    drainAndExit(server, uploads, config, logger, signal);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Opens the ledger (applying its migrations) and the service over it. */
async function openLedger(config: Config, rules: RulesHolder, keys: KeyRing): Promise<LedgerService> {
  const store = await openLedgerStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const catalog = (): RuleCatalog => {
    const current = rules.current();
    if (current === undefined) throw new Error('rules are not loaded');
    return current;
  };
  // a close past the settlement's spill threshold keeps its sales in temp files, not in memory
  return new LedgerService({ store, catalog, keys: () => keys, now: () => new Date(), settlementOptions: { openSpill: () => openSpillFiles() } });
}

/**
 * Graceful shutdown: /readyz already answers 503 (the caller set the flag); after the drain
 * delay the listener closes (new connections are refused), idle keep-alive connections close,
 * requests in flight complete (their responses say Connection: close), then the process exits 0.
 * An upload still arriving shortly before the bound (see uploadDeadlineMs) is no longer read: it
 * is answered 503 SHUTTING_DOWN with Retry-After and Connection: close, rather than reset without
 * an answer when the process exits. Past SUANPAN_SHUTDOWN_TIMEOUT_MS it exits 1 whatever is still open.
 */
function drainAndExit(server: Server, uploads: UploadsInFlight, config: Config, logger: Logger, signal: string): void {
  logger.info({ signal, drainMs: config.shutdownDrainMs, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: readiness is 503, finishing requests in flight');
  setTimeout(() => {
    logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting with requests still open');
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();
  setTimeout(() => {
    const answered = uploads.answerShuttingDown();
    if (answered > 0) logger.warn({ uploads: answered }, 'shutting down: uploads still arriving were answered 503 and their connections closed');
  }, uploadDeadlineMs(config)).unref();
  setTimeout(() => {
    server.close(() => {
      logger.info({}, 'all connections closed; exiting');
      process.exit(0);
    });
    server.closeIdleConnections();
    // A keep-alive connection whose request started before the signal turns idle after its
    // response: close such connections as they turn idle, so none holds the exit back.
    setInterval(() => server.closeIdleConnections(), 100).unref();
  }, config.shutdownDrainMs);
}

/**
 * When, after the signal, uploads still arriving are answered 503: a second before the shutdown
 * bound (a quarter of it when it is shorter than 4 s), so an upload that can finish in time
 * does, and one that cannot still hears why — but never before the drain delay is over.
 */
function uploadDeadlineMs(config: Pick<Config, 'shutdownDrainMs' | 'shutdownTimeoutMs'>): number {
  return Math.max(config.shutdownDrainMs, config.shutdownTimeoutMs - Math.min(1000, config.shutdownTimeoutMs / 4));
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`suanpan could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    // a worker of src/cluster.ts that could not start must let go of its IPC channel to exit
    if (process.exitCode !== undefined && process.exitCode !== 0) process.disconnect?.();
  });
