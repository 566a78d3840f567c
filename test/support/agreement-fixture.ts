import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/** The first agreement of a rules directory (alphabetically), to copy from without naming the bundle. */
export function firstAgreement(dir: string): string {
  const found = readdirSync(dir)
    .filter((name) => name !== 'schema' && statSync(path.join(dir, name)).isDirectory())
    .sort();
  if (found[0] === undefined) throw new Error(`no agreement in ${dir}`);
  return found[0];
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}
