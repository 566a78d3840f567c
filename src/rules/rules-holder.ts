import type { RuleProblem } from './ruleset-error';
import { RulesetError } from './ruleset-error';
import { RuleCatalog } from './rule-catalog';

/** What the holder last tried, for /readyz and the logs. */
export interface RulesStatus {
  readonly ready: boolean;
  readonly loadedAt?: string;
  readonly lastError?: { readonly at: string; readonly problems: readonly RuleProblem[] };
}

/**
 * Holds the rules being served. A (re)load builds a complete new catalog first and swaps the
 * reference only when it is valid, so a bad rule file never replaces the last good rules and
 * a request keeps the catalog it started with.
 */
export class RulesHolder {
  private catalog: RuleCatalog | undefined;
  private lastError: RulesStatus['lastError'];
  private readonly listeners: ((outcome: 'success' | 'failure') => void)[] = [];

  constructor(
    readonly dir: string,
    private readonly build: (dir: string) => RuleCatalog = (d) => RuleCatalog.load(d),
  ) {}

  /** The catalog being served, or undefined before the first successful load. */
  current(): RuleCatalog | undefined {
    return this.catalog;
  }

  /** Calls `listener` after every load with its outcome (metrics count reloads this way). */
  onLoad(listener: (outcome: 'success' | 'failure') => void): void {
    this.listeners.push(listener);
  }

  /** Loads the directory; on failure keeps the previous catalog and records the problems. */
  load(): { ok: true; catalog: RuleCatalog } | { ok: false; problems: readonly RuleProblem[] } {
    const result = this.tryLoad();
    for (const listener of this.listeners) listener(result.ok ? 'success' : 'failure');
    return result;
  }

  private tryLoad(): { ok: true; catalog: RuleCatalog } | { ok: false; problems: readonly RuleProblem[] } {
    try {
      const catalog = this.build(this.dir);
      this.catalog = catalog;
      this.lastError = undefined;
      return { ok: true, catalog };
    } catch (error) {
      const problems: readonly RuleProblem[] = error instanceof RulesetError ? error.problems : [{ file: this.dir, reason: error instanceof Error ? error.message : String(error) }];
      this.lastError = { at: new Date().toISOString(), problems };
      return { ok: false, problems };
    }
  }

  status(): RulesStatus {
    return {
      ready: this.catalog !== undefined,
      ...(this.catalog === undefined ? {} : { loadedAt: this.catalog.loadedAt }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }
}
