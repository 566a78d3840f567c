import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRules } from '../../src/rules/load-rules';
import { LOCK_FILE } from '../../src/rules/rules-lock';
import { RulesetError, type RuleProblem } from '../../src/rules/ruleset-error';
import { RulesHolder } from '../../src/rules/rules-holder';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { RULES_DIR } from '../support/test-app';

const lock = JSON.parse(readFileSync(path.join(RULES_DIR, LOCK_FILE), 'utf8')) as Record<string, string>;

/** Problems of loading a copy of the bundled rules after `tamper` changed its files behind the fixture's back. */
function refusal(tamper: (dir: string) => void, mode: 'required' | 'if-present' = 'if-present'): RuleProblem[] {
  const rules = copyRules();
  try {
    tamper(rules.dir);
    loadRules(rules.dir, { lock: mode });
    return [];
  } catch (error) {
    if (error instanceof RulesetError) return [...error.problems];
    throw error;
  } finally {
    rules.cleanup();
  }
}

describe('rules.lock.json: published versions are immutable', () => {
  it('records every bundled version with the hash the loader computes', () => {
    const loaded = loadRules(RULES_DIR, { lock: 'required' });
    const hashes = Object.fromEntries([...loaded.agreements.values()].flat().map((v) => [`${v.version.agreement}/${v.version.effectiveFrom}`, v.version.rulesetVersion]));
    expect(hashes).toEqual(lock);
    expect(Object.keys(lock).length).toBeGreaterThan(0);
  });

  it('refuses a published version whose files changed, naming the files and the fix', () => {
    const problems = refusal((dir) => {
      const file = path.join(dir, VERSION_DIR, 'rules', 'member-discount.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"rate": "0.05"', '"rate": "0.06"'));
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(`${VERSION_DIR}/`);
    expect(problems[0]!.reason).toContain(`records ${lock[VERSION_DIR]}`);
    expect(problems[0]!.reason).toContain('rules/member-discount.json');
    expect(problems[0]!.reason).toMatch(/immutable.*new version folder/);
  });

  it('refuses a rule file added to a published version', () => {
    const problems = refusal((dir) => {
      const source = path.join(dir, VERSION_DIR, 'rules', 'chamber-commission.json');
      writeFileSync(path.join(dir, VERSION_DIR, 'rules', 'extra-commission.json'), readFileSync(source, 'utf8').replace('"id": "chamber-commission"', '"id": "extra-commission"'));
    });
    expect(problems.map((p) => p.file)).toEqual([`${VERSION_DIR}/`]);
    expect(problems[0]!.reason).toContain('rules/extra-commission.json');
  });

  it('refuses a version that is not in the lock, with the command that records it', () => {
    const problems = refusal((dir) => {
      const json = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as Record<string, string>;
      delete json['chamber-baiyikang/2027-01-01'];
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(json));
    });
    expect(problems).toEqual([{ file: 'chamber-baiyikang/2027-01-01/', reason: expect.stringContaining('suanpan rules lint --update-lock') }]);
  });

  it('refuses a locked version whose folder was removed', () => {
    const problems = refusal((dir) => rmSync(path.join(dir, 'chamber-baiyikang', '2027-01-01'), { recursive: true }));
    expect(problems).toEqual([{ file: 'chamber-baiyikang/2027-01-01/', reason: expect.stringMatching(/folder is missing/) }]);
  });

  it('refuses a malformed lock', () => {
    expect(refusal((dir) => writeFileSync(path.join(dir, LOCK_FILE), '{"chamber-baiyikang/2026-01-01": "abc"}'))).toEqual([
      { file: LOCK_FILE, reason: expect.stringContaining('16 hex digit hash') },
    ]);
    expect(refusal((dir) => writeFileSync(path.join(dir, LOCK_FILE), '[1]'))).toEqual([{ file: LOCK_FILE, reason: expect.stringContaining('must be an object') }]);
  });

  it('without a lock file: refused when required (the service), accepted otherwise', () => {
    const remove = (dir: string): void => rmSync(path.join(dir, LOCK_FILE));
    expect(refusal(remove, 'required')).toEqual([{ file: LOCK_FILE, reason: expect.stringContaining('--update-lock') }]);
    expect(refusal(remove, 'if-present')).toEqual([]);
  });

  it('a RulesHolder refuses to start on a tampered version and a reload keeps the good rules', async () => {
    const rules = copyRules();
    try {
      const holder = new RulesHolder(rules.dir);
      expect(holder.load().ok).toBe(true);
      const good = holder.current();
      const file = path.join(rules.dir, VERSION_DIR, 'agreement.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"listPrice": "1288.00"', '"listPrice": "1188.00"'));
      const outcome = await holder.reload();
      expect(outcome).toEqual({ ok: false, problems: [expect.objectContaining({ file: `${VERSION_DIR}/` })] });
      expect(holder.current()).toBe(good);
      expect(new RulesHolder(rules.dir).load().ok).toBe(false);
    } finally {
      rules.cleanup();
    }
  });
});
