import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROBLEMS } from '../../src/http/problem';

/** Every code a user can meet is documented: the problem codes in README's table, the issue codes in docs/. */
const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The rows of README's error table (under "### Errors"): code → status. */
function readmeErrorTable(): Map<string, number> {
  const section = README.slice(README.indexOf('### Errors'), README.indexOf('\n## ', README.indexOf('### Errors')));
  const rows = new Map<string, number>();
  for (const [, codes, status] of section.matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+) \| (\d{3}) \|/gm)) {
    for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) rows.set(code!, Number(status));
  }
  return rows;
}

describe('documented codes', () => {
  it('README lists every problem code of the registry with its status', () => {
    const table = readmeErrorTable();
    const registry = Object.entries(PROBLEMS).map(([code, { status }]) => [code, status]);
    expect(registry.filter(([code, status]) => table.get(code as string) !== status)).toEqual([]);
    expect([...table.keys()].filter((code) => !(code in PROBLEMS))).toEqual([]);
  });

  it('every issue code the domain, the readers and the rules give (errors[].code) is documented', () => {
    const docs = [README, readFileSync(path.join(ROOT, 'docs/settlement.md'), 'utf8')].join('\n');
    const codes = new Set<string>();
    for (const dir of ['src/domain', 'src/io', 'src/rules']) {
      for (const file of sources(path.join(ROOT, dir))) {
        for (const [, code] of readFileSync(file, 'utf8').matchAll(/'([A-Z]{2,}(?:_[A-Z0-9]+)+|MISSING)'/g)) codes.add(code!);
      }
    }
    const notCodes = (code: string): boolean => code.startsWith('SUANPAN_');
    expect(codes.size).toBeGreaterThan(30);
    expect([...codes].filter((code) => !notCodes(code) && !docs.includes(`\`${code}\``)).sort()).toEqual([]);
  });
});
