import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashedVersion, loadRules } from '../../src/rules/load-rules';
import { addToLock, writeRulesLock } from '../../src/rules/rules-lock';

/**
 * Adds an agreement `to` to a rules copy (see copyRules) as a renamed copy of agreement `from`:
 * its versions and golden cases, with every `"agreement": "<from>"` member renamed, recorded in
 * the copy's lock. Tests of "many agreements" use it instead of counting the bundled ones.
 */
export function addRenamedAgreement(dir: string, from: string, to: string): void {
  const target = path.join(dir, to);
  cpSync(path.join(dir, from), target, { recursive: true });
  for (const file of jsonFiles(target)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replaceAll(`"agreement": "${from}"`, `"agreement": "${to}"`));
  }
  const lock = JSON.parse(readFileSync(path.join(dir, 'rules.lock.json'), 'utf8')) as Record<string, string>;
  writeRulesLock(dir, addToLock(lock, [...loadRules(dir, { lock: 'ignore' }).agreements.values()].flat().map(hashedVersion)).lock);
}

/**
 * A date for a new version of `agreement` that no version folder of `rulesDir` has or follows:
 * January 1st of the year after its latest version. Tests that publish a version use it, so a
 * version a rule author adds to the bundle never collides with theirs.
 */
export function dateAfterLastVersion(rulesDir: string, agreement: string): string {
  const versions = readdirSync(path.join(rulesDir, agreement))
    .filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name))
    .sort();
  const latest = versions[versions.length - 1];
  if (latest === undefined) throw new Error(`no version of ${agreement} in ${rulesDir}`);
  return `${Number(latest.slice(0, 4)) + 1}-01-01`;
}

/**
 * A rules directory holding only `agreement` of `rulesDir` (schema, its versions and cases, its
 * lock entries), for tests of what a command does when the rules hold exactly one agreement.
 */
export function rulesWithOnly(rulesDir: string, agreement: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-one-agreement-'));
  cpSync(path.join(rulesDir, 'schema'), path.join(dir, 'schema'), { recursive: true });
  cpSync(path.join(rulesDir, agreement), path.join(dir, agreement), { recursive: true });
  const lock = JSON.parse(readFileSync(path.join(rulesDir, 'rules.lock.json'), 'utf8')) as Record<string, string>;
  writeRulesLock(dir, Object.fromEntries(Object.entries(lock).filter(([key]) => key.startsWith(`${agreement}/`))));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}
