import type { RuleProblem } from './ruleset-error';
import { formatRuleProblem, RulesetError } from './ruleset-error';
import { RuleCatalog } from './rule-catalog';
import { validateCatalog } from './validate-rules';

/** What the holder last tried, for /readyz and the logs. */
export interface RulesStatus {
  readonly ready: boolean;
  readonly loadedAt?: string;
  /** The versions being served: `<agreement>/<effectiveFrom>` → rulesetVersion. */
  readonly versions?: Readonly<Record<string, string>>;
  readonly lastError?: { readonly at: string; readonly problems: readonly RuleProblem[] };
}

/** The outcome of a load or reload; `workers`: in a cluster, how many processes now serve the catalog. */
export type LoadOutcome = { ok: true; catalog: RuleCatalog; workers?: number } | { ok: false; problems: readonly RuleProblem[] };

/** A logger with pino's call shape. */
export interface ReloadLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Holds the rules being served. A (re)load builds a complete new catalog first and swaps the
 * reference only when it is valid, so a bad rule file never replaces the last good rules and
 * a request keeps the catalog it started with.
 */
export class RulesHolder {
  private catalog: RuleCatalog | undefined;
  private lastError: RulesStatus['lastError'];
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((outcome: 'success' | 'failure') => void)[] = [];
  private delegate: (() => Promise<LoadOutcome>) | undefined;

  /**
   * @param build loads a directory into a catalog (default: with rules.lock.json required)
   * @param validate the checks a reload runs on the new catalog before swapping (default:
   *   lint and golden cases); returns the problems, none meaning valid
   */
  constructor(
    readonly dir: string,
    private readonly build: (dir: string) => RuleCatalog = (d) => RuleCatalog.load(d, { lock: 'required' }),
    private readonly validate: (catalog: RuleCatalog, dir: string) => Promise<readonly RuleProblem[]> = validateCatalog,
  ) {}

  /** The catalog being served, or undefined before the first successful load. */
  current(): RuleCatalog | undefined {
    return this.catalog;
  }

  /** Calls `listener` after every load and reload with its outcome (metrics count reloads this way). */
  onLoad(listener: (outcome: 'success' | 'failure') => void): void {
    this.listeners.push(listener);
  }

  /** Loads the directory (schema, semantics, lock); on failure keeps the previous catalog and records the problems. */
  load(): LoadOutcome {
    return this.loadFrom(this.dir);
  }

  /**
   * Loads `dir` as load() does the holder's own directory: a cluster worker loads the copy of
   * the rules its primary validated (src/cluster-rules.ts).
   */
  loadFrom(dir: string): LoadOutcome {
    const built = this.tryBuild(dir);
    return built instanceof RuleCatalog ? this.swap(built) : built;
  }

  /**
   * Hands every reload() to `reload` from now on: in a cluster the primary reloads once for all
   * workers, and this holder swaps when told to (loadFrom).
   */
  delegateReloads(reload: () => Promise<LoadOutcome>): void {
    this.delegate = reload;
  }

  /** Records a reload refused elsewhere (by a cluster's primary): /readyz and the metrics show it; nothing served changes. */
  recordRefusal(problems: readonly RuleProblem[]): void {
    this.refuse(problems);
  }

  /**
   * Loads the directory afresh and validates it fully — schema, semantics and lock, then the
   * lint and every golden case — and swaps it in only when all pass. A failure changes
   * nothing that is served; it is recorded for /readyz. Reloads run one at a time.
   */
  reload(): Promise<LoadOutcome> {
    if (this.delegate !== undefined) return this.delegate();
    const run = this.reloading.then(async (): Promise<LoadOutcome> => {
      const catalog = this.tryBuild();
      if (!(catalog instanceof RuleCatalog)) return catalog;
      let problems: readonly RuleProblem[];
      try {
        problems = await this.validate(catalog, this.dir);
      } catch (error) {
        problems = [{ file: this.dir, reason: `validation failed: ${error instanceof Error ? error.message : String(error)}` }];
      }
      return problems.length > 0 ? this.refuse(problems) : this.swap(catalog);
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  status(): RulesStatus {
    return {
      ready: this.catalog !== undefined,
      ...(this.catalog === undefined ? {} : { loadedAt: this.catalog.loadedAt, versions: versionsOf(this.catalog) }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  private tryBuild(dir = this.dir): RuleCatalog | LoadOutcome {
    try {
      return this.build(dir);
    } catch (error) {
      return this.refuse(error instanceof RulesetError ? error.problems : [{ file: dir, reason: error instanceof Error ? error.message : String(error) }]);
    }
  }

  private swap(catalog: RuleCatalog): LoadOutcome {
    this.catalog = catalog;
    this.lastError = undefined;
    for (const listener of this.listeners) listener('success');
    return { ok: true, catalog };
  }

  private refuse(problems: readonly RuleProblem[]): LoadOutcome {
    this.lastError = { at: new Date().toISOString(), problems };
    for (const listener of this.listeners) listener('failure');
    return { ok: false, problems };
  }
}

/** The versions of a catalog: `<agreement>/<effectiveFrom>` → rulesetVersion. */
export function versionsOf(catalog: RuleCatalog): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const id of catalog.agreementIds()) for (const v of catalog.versions(id)) versions[`${id}/${v.version.effectiveFrom}`] = v.version.rulesetVersion;
  return versions;
}

/** Reloads and logs the outcome (the problems with file and reason on failure); for SIGHUP and the admin endpoint. */
export async function reloadAndLog(rules: RulesHolder, logger: ReloadLogger, trigger: string): Promise<LoadOutcome> {
  const outcome = await rules.reload();
  if (outcome.ok) {
    logger.info({ trigger, rulesDir: rules.dir, versions: versionsOf(outcome.catalog), ...(outcome.workers === undefined ? {} : { workers: outcome.workers }) }, `rules reloaded (${trigger})`);
  } else {
    logger.error({ trigger, rulesDir: rules.dir, problems: outcome.problems }, `rules reload refused (${trigger}); still serving the previous rules:\n${outcome.problems.map(formatRuleProblem).join('\n')}`);
  }
  return outcome;
}
