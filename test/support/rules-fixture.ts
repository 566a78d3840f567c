import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashedVersion, loadRules } from '../../src/rules/load-rules';
import { addToLock, writeRulesLock } from '../../src/rules/rules-lock';
import { RULES_DIR } from './test-app';

export const VERSION_DIR = 'chamber-baiyikang/2026-01-01';

/**
 * A throw-away copy of the bundled rules directory that a test may edit. An edit of a
 * published version re-records the copy's rules.lock.json (when the edit still loads), so a
 * test sees the effect of the edit rather than the lock's refusal; test/unit/rules-lock.test.ts
 * tests the refusal.
 */
export function copyRules(): { dir: string; edit(file: string, change: (json: any) => unknown): void; write(file: string, text: string): void; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'suanpan-rules-'));
  cpSync(RULES_DIR, dir, { recursive: true });
  return {
    dir,
    edit(file, change) {
      const full = path.join(dir, file);
      const json = JSON.parse(readFileSync(full, 'utf8'));
      const result = change(json);
      writeFileSync(full, JSON.stringify(result === undefined ? json : result, null, 2));
      relock(dir);
    },
    write(file, text) {
      writeFileSync(path.join(dir, file), text);
      relock(dir);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function relock(dir: string): void {
  try {
    const loaded = loadRules(dir, { lock: 'ignore' });
    writeRulesLock(dir, addToLock({}, [...loaded.agreements.values()].flat().map(hashedVersion)).lock);
  } catch {
    // the edit broke the version: loading reports it, the lock stays as it was
  }
}

/**
 * Publishes a new version in a rules copy the way a rule author does: copies the version
 * folder `from`, sets its effectiveFrom and the member discount rate, lets `edit` change more,
 * and records it in the lock (existing entries untouched) unless `record` is false. Returns
 * the new version's folder.
 */
export function publishVersion(dir: string, from: string, effectiveFrom: string, memberRate: string, options: { edit?: (folder: string) => void; record?: boolean } = {}): string {
  const agreementDir = path.join(dir, 'chamber-baiyikang');
  const folder = path.join(agreementDir, effectiveFrom);
  cpSync(path.join(agreementDir, from), folder, { recursive: true });
  const agreementFile = path.join(folder, 'agreement.json');
  writeFileSync(agreementFile, readFileSync(agreementFile, 'utf8').replace(`"effectiveFrom": "${from}"`, `"effectiveFrom": "${effectiveFrom}"`));
  const discountFile = path.join(folder, 'rules', 'member-discount.json');
  writeFileSync(discountFile, readFileSync(discountFile, 'utf8').replace(/"rate": "[0-9.]+"/, `"rate": "${memberRate}"`));
  options.edit?.(folder);
  if (options.record === false) return folder;
  const loaded = loadRules(dir, { lock: 'ignore' });
  writeRulesLock(dir, addToLock(readLock(dir), [...loaded.agreements.values()].flat().map(hashedVersion)).lock);
  return folder;
}

function readLock(dir: string): Record<string, string> {
  return JSON.parse(readFileSync(path.join(dir, 'rules.lock.json'), 'utf8')) as Record<string, string>;
}
