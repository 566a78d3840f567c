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
export type ClusterLog = (message: string) => void;

/**
 * Runs `startWorker` in `workers` processes. The primary only supervises: it forks the
 * workers, replaces one that dies after it was listening, stops everything if one dies
 * before listening (bad rules, port in use: retrying would loop), and forwards SIGTERM and
 * SIGINT so each worker shuts down gracefully (and SIGHUP, so each reloads its rules); it
 * exits when the last worker has.
 * With one worker, `startWorker` runs in this process.
 */
export function runOnCores(workers: number, startWorker: () => void, log: ClusterLog): void {
  if (workers <= 1 || !cluster.isPrimary) {
    startWorker();
    return;
  }
  let stopping = false;
  const listening = new Set<number>();
  const stopAll = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  cluster.on('listening', (worker) => {
    listening.add(worker.id);
  });
  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker.id);
    if (!stopping && wasListening) {
      log(`worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting a replacement`);
      cluster.fork();
      return;
    }
    if (!stopping) {
      log(`worker ${worker.process.pid} exited with code ${code} before listening; stopping all workers`);
      process.exitCode = code === 0 ? 1 : code;
      stopAll('SIGTERM');
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(signal));
  // SIGHUP reloads the rules (server.ts): every worker serves its own catalog, so each reloads
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  });
  log(`starting ${workers} workers`);
  for (let i = 0; i < workers; i++) cluster.fork();
}

if (require.main === module) {
  runOnCores(
    workerCount(),
    () => {
      require('./server');
    },
    (message) => {
      process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, service: 'suanpan', role: 'primary', msg: message })}\n`);
    },
  );
}
