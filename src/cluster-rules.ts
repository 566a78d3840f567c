/**
 * The rules of a cluster (src/cluster.ts), served alike by every worker. The primary keeps a
 * private copy (a snapshot) of the rules directory that the workers serve:
 * - a replacement worker loads that snapshot, not the directory, so a rule file being edited on
 *   disk (the edit-then-SIGHUP workflow) cannot stop it from starting on the rules being served;
 * - a reload (SIGHUP to any process, or POST /admin/rules:reload on any worker) is done once, by
 *   the primary: it copies the directory, validates the copy fully (schema, lock, lint, golden
 *   cases) and, when valid, has every worker load that same copy; the worker that asked answers
 *   only once all have swapped. A refused reload changes nothing served, and every worker's
 *   /readyz and metrics record it.
 */
import cluster, { type Worker } from 'node:cluster';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadOutcome, RulesHolder } from './rules/rules-holder';
import type { RuleProblem } from './rules/ruleset-error';

/** The environment variable that tells a worker which snapshot to load at start (set by the primary). */
export const RULES_SNAPSHOT_VARIABLE = 'SUANPAN_RULES_SNAPSHOT';

/** How long the primary waits for every worker to load validated rules. */
const ADOPT_TIMEOUT_MS = 60_000;

/** What a reload answers across the cluster. */
export type ClusterReloadOutcome = { readonly ok: true; readonly workers: number } | { readonly ok: false; readonly problems: readonly RuleProblem[] };

type Message =
  | { readonly type: 'suanpan:rules-reload'; readonly id: number }
  | { readonly type: 'suanpan:rules-reloaded'; readonly id: number; readonly outcome: ClusterReloadOutcome }
  | { readonly type: 'suanpan:rules-adopt'; readonly id: number; readonly dir: string }
  | { readonly type: 'suanpan:rules-adopted'; readonly id: number; readonly problems: readonly RuleProblem[] }
  | { readonly type: 'suanpan:rules-refused'; readonly problems: readonly RuleProblem[] };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('suanpan:rules-');
}

/** The primary's side: the snapshot being served, and reloads done once for all workers. */
export class ClusterRules {
  private readonly root: string;
  private generation = 0;
  private served: string;
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly waiting = new Map<number, { readonly pending: Set<number>; readonly problems: RuleProblem[]; readonly done: () => void }>();

  /**
   * @param rulesDir the rules directory operators edit
   * @param validate loads a snapshot and runs every check a reload runs; resolves to the problems (none: valid)
   */
  constructor(
    readonly rulesDir: string,
    private readonly validate: (snapshot: string) => Promise<readonly RuleProblem[]>,
    private readonly log: (level: 'info' | 'error', message: string, fields?: object) => void,
  ) {
    this.root = mkdtempSync(path.join(tmpdir(), 'suanpan-rules-'));
    this.served = this.copy();
    cluster.on('message', (worker, message: unknown) => {
      if (isMessage(message)) this.onMessage(worker, message);
    });
    cluster.on('exit', (worker) => {
      for (const wait of this.waiting.values()) if (wait.pending.delete(worker.id) && wait.pending.size === 0) wait.done();
    });
  }

  /** The environment a new worker starts with: the snapshot being served. */
  workerEnv(): Record<string, string> {
    return { [RULES_SNAPSHOT_VARIABLE]: this.served };
  }

