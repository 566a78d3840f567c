import { DomainError } from '../domain/errors';
import type { ConditionEvaluator } from './evaluator';
import { JsonRulesEngineEvaluator } from './json-rules-engine-evaluator';
import { loadRules, type LoadedRules, type LoadedVersion, type LoadRulesOptions } from './load-rules';

/** A loaded version with the evaluator built for it. */
export interface RuleSet extends LoadedVersion {
  readonly evaluator: ConditionEvaluator;
}

/**
 * The rules being served: every agreement and version, immutable once built. A reload
 * builds a new RuleCatalog and swaps the reference, so a request keeps the one it started with.
 */
export class RuleCatalog {
  private constructor(
    readonly dir: string,
    private readonly agreements: ReadonlyMap<string, readonly RuleSet[]>,
    readonly loadedAt: string,
  ) {}

  static fromLoaded(loaded: LoadedRules, buildEvaluator: (version: LoadedVersion) => ConditionEvaluator = defaultEvaluator): RuleCatalog {
    const agreements = new Map<string, RuleSet[]>();
    for (const [id, versions] of loaded.agreements) {
      agreements.set(
        id,
        versions.map((version) => ({ ...version, evaluator: buildEvaluator(version) })),
      );
    }
    return new RuleCatalog(loaded.dir, agreements, new Date().toISOString());
  }

  /** Loads a rules directory; throws RulesetError with every problem when it is invalid. */
  static load(dir: string, options: LoadRulesOptions = {}): RuleCatalog {
    return RuleCatalog.fromLoaded(loadRules(dir, options));
  }

  agreementIds(): string[] {
    return [...this.agreements.keys()];
  }

  /** All versions of an agreement, oldest first; throws UNKNOWN_AGREEMENT. */
  versions(agreement: string, pointer = '/agreement'): readonly RuleSet[] {
    const versions = this.agreements.get(agreement);
    if (versions === undefined) {
      throw new DomainError('UNKNOWN_AGREEMENT', `agreement ${JSON.stringify(agreement)} is not loaded (loaded: ${this.agreementIds().join(', ')})`, [
        { pointer, detail: `unknown agreement ${JSON.stringify(agreement)}`, code: 'UNKNOWN_AGREEMENT' },
      ]);
    }
    return versions;
  }

  /** The version of an agreement with this content hash (a quote's pinned rulesetVersion), if loaded. */
  versionByHash(agreement: string, rulesetVersion: string): RuleSet | undefined {
    return this.agreements.get(agreement)?.find((ruleSet) => ruleSet.version.rulesetVersion === rulesetVersion);
  }

  /** The version in force on `date`: the latest whose effectiveFrom is on or before it. */
  versionOn(agreement: string, date: string): RuleSet {
    const versions = this.versions(agreement);
    let inForce: RuleSet | undefined;
    for (const version of versions) if (version.version.effectiveFrom <= date) inForce = version;
    if (inForce === undefined) {
      throw new DomainError('NO_RULESET_IN_FORCE', `no version of ${agreement} is in force on ${date}; the first takes effect on ${versions[0]!.version.effectiveFrom}`, [
        { pointer: '/date', detail: `before ${versions[0]!.version.effectiveFrom}, the first version of ${agreement}`, code: 'NO_RULESET_IN_FORCE' },
      ]);
    }
    return inForce;
  }
}

function defaultEvaluator(version: LoadedVersion): ConditionEvaluator {
  return new JsonRulesEngineEvaluator(version.rules, version.version.rules);
}
