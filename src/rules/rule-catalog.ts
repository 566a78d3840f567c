import { DomainError } from '../domain/errors';
import { CompiledEvaluator } from './compiled-evaluator';
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

  /**
   * Builds the evaluator of every version (the compiled one unless told otherwise); a rule
   * the evaluator cannot compile makes this throw RulesetError, so nothing half-loads.
   */
  static fromLoaded(loaded: LoadedRules, buildEvaluator: EvaluatorKind | ((version: LoadedVersion) => ConditionEvaluator) = evaluatorKindFromEnv()): RuleCatalog {
    const build = typeof buildEvaluator === 'function' ? buildEvaluator : EVALUATOR_BUILDERS[buildEvaluator];
    const agreements = new Map<string, RuleSet[]>();
    for (const [id, versions] of loaded.agreements) {
      agreements.set(
        id,
        versions.map((version) => ({ ...version, evaluator: build(version) })),
      );
    }
    return new RuleCatalog(loaded.dir, agreements, new Date().toISOString());
  }

  /** Loads a rules directory; throws RulesetError with every problem when it is invalid. */
static load(dir: string, options: LoadRulesOptions & { readonly evaluator?: EvaluatorKind } = {}): RuleCatalog {
    return RuleCatalog.fromLoaded(loadRules(dir, options), options.evaluator ?? evaluatorKindFromEnv());
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

/**
 * How conditions are evaluated: `compiled` (the default: synchronous closures built at load)
 * or `json-rules-engine` (the stock engine, the reference semantics).
 */
export type EvaluatorKind = 'compiled' | 'json-rules-engine';

const EVALUATOR_BUILDERS: Readonly<Record<EvaluatorKind, (version: LoadedVersion) => ConditionEvaluator>> = {
  compiled: (version) => new CompiledEvaluator(version.rules, version.version.rules, version.factKeys, (ruleId) => ruleFile(version, ruleId)),
  'json-rules-engine': (version) => new JsonRulesEngineEvaluator(version.rules, version.version.rules),
};

/** The evaluator named by SUANPAN_EVALUATOR (`compiled` when unset); throws on an unknown name. */
export function evaluatorKindFromEnv(env: NodeJS.ProcessEnv = process.env): EvaluatorKind {
  const name = env['SUANPAN_EVALUATOR'] ?? 'compiled';
  if (name === 'compiled' || name === 'json-rules-engine') return name;
  throw new Error(`SUANPAN_EVALUATOR must be "compiled" or "json-rules-engine", not ${JSON.stringify(name)}`);
}

function ruleFile(version: LoadedVersion, ruleId: string): string {
  return version.files.find((file) => file.endsWith(`/rules/${ruleId}.json`)) ?? `${ruleId}.json`;
}
