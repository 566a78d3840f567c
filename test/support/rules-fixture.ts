import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RULES_DIR } from './test-app';

export const VERSION_DIR = 'chamber-baiyikang/2026-01-01';

/** A throw-away copy of the bundled rules directory that a test may edit. */
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
    },
    write(file, text) {
      writeFileSync(path.join(dir, file), text);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