  /** Removes every snapshot (the primary is exiting). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Reloads for the whole cluster (one at a time): copy, validate, have every worker load the copy. */
  reload(trigger: string): Promise<ClusterReloadOutcome> {
    const run = this.reloading.then(() => this.reloadOnce(trigger));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async reloadOnce(trigger: string): Promise<ClusterReloadOutcome> {
    let snapshot: string;
    let problems: readonly RuleProblem[];
    try {
      snapshot = this.copy();
    } catch (error) {
      return this.refused(trigger, [{ file: this.rulesDir, reason: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }]);
    }
    try {
      problems = await this.validate(snapshot);
    } catch (error) {
      problems = [{ file: this.rulesDir, reason: `validation failed: ${error instanceof Error ? error.message : String(error)}` }];
    }
    if (problems.length > 0) {
      rmSync(snapshot, { recursive: true, force: true });
      return this.refused(trigger, problems);
    }
    const previous = this.served;
    this.served = snapshot; // workers forked from now on start on it
    const workers = connectedWorkers();
    const id = ++this.generation;
    const adopted = new Promise<RuleProblem[]>((resolve) => {
      const wait = { pending: new Set(workers.map((worker) => worker.id)), problems: [] as RuleProblem[], done: () => (this.waiting.delete(id), clearTimeout(timer), resolve(wait.problems)) };
      const timer = setTimeout(() => {
        wait.problems.push({ file: this.rulesDir, reason: `${wait.pending.size} worker(s) did not load the new rules within ${ADOPT_TIMEOUT_MS} ms` });
        wait.done();
      }, ADOPT_TIMEOUT_MS);
      this.waiting.set(id, wait);
      if (wait.pending.size === 0) wait.done();
    });
    for (const worker of workers) sendTo(worker, { type: 'suanpan:rules-adopt', id, dir: snapshot });
    const failures = await adopted;
    rmSync(previous, { recursive: true, force: true });
    if (failures.length > 0) {
      this.log('error', `rules reload (${trigger}) validated, but not every worker loaded it`, { problems: failures });
      return { ok: false, problems: failures };
    }
    this.log('info', `rules reloaded (${trigger}) on ${workers.length} workers`);
    return { ok: true, workers: workers.length };
  }

  private refused(trigger: string, problems: readonly RuleProblem[]): ClusterReloadOutcome {
    for (const worker of connectedWorkers()) sendTo(worker, { type: 'suanpan:rules-refused', problems });
    this.log('error', `rules reload refused (${trigger}); still serving the previous rules`, { rulesDir: this.rulesDir, problems });
    return { ok: false, problems };
  }

  private onMessage(worker: Worker, message: Message): void {
    if (message.type === 'suanpan:rules-reload') {
      void this.reload(`worker ${worker.process.pid}`).then((outcome) => {
        if (worker.isConnected()) sendTo(worker, { type: 'suanpan:rules-reloaded', id: message.id, outcome });
      });
    } else if (message.type === 'suanpan:rules-adopted') {
      const wait = this.waiting.get(message.id);
      if (wait === undefined || !wait.pending.delete(worker.id)) return;
      wait.problems.push(...message.problems.map((problem) => ({ ...problem, reason: `worker ${worker.process.pid}: ${problem.reason}` })));
      if (wait.pending.size === 0) wait.done();
    }
  }

  private copy(): string {
    const snapshot = path.join(this.root, `rules-${this.generation}-${Date.now()}`);
    cpSync(this.rulesDir, snapshot, { recursive: true, dereference: true });
    return snapshot;
  }
}

/** Sends to a worker; one that died meanwhile is left out (its exit ends any wait for it). */
function sendTo(worker: Worker, message: Message): void {
  worker.send(message, () => undefined);
}

/** The workers a message can be sent to (a dying worker's channel is closed: sending to it fails). */
function connectedWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
}

/**
 * The worker's side: loads the snapshot the primary started it on, hands its reloads (SIGHUP,
 * the admin endpoint) to the primary, and loads what the primary validated. Call it before
 * anything is served; returns the outcome of the first load.
 */
export function joinClusterRules(holder: RulesHolder, snapshot: string, log: (level: 'info' | 'error', message: string, fields?: object) => void): LoadOutcome {
  const replies = new Map<number, (outcome: ClusterReloadOutcome) => void>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'suanpan:rules-adopt') {
      const outcome = holder.loadFrom(message.dir);
      if (outcome.ok) log('info', 'rules loaded as validated by the primary', { generation: message.id });
      process.send?.({ type: 'suanpan:rules-adopted', id: message.id, problems: outcome.ok ? [] : outcome.problems } satisfies Message);
    } else if (message.type === 'suanpan:rules-refused') {
      holder.recordRefusal(message.problems);
    } else if (message.type === 'suanpan:rules-reloaded') {
      replies.get(message.id)?.(message.outcome);
      replies.delete(message.id);
    }
  });
  holder.delegateReloads(
    () =>
      new Promise<LoadOutcome>((resolve) => {
        const id = ++next;
        replies.set(id, (outcome) => {
          const catalog = holder.current();
          resolve(outcome.ok && catalog !== undefined ? { ok: true, catalog, workers: outcome.workers } : { ok: false, problems: outcome.ok ? [] : outcome.problems });
        });
        process.send?.({ type: 'suanpan:rules-reload', id } satisfies Message);
      }),
  );
  return holder.loadFrom(snapshot);
}
