import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_IN_FACTS } from '../../src/domain/line-facts';
import { TERMS } from '../../src/domain/terms/registry';
import { listGoldenCases, runGoldenCase } from '../../src/rules/golden-cases';
import { lintRulesDir } from '../../src/rules/lint-rules-dir';
import { RuleCatalog } from '../../src/rules/rule-catalog';

const DOC = readFileSync(path.resolve(__dirname, '../../docs/rule-authors.md'), 'utf8');
const RULE_SCHEMA = JSON.parse(readFileSync(path.resolve(__dirname, '../../rules/schema/rule.schema.json'), 'utf8')) as {
  $defs: { leafCondition: { properties: { operator: { enum: string[] } } } };
};

/** The text of each markdown heading, without its #s and backticks: "### `price-factor`" → "price-factor". */
function headings(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split('\n')) {
    const match = /^#{1,6}\s+(.*)$/.exec(line);
    if (match !== null) found.add(match[1]!.replace(/`/g, '').trim());
  }
  return found;
}

/** The first cell of each table row, without backticks or a link around it: "| [`refusal`](#refusal) | …" → "refusal". */
function firstCells(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split('\n')) {
    const match = /^\|([^|]*)\|/.exec(line);
    if (match === null) continue;
    found.add(
      match[1]!
        .trim()
        .replace(/^\[(.*)\]\(.*\)$/, '$1')
        .replace(/`/g, '')
        .trim(),
    );
  }
  return found;
}

/** Term types with no heading of their own (each has a subsection: "### price-factor"). */
function undocumentedTerms(markdown: string, types: readonly string[]): string[] {
  const documented = headings(markdown);
  return types.filter((type) => !documented.has(type));
}

/** Facts with no row of their own in a table (the facts table: "| `order.skuQuantity` | decimal | …"). */
function undocumentedFacts(markdown: string, facts: readonly string[]): string[] {
  const documented = firstCells(markdown);
  return facts.filter((fact) => !documented.has(fact));
}

/**
 * The files of the worked example: each `rules/<path>`: line followed by a json block, as
 * path (relative to a rules directory) and text.
 */
function exampleFiles(markdown: string, agreement: string): { file: string; text: string }[] {
  const lines = markdown.split('\n');
  const files: { file: string; text: string }[] = [];
  lines.forEach((line, i) => {
    const match = new RegExp(`^\`rules/(${agreement}/[^\`]+)\`:$`).exec(line);
    if (match === null) return;
    let start = i + 1;
    while (lines[start]?.trim() === '') start++;
    if (lines[start] !== '```json') throw new Error(`${match[1]!}: no json block after its name`);
    const end = lines.indexOf('```', start + 1);
    files.push({ file: match[1]!, text: `${lines.slice(start + 1, end).join('\n')}\n` });
  });
  return files;
}

const EXAMPLE = 'mobao-schools';

describe('docs/rule-authors.md keeps up with the code', () => {
  it('has a subsection for every term type of the registry', () => {
    expect(TERMS.types().length).toBeGreaterThan(0);
    expect(undocumentedTerms(DOC, TERMS.types())).toEqual([]);
  });

  it('has a table row for every built-in fact', () => {
    const facts = BUILT_IN_FACTS.map((spec) => spec.name);
    expect(facts.length).toBeGreaterThan(0);
    expect(undocumentedFacts(DOC, facts)).toEqual([]);
  });

  it('names every operator the rule schema allows', () => {
    const operators = RULE_SCHEMA.$defs.leafCondition.properties.operator.enum;
    expect(operators.filter((operator) => !DOC.includes(`\`${operator}\``))).toEqual([]);
  });

  it('finds what is missing (the checks above can fail)', () => {
    const doc = ['### price-factor', 'the refusal term is described in prose only', '| `line.sku` | text |', 'line.category in prose'].join('\n');
    expect(undocumentedTerms(doc, ['price-factor', 'refusal'])).toEqual(['refusal']);
    expect(undocumentedFacts(doc, ['line.sku', 'line.category'])).toEqual(['line.category']);
    expect(undocumentedTerms('| [`refusal`](#refusal) | refusal |', ['refusal'])).toEqual(['refusal']);
    expect(undocumentedFacts('| [`order.skuQuantity`](#x) | decimal |', ['order.skuQuantity'])).toEqual([]);
  });

  describe('the worked example, written out from the doc into a rules directory of its own', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'rule-authors-doc-'));
      cpSync(path.resolve(__dirname, '../../rules/schema'), path.join(dir, 'schema'), { recursive: true });
      for (const { file, text } of exampleFiles(DOC, EXAMPLE)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('has an agreement.json, rule files and golden cases', () => {
      const files = exampleFiles(DOC, EXAMPLE).map(({ file }) => file);
      expect(files).toContain(`${EXAMPLE}/2026-08-01/agreement.json`);
      expect(files.filter((file) => file.includes('/rules/')).length).toBeGreaterThanOrEqual(4);
      expect(files.filter((file) => file.includes('/cases/')).length).toBeGreaterThanOrEqual(2);
    });

    it('passes rules lint and is recorded by --update-lock', async () => {
      const report = await lintRulesDir(dir, { updateLock: true });
      expect(report.errors).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.lockAdded).toEqual([`${EXAMPLE}/2026-08-01`]);
    });

    it('passes its golden cases', async () => {
      const catalog = RuleCatalog.load(dir, { lock: 'ignore' });
      const cases = listGoldenCases(dir);
      expect(cases.length).toBeGreaterThanOrEqual(2);
      for (const goldenCase of cases) expect({ file: goldenCase.file, differences: await runGoldenCase(catalog, goldenCase.goldenCase) }).toEqual({ file: goldenCase.file, differences: [] });
    });
  });
});
