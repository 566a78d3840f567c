import { checkVersionCases } from './golden-cases';
import { lintCatalog } from './lint-rules';
import { hashedVersion, loadRules } from './load-rules';
import { RuleCatalog } from './rule-catalog';
import { addToLock, checkRulesLock, readRulesLock, writeRulesLock } from './rules-lock';
import { RulesetError, type RuleProblem } from './ruleset-error';

/** What `suanpan rules lint` reports. */
export interface LintReport {
  readonly errors: readonly RuleProblem[];
  readonly warnings: readonly RuleProblem[];
  /** The versions found: `<agreement>/<effectiveFrom>` and content hash. */
  readonly versions: readonly { readonly key: string; readonly rulesetVersion: string }[];
  readonly combinations: number;
  /** Versions recorded in rules.lock.json by this run (`--update-lock`, only when there is no error). */
  readonly lockAdded: readonly string[];
}

/**
 * Lints a rules directory: schema and load-time semantics, the lock (a published version's
 * hash must not change; a new version must be recorded), and {@link lintCatalog}. With
 * `updateLock`, versions missing from rules.lock.json are recorded — only when nothing else is
 * wrong and each has golden cases dated in it that pass, and never by changing the hash of a
 * version already recorded.
 */
export async function lintRulesDir(dir: string, options: { readonly updateLock?: boolean } = {}): Promise<LintReport> {
  let loaded: ReturnType<typeof loadRules>;
  try {
    loaded = loadRules(dir, { lock: 'ignore' });
  } catch (error) {
    if (error instanceof RulesetError) return { errors: error.problems, warnings: [], versions: [], combinations: 0, lockAdded: [] };
    throw error;
  }
  const versions = [...loaded.agreements.values()].flat().map(hashedVersion);
  const errors: RuleProblem[] = [];
  const lock = readRulesLock(dir, errors) ?? {};
  const candidate = options.updateLock === true ? addToLock(lock, versions) : { lock, added: [] };
  errors.push(...checkRulesLock(versions, candidate.lock));
  const catalog = RuleCatalog.fromLoaded(loaded);
  const lint = await lintCatalog(catalog);
  errors.push(...lint.errors);
  errors.push(...(await checkVersionCases(catalog, dir, candidate.added)));
  const record = errors.length === 0 && candidate.added.length > 0;
  if (record) writeRulesLock(dir, candidate.lock);
  return {
    errors,
    warnings: lint.warnings,
    versions: versions.map(({ key, rulesetVersion }) => ({ key, rulesetVersion })),
    combinations: lint.combinations,
    lockAdded: record ? candidate.added : [],
  };
}
