import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every environment variable the service reads is documented in docs/operations.md. */
const ROOT = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('docs/operations.md', () => {
  it('documents every environment variable that src/ reads', () => {
    const names = new Set<string>();
    for (const file of sources(path.join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/['"`](SUANPAN_[A-Z0-9_]+|PORT|HOST|LOG_LEVEL)['"`]/g)) names.add(match[1]!);
    }
    expect(names.size).toBeGreaterThan(10);
    const docs = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    expect([...names].filter((name) => !docs.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});
