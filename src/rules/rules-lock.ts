import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleProblem } from './ruleset-error';

/** The lock file of a rules directory: `rules/rules.lock.json`. */
export const LOCK_FILE = 'rules.lock.json';

/** Published versions and their content hashes: `{ "<agreement>/<effectiveFrom>": "<rulesetVersion>" }`. */
export type RulesLock = Readonly<Record<string, string>>;

/**
 * How a load treats the lock file.
 * - `required`: the lock must exist; every version must be in it with the same hash.
 * - `if-present`: as `required` when the file exists; nothing is checked when it does not.
 * - `ignore`: not read (`rules lint` checks and updates it itself).
 */
export type LockMode = 'required' | 'if-present' | 'ignore';

/** What the lock check needs of a loaded version. */
export interface HashedVersion {
  /** `<agreement>/<effectiveFrom>`, the version's folder relative to the rules directory. */
  readonly key: string;
  readonly rulesetVersion: string;
  /** The files the hash covers, relative to the rules directory. */
  readonly files: readonly string[];
}

const HASH = /^[0-9a-f]{16}$/;
const UPDATE_HINT = 'run `npx suanpan rules lint --update-lock` to validate the new version and record it';

/** Reads the lock file; undefined when it does not exist. Problems (bad JSON, bad entries) are pushed. */
export function readRulesLock(rulesDir: string, problems: RuleProblem[]): RulesLock | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(rulesDir, LOCK_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    problems.push({ file: LOCK_FILE, reason: `cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push({ file: LOCK_FILE, reason: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    problems.push({ file: LOCK_FILE, reason: 'must be an object { "<agreement>/<effectiveFrom>": "<16 hex hash>" }' });
    return undefined;
  }
  const before = problems.length;
  for (const [key, hash] of Object.entries(json)) {
    if (typeof hash !== 'string' || !HASH.test(hash)) problems.push({ file: LOCK_FILE, reason: `entry ${JSON.stringify(key)} must be a 16 hex digit hash, not ${JSON.stringify(hash)}` });
  }
  return problems.length > before ? undefined : (json as RulesLock);
}

/**
 * Compares loaded versions with the lock: a version whose hash differs was edited after it
 * was published (refused: versions are immutable); a version absent from the lock has not been
 * validated by `rules lint --update-lock` (refused with that hint); a locked version whose
 * folder is gone was unpublished (refused: past quotes could no longer be recomputed).
 *
 * @param refused version folders that exist but failed to load: their own problems say why,
 *   so the lock adds nothing about them
 */
export function checkRulesLock(versions: readonly HashedVersion[], lock: RulesLock, refused: ReadonlySet<string> = new Set()): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  for (const version of versions) {
    seen.add(version.key);
    const recorded = lock[version.key];
    if (recorded === undefined) {
      problems.push({ file: `${version.key}/`, reason: `version ${version.key} (hash ${version.rulesetVersion}) is not in ${LOCK_FILE}: ${UPDATE_HINT}` });
    } else if (recorded !== version.rulesetVersion) {
      problems.push({
        file: `${version.key}/`,
        reason:
          `published version ${version.key} was modified: its files (${version.files.map((file) => file.slice(version.key.length + 1)).join(', ')}) hash to ${version.rulesetVersion} ` +
          `but ${LOCK_FILE} records ${recorded}. A published version is immutable: restore its files (e.g. git checkout -- rules/${version.key}) ` +
          `and publish the change as a new version folder with a later effectiveFrom instead`,
      });
    }
  }
  for (const key of Object.keys(lock).sort()) {
    if (!seen.has(key) && !refused.has(key)) {
      problems.push({ file: `${key}/`, reason: `${LOCK_FILE} records published version ${key} but its folder is missing: restore it (quotes issued under it must stay recomputable)` });
    }
  }
  return problems;
}

/** The lock with every version not yet in it added; existing entries are never changed. */
export function addToLock(lock: RulesLock, versions: readonly HashedVersion[]): { lock: RulesLock; added: string[] } {
  const next: Record<string, string> = { ...lock };
  const added: string[] = [];
  for (const version of versions) {
    if (next[version.key] !== undefined) continue;
    next[version.key] = version.rulesetVersion;
    added.push(version.key);
  }
  return { lock: sortKeys(next), added };
}

/** Writes the lock file atomically (temp file + rename), keys sorted, one entry a line. */
export function writeRulesLock(rulesDir: string, lock: RulesLock): void {
  const file = path.join(rulesDir, LOCK_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(sortKeys(lock), null, 2)}\n`);
  renameSync(temp, file);
}

function sortKeys(lock: RulesLock): Record<string, string> {
  return Object.fromEntries(Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
