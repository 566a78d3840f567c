import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// Imports flow one way: domain ← rules ← (io, trust) ← http/cli ← app. Nothing under src/domain
// or src/rules imports from src/io or src/http, nor express: a store the core needs (the
// settlement's spill) is passed in by its caller.
const SRC = path.resolve(__dirname, '../../src');
const INNER = ['domain', 'rules'].map((dir) => path.join(SRC, dir));
const OUTER = ['io', 'http'].map((dir) => path.join(SRC, dir));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** The module specifiers a TypeScript file imports, re-exports or requires (static and dynamic). */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Why `specifier`, imported by `file`, points outward (undefined when it does not). */
function outward(file: string, specifier: string): string | undefined {
  if (specifier === 'express' || specifier.startsWith('express/')) return 'express';
  if (!specifier.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(file), specifier);
  const outer = OUTER.find((dir) => target === dir || target.startsWith(dir + path.sep));
  return outer === undefined ? undefined : path.relative(SRC, outer);
}

describe('imports point inward', () => {
  it('finds an outward import when there is one (the check itself can fail)', () => {
    const file = path.join(SRC, 'rules', 'x.ts');
    const text = "import { openSpillFiles } from '../io/spill-files';\nimport type { Request } from 'express';\nexport { x } from '../http/problem';\nimport { Dec } from '../domain/money';";
    expect(specifiersOf(text).map((specifier) => outward(file, specifier))).toEqual(['io', 'express', 'http', undefined]);
  });

  it('no file under src/domain or src/rules imports src/io, src/http or express', () => {
    const offences: string[] = [];
    for (const file of INNER.flatMap(filesUnder)) {
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const where = outward(file, specifier);
        if (where !== undefined) offences.push(`${path.relative(SRC, file)} imports ${specifier} (${where})`);
      }
    }
    expect(offences).toEqual([]);
  });
});
