import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../support/test-app';

// Every agreement is data: no agreement id, channel id, SKU or party name of any agreement under
// rules/ appears in src/ (found from the rules directory, so an agreement added tomorrow is
// checked too). src/bench is the one exception, by definition: its baseline is a hand-written
// pricer of one agreement, the yardstick the generic core is measured against.
const SRC = path.resolve(__dirname, '../../src');
const EXEMPT = path.join(SRC, 'bench');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (full === EXEMPT) return [];
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function agreementTerms(): Set<string> {
  const terms = new Set<string>();
  for (const agreement of readdirSync(RULES_DIR)) {
    const dir = path.join(RULES_DIR, agreement);
    if (agreement === 'schema' || !statSync(dir).isDirectory()) continue;
    for (const version of readdirSync(dir).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name))) {
      const json = JSON.parse(readFileSync(path.join(dir, version, 'agreement.json'), 'utf8')) as {
        agreement: string;
        channels: { id: string }[];
        catalog: { sku: string }[];
        parties: Record<string, { name: { zh: string; en: string } }>;
      };
      terms.add(json.agreement);
      for (const channel of json.channels) terms.add(channel.id);
      for (const item of json.catalog) terms.add(item.sku);
      for (const party of Object.values(json.parties)) terms.add(party.name.zh).add(party.name.en);
    }
  }
  // words too common to mean an agreement (a channel called "other", a party called "Agent")
  return new Set([...terms].filter((term) => term.length >= 4 && !/^[a-z]+$/.test(term)));
}

describe('no agreement lives in src/', () => {
  const terms = agreementTerms();

  it('finds the terms to look for in the rules directory', () => {
    expect(terms.size).toBeGreaterThan(0);
  });

  it.each(filesUnder(SRC).map((file) => [path.relative(SRC, file), file] as const))('%s names no agreement, channel, SKU or party', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect([...terms].filter((term) => text.includes(term))).toEqual([]);
  });
});
