import { Readable } from 'node:stream';
import { headlineFiguresOf, settleByHand } from '../../src/bench/hand-written-settlement';
import { settlementCsvChunks } from '../../src/bench/settlement-input';
import { settleFiles } from '../../src/io/read-settlement-file';
import { openSettlement } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RULES_DIR } from '../support/test-app';

// The settlement bench compares speeds only if its hand-written baseline (with its caches and
// sums in fen) gives the product's figures on the bench's month.
describe('the hand-written settlement baseline of the bench', () => {
  it('settles a generated month exactly as suanpan does', async () => {
    const lines = 30_000;
    const byHand = await settleByHand(Readable.from([...settlementCsvChunks(lines)].map((chunk) => Buffer.from(chunk))));
    const settlement = openSettlement(RuleCatalog.load(RULES_DIR), 'chamber-baiyikang', { from: '2026-11-01', to: '2026-11-30' });
    const statement = await settleFiles(settlement, [{ stream: Readable.from([...settlementCsvChunks(lines)]), format: 'csv' }]);
    expect(byHand).toEqual(headlineFiguresOf(statement));
    expect(byHand.discrepancies).toBeGreaterThan(0);
  }, 60_000);
});
