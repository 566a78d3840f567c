import path from 'node:path';
import { listGoldenCases, runGoldenCase } from '../../src/rules/golden-cases';
import { RuleCatalog } from '../../src/rules/rule-catalog';

const RULES_DIR = path.resolve(__dirname, '../../rules');
const catalog = RuleCatalog.load(RULES_DIR);
const cases = listGoldenCases(RULES_DIR);

describe('golden cases under rules/*/cases', () => {
  it('finds the worked examples of the agreement docs', () => {
    const files = cases.map((c) => c.file);
    expect(files).toEqual(expect.arrayContaining(['chamber-baiyikang/cases/example-1-chamber-supply.json', 'chamber-baiyikang/cases/example-2-group-buy-member-key-account.json']));
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    expect(await runGoldenCase(catalog, c.goldenCase)).toEqual([]);
  });
});
