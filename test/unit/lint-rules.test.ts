import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lintRulesDir } from '../../src/rules/lint-rules-dir';
import { hashedVersion, loadRules } from '../../src/rules/load-rules';
import { LOCK_FILE } from '../../src/rules/rules-lock';
import { dateAfterLastVersion, rulesWithOnly } from '../support/agreement-fixture';
import { copyRules } from '../support/rules-fixture';
import { RULES_DIR } from '../support/test-app';

const V2026 = 'chamber-baiyikang/2026-01-01/rules';
const V2027 = 'chamber-baiyikang/2027-01-01/rules';

async function lintCopy(setup: (rules: ReturnType<typeof copyRules>) => void): Promise<Awaited<ReturnType<typeof lintRulesDir>>> {
  const rules = copyRules();
  try {
    setup(rules);
    return await lintRulesDir(rules.dir);
  } finally {
    rules.cleanup();
  }
}

const newRule = (id: string, conditions: unknown, event: unknown, extra: object = {}): string =>
  JSON.stringify({ id, clause: 'test', label: { zh: id, en: id }, priority: 50, conditions, event, ...extra });

describe('rules lint', () => {
  it('passes the bundled rules, every version of every agreement', async () => {
    const report = await lintRulesDir(RULES_DIR);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.versions.map((v) => v.key).sort()).toEqual([...loadRules(RULES_DIR).agreements.values()].flat().map(hashedVersion).map((v) => v.key).sort());
  });

  it('checks every combination of the chamber agreement: channels × 4 buyer flag pairs × SKUs × 15 quantity/total/line-count shapes, per version', async () => {
    const chamber = rulesWithOnly(RULES_DIR, 'chamber-baiyikang');
    try {
      const versions = loadRules(chamber.dir).agreements.get('chamber-baiyikang')!;
      const report = await lintRulesDir(chamber.dir);
      expect(report.errors).toEqual([]);
      expect(report.combinations).toBe(versions.reduce((sum, { version }) => sum + version.channels.size * 4 * version.catalog.size * 15, 0));
    } finally {
      chamber.cleanup();
    }
  });

  it('finds a price below the guarantee floor, with the file, the rule, an example and a fix', async () => {
    const report = await lintCopy((r) => {
      r.edit(`${V2027}/member-discount.json`, (j) => void (j.event.params.rate = '0.20'));
      r.edit(`${V2027}/lowest-price-floor.json`, (j) => void (j.conditions = { all: [{ fact: 'channel', operator: 'equal', value: 'group-buy' }] }));
    });
    expect(report.errors).toEqual([
      {
        file: `${V2027}/member-discount.json`,
        ruleId: 'member-discount',
        // 1288.00 × 0.80 = 1030.40 < 1288.00 × 0.85 = 1094.80; 6 SKUs × 2 key-account flags × 15 shapes
        reason: expect.stringMatching(/channel member-direct after member-discount: BYK-H01, .*BYK-L02 can be priced below list × 0\.85 \(price-guarantee\); e\.g\. BYK-H01 at 1030\.40 < 1094\.80 .* 180 combinations/),
        hint: expect.stringContaining('widen the conditions of lowest-price-floor'),
      },
    ]);
  });

  it('checks every tier boundary exhaustively: a 20 % tier from 537 units is found exactly at 537', async () => {
    const report = await lintCopy((r) => {
      r.edit(`${V2026}/lowest-price-floor.json`, (j) => void (j.conditions = { all: [{ fact: 'channel', operator: 'equal', value: 'member-direct' }] }));
      r.edit(`${V2026}/group-buy-tiers.json`, (j) => {
        j.event.params.tiers[3].to = '537';
        j.event.params.tiers.push({ from: '537', rate: '0.20' });
      });
    });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: `${V2026}/group-buy-tiers.json`, ruleId: 'group-buy-tiers' });
    // 10 % at 100–536 units keeps 0.90 × list above the floor; 20 % from 537 does not: 1288 × 0.8 = 1030.40
    expect(report.errors[0]!.reason).toMatch(/channel group-buy after group-buy-tiers: .* e\.g\. BYK-H01 at 1030\.40 < 1094\.80 .*buying 1 \(order total 537 in 2 lines\)/);
  });

  it('finds rules that can never fire, with a hint for rules outside the version window', async () => {
    const report = await lintCopy((r) => {
      r.write(
        `${V2026}/contradiction.json`,
        newRule('contradiction', { all: [{ fact: 'channel', operator: 'equal', value: 'group-buy' }, { fact: 'line.quantity', operator: 'decimalLessThan', value: 1 }] }, { type: 'commission', params: { rate: '0.01' } }),
      );
      r.write(`${V2026}/expired-bonus.json`, newRule('expired-bonus', { all: [{ fact: 'channel', operator: 'equal', value: 'group-buy' }] }, { type: 'commission', params: { rate: '0.01' } }, { validTo: '2025-06-30' }));
    });
    expect(report.errors).toEqual([
      { file: `${V2026}/contradiction.json`, ruleId: 'contradiction', reason: expect.stringContaining('can never fire'), hint: expect.stringContaining('check its conditions') },
      { file: `${V2026}/expired-bonus.json`, ruleId: 'expired-bonus', reason: expect.stringContaining('can never fire'), hint: expect.stringContaining('validTo 2025-06-30 is before the version takes effect') },
    ]);
  });

  it('does not call a rule dead that fires for exactly one quantity (5000 units)', async () => {
    const exactly5000 = { all: [{ fact: 'line.quantity', operator: 'decimalGreaterThan', value: '4999.5' }, { fact: 'line.quantity', operator: 'decimalLessThan', value: 5001 }] };
    const report = await lintCopy((r) => {
      r.write(`${V2026}/bulk-bonus.json`, newRule('bulk-bonus', exactly5000, { type: 'commission', params: { rate: '0.01' } }));
    });
    expect(report.errors).toEqual([]);
  });

  it('finds exclusivity groups with a single member (a misspelt group lets discounts stack)', async () => {
    const report = await lintCopy((r) => r.edit(`${V2027}/group-buy-tiers.json`, (j) => void (j.exclusivity.group = 'buyer-discounts')));
    expect(report.errors.map((e) => [e.file, e.reason, e.hint])).toEqual([
      [`${V2027}/group-buy-tiers.json`, 'exclusivity group "buyer-discounts" has a single member, so it excludes nothing', expect.stringContaining('"buyer-discount"')],
      [`${V2027}/member-discount.json`, 'exclusivity group "buyer-discount" has a single member, so it excludes nothing', expect.stringContaining('"buyer-discounts"')],
    ]);
  });

  it('finds rates out of range: errors for 100 % and as many gifts as bought, a warning for a rate of 0', async () => {
    const report = await lintCopy((r) => {
      r.edit(`${V2026}/chamber-commission.json`, (j) => void (j.event.params.rate = '1'));
      r.edit(`${V2026}/premium-gifts.json`, (j) => void (j.event.params.quantity = 20));
      r.edit(`${V2026}/key-account-rebate.json`, (j) => void (j.event.params.rate = '0'));
    });
    expect(report.errors.map((e) => [e.ruleId, e.reason])).toEqual([
      ['chamber-commission', 'rate 1 is out of range: a commission must be below 1 (100 %)'],
      ['premium-gifts', 'gives 20 free per 20 bought: as many as bought or more'],
    ]);
    expect(report.warnings.map((w) => [w.ruleId, w.reason])).toEqual([['key-account-rebate', 'rate 0 has no effect']]);
  });

  it('reports gapped and overlapping tiers with the file, the rule and the fix', async () => {
    const report = await lintCopy((r) =>
      r.edit(`${V2027}/group-buy-tiers.json`, (j) => {
        j.event.params.tiers[1].from = '12'; // gap 10–12
        j.event.params.tiers[2].from = '40'; // overlap 40–50
      }),
    );
    expect(report.errors).toEqual([
      { file: `${V2027}/group-buy-tiers.json`, ruleId: 'group-buy-tiers', reason: 'gap between tier 1 and tier 2: 10 to 12 has no rate; set tier 2 "from" to 10' },
      { file: `${V2027}/group-buy-tiers.json`, ruleId: 'group-buy-tiers', reason: 'tier 2 and tier 3 overlap: tier 2 ends at 50 but tier 3 starts at 40' },
    ]);
  });

  it('reports schema problems of the load with their file and rule', async () => {
    const report = await lintCopy((r) => r.edit(`${V2026}/supply-price.json`, (j) => void (j.event.params.factor = 'cheap')));
    expect(report.errors).toEqual([expect.objectContaining({ file: `${V2026}/supply-price.json`, ruleId: 'supply-price' })]);
  });

  describe('--update-lock', () => {
    it('records a new version only when it lints clean and its golden cases pass, and never rewrites a published hash', async () => {
      const rules = copyRules();
      // a version after every bundled one, with the 2027 version's rules (its figures are known)
      const draftDate = dateAfterLastVersion(rules.dir, 'chamber-baiyikang');
      const draftKey = `chamber-baiyikang/${draftDate}`;
      try {
        const draft = path.join(rules.dir, draftKey);
        cpSync(path.join(rules.dir, 'chamber-baiyikang', '2027-01-01'), draft, { recursive: true });
        const agreementFile = path.join(draft, 'agreement.json');
        rules.write(`${draftKey}/agreement.json`, readFileSync(agreementFile, 'utf8').replace('"effectiveFrom": "2027-01-01"', `"effectiveFrom": "${draftDate}"`));
        // the fixture re-records edits; a new version must go through lint, so drop it from the lock again
        const lockFile = path.join(rules.dir, LOCK_FILE);
        const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>;
        delete lock[draftKey];
        writeFileSync(lockFile, JSON.stringify(lock));

        const unrecorded = await lintRulesDir(rules.dir);
        expect(unrecorded.errors).toEqual([{ file: `${draftKey}/`, reason: expect.stringContaining('is not in rules.lock.json') }]);

        const lintedDraft = path.join(draft, 'rules', 'member-discount.json');
        writeFileSync(lintedDraft, readFileSync(lintedDraft, 'utf8').replace('"group": "buyer-discount"', '"group": "member-only"'));
        const failing = await lintRulesDir(rules.dir, { updateLock: true });
        expect(failing.errors.length).toBeGreaterThan(0);
        expect(failing.lockAdded).toEqual([]);
        expect(JSON.parse(readFileSync(lockFile, 'utf8'))).not.toHaveProperty([draftKey]);

        writeFileSync(lintedDraft, readFileSync(lintedDraft, 'utf8').replace('"group": "member-only"', '"group": "buyer-discount"'));
        const uncovered = await lintRulesDir(rules.dir, { updateLock: true });
        expect(uncovered.errors).toEqual([{ file: `${draftKey}/`, reason: `version ${draftKey} has no golden case, so it is not recorded in rules.lock.json`, hint: expect.stringContaining('rules/chamber-baiyikang/cases/') }]);
        expect(uncovered.lockAdded).toEqual([]);

        // a case of the new version: the 2027 member-direct case, a year later (the draft copies 2027's figures)
        const caseFile = path.join(rules.dir, 'chamber-baiyikang', 'cases', `v${draftDate}-member-direct.json`);
        const goldenCase = JSON.parse(readFileSync(path.join(rules.dir, 'chamber-baiyikang', 'cases', 'v2027-member-direct.json'), 'utf8'));
        goldenCase.request.date = draftDate;
        goldenCase.expect.effectiveFrom = draftDate;
        goldenCase.expect.totals.net = '822.49';
        writeFileSync(caseFile, JSON.stringify(goldenCase));
        const failingCase = await lintRulesDir(rules.dir, { updateLock: true });
        expect(failingCase.errors).toEqual([{ file: `chamber-baiyikang/cases/v${draftDate}-member-direct.json`, reason: expect.stringContaining(`of version ${draftKey} fails (totals.net: expected "822.49", got "822.48"), so ${draftKey} is not recorded`), hint: expect.any(String) }]);
        expect(failingCase.lockAdded).toEqual([]);
        expect(JSON.parse(readFileSync(lockFile, 'utf8'))).not.toHaveProperty([draftKey]);

        goldenCase.expect.totals.net = '822.48';
        writeFileSync(caseFile, JSON.stringify(goldenCase));
        const recorded = await lintRulesDir(rules.dir, { updateLock: true });
        expect(recorded.errors).toEqual([]);
        expect(recorded.lockAdded).toEqual([draftKey]);
        expect(() => loadRules(rules.dir, { lock: 'required' })).not.toThrow();

        writeFileSync(lintedDraft, readFileSync(lintedDraft, 'utf8').replace('"rate": "0.08"', '"rate": "0.09"'));
        const edited = await lintRulesDir(rules.dir, { updateLock: true });
        expect(edited.errors).toEqual([{ file: `${draftKey}/`, reason: expect.stringContaining('was modified') }]);
      } finally {
        rules.cleanup();
      }
    });
  });
});
