import path from 'node:path';
import pino from 'pino';
import { createApp } from './app';
import { limitHeapGrowth } from './limit-heap-growth';
import { reloadAndLog, RulesHolder } from './rules/rules-holder';
import { formatRuleProblem } from './rules/ruleset-error';
import { readTrustConfig } from './trust/trust-config';

/**
 * Composition root: reads the environment, loads the rules (exits non-zero naming the file
 * and reason when they are invalid), and serves on $HOST:$PORT.
 */
async function main(): Promise<void> {
  limitHeapGrowth();
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info', base: { service: 'suanpan' } });
  const trust = readTrustConfig(process.env, logger); // signing keys, quote validity, admin token
  const rulesDir = path.resolve(process.env['SUANPAN_RULES_DIR'] ?? path.join(__dirname, '..', 'rules'));
  const rules = new RulesHolder(rulesDir);
  const loaded = await rules.reload(); // schema, lock, lint and golden cases, as SIGHUP does
  if (!loaded.ok) {
    logger.error({ rulesDir, problems: loaded.problems }, `rules refused:\n${loaded.problems.map(formatRuleProblem).join('\n')}`);
    process.exitCode = 1;
    return;
  }
  logger.info({ rulesDir, agreements: loaded.catalog.agreementIds() }, 'rules loaded');

  let shuttingDown = false;
  const app = createApp({ rules, logger, isShuttingDown: () => shuttingDown, ...trust });
  const port = Number(process.env['PORT'] ?? 8080);
  const host = process.env['HOST'] ?? '0.0.0.0';
  const server = app.listen(port, host, () => {
    logger.info({ host, port }, `suanpan listening on http://${host}:${port} (docs at /docs/)`);
  });

  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    server.close(() => {
      logger.info('all connections closed');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('shutdown timed out; exiting');
      process.exit(1);
    }, Number(process.env['SHUTDOWN_TIMEOUT_MS'] ?? 10000)).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => void reloadAndLog(rules, logger, 'SIGHUP'));
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
