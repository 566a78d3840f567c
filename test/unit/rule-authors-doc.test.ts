import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_IN_FACTS } from '../../src/domain/line-facts';
import { TERMS } from '../../src/domain/terms/registry';

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
});
