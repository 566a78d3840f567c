/**
 * Entry point of the HTTP service (`npm start`): runs src/server.ts in SUANPAN_WORKERS
 * processes (default: os.availableParallelism(), one per core) that share the listening port
 * through node:cluster. SUANPAN_WORKERS=1 runs the server in this process, without a primary.
 */
import cluster from 'node:cluster';
import os from 'node:os';

/** The number of worker processes: SUANPAN_WORKERS, or one per core when unset. */
export function workerCount(env: NodeJS.ProcessEnv = process.env, cores: number = os.availableParallelism()): number {
  const text = env['SUANPAN_WORKERS'];
  if (text === undefined || text === '') return cores;
  if (!/^[1-9]\d{0,2}$/.test(text)) throw new Error(`SUANPAN_WORKERS must be a whole number from 1 to 999, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** How the primary reports what happens to its workers. */
export type ClusterLog = (message: string, level?: 'info' | 'error', fields?: object) => void;

/** What the primary does beyond supervising (src/cluster-rules.ts sets both for the service). */
export interface ClusterOptions {
  /** The environment a new worker starts with (read at each fork). */
  readonly workerEnv?: () => Record<string, string>;
  /** What SIGHUP to the primary does; default: forwarded to every worker. */
  readonly onSighup?: () => void;
  /** Called once before the primary exits. */
  readonly onExit?: () => void;
}

/** The delay before replacing a worker, after `deaths` deaths in the last minute: 0.25 s doubling to 30 s at most. */
export function replacementDelayMs(deaths: number): number {
  return deaths <= 1 ? 0 : Math.min(30_000, 250 * 2 ** (deaths - 2));
}

/**
 * Runs `startWorker` in `workers` processes. The primary only supervises: it forks the
 * workers, stops everything if one exits before any worker was listening (bad rules, port in
 * use, bad configuration: retrying would loop), and once the service is up replaces every
 * worker that dies — also one that dies before listening — with back-off while deaths repeat
 * (replacementDelayMs), so the healthy workers keep serving whatever happens to one. It
 * forwards SIGTERM and SIGINT so each worker shuts down gracefully, and exits when the last
 * worker has after that. With one worker, `startWorker` runs in this process.
 */
export function runOnCores(workers: number, startWorker: () => void, log: ClusterLog, options: ClusterOptions = {}): void {
  if (workers <= 1 || !cluster.isPrimary) {
    startWorker();
    return;
  }
  let stopping = false;
  let serving = false;
  const deaths: number[] = [];
  const fork = (): void => {
    cluster.fork(options.workerEnv?.() ?? {});
  };
  const exit = (): void => {
    options.onExit?.();
    process.exit();
  };
  const stopAll = (signal: NodeJS.Signals): void => {
    stopping = true;
    const running = Object.values(cluster.workers ?? {});
    if (running.length === 0) exit();
    for (const worker of running) worker?.process.kill(signal);
  };
  cluster.on('listening', () => {
    serving = true;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) exit();
      return;
    }
    if (!serving) {
      log(`worker ${worker.process.pid} exited with code ${code} before listening; stopping all workers`, 'error');
      process.exitCode = code === 0 ? 1 : code;
      stopAll('SIGTERM');
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while (deaths[0]! < now - 60_000) deaths.shift();
    const delay = replacementDelayMs(deaths.length);
    log(`worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting a replacement${delay > 0 ? ` in ${delay} ms (${deaths.length} deaths in the last minute)` : ''}`, 'error');
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(signal));
  process.on(
    'SIGHUP',
    options.onSighup ??
      (() => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
      }),
  );
  log(`starting ${workers} workers`);
  for (let i = 0; i < workers; i++) fork();
}

if (require.main === module) {
  const log: ClusterLog = (message, level = 'info', fields = {}) => {
    process.stdout.write(`${JSON.stringify({ level: level === 'error' ? 50 : 30, time: Date.now(), pid: process.pid, service: 'suanpan', role: 'primary', ...fields, msg: message })}\n`);
  };
  const workers = workerCount();
  if (workers <= 1 || !cluster.isPrimary) {
    require('./server');
  } else {
    // the primary keeps the copy of the rules the workers serve and reloads them for all (src/cluster-rules.ts)
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadConfig } = require('./config') as typeof import('./config');
    const { ClusterRules } = require('./cluster-rules') as typeof import('./cluster-rules');
    /* eslint-enable @typescript-eslint/no-require-imports */
    let rulesDir: string;
    try {
      rulesDir = loadConfig().rulesDir;
    } catch (error) {
      process.stderr.write(`suanpan: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
    const validate = async (snapshot: string): Promise<readonly import('./rules/ruleset-error').RuleProblem[]> => {
      // loaded on the first reload: the rules engine is not needed to start the workers
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { RulesHolder } = require('./rules/rules-holder') as typeof import('./rules/rules-holder');
      const outcome = await new RulesHolder(snapshot).reload();
      return outcome.ok ? [] : outcome.problems;
    };
    let rules: InstanceType<typeof ClusterRules>;
    try {
      rules = new ClusterRules(rulesDir, validate, (level, message, fields) => log(message, level, fields));
    } catch (error) {
      process.stderr.write(`suanpan: the rules directory ${rulesDir} cannot be read: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
    runOnCores(workers, () => undefined, log, {
      workerEnv: () => rules.workerEnv(),
      onSighup: () => void rules.reload('SIGHUP'),
      onExit: () => rules.remove(),
    });
  }
}
