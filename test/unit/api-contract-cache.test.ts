import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTRACT_FILE, loadApiContract, writeContractCache } from '../../src/http/api-contract';

describe('the parsed contract written by the build', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-contract-'));
  const cacheFile = path.join(dir, 'openapi.contract.json');

  it('is what parsing openapi.yaml gives, and is used while it matches the YAML', () => {
    writeContractCache(CONTRACT_FILE, cacheFile);
    const parsed = loadApiContract(CONTRACT_FILE, { cacheFile: path.join(dir, 'none.json') }).document;
    expect(JSON.parse(readFileSync(cacheFile, 'utf8')).document).toEqual(parsed);
    // a cache holding a marker but made from the same YAML is used
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    writeFileSync(cacheFile, JSON.stringify({ ...cache, document: { ...cache.document, 'x-from-cache': true } }));
    expect(loadApiContract(CONTRACT_FILE, { cacheFile }).document['x-from-cache']).toBe(true);
  });

  it('is ignored when it was made from another YAML (an edited openapi.yaml, a stale build) or is unreadable', () => {
    const yamlFile = path.join(dir, 'openapi.yaml');
    writeFileSync(yamlFile, readFileSync(CONTRACT_FILE, 'utf8'));
    writeContractCache(yamlFile, cacheFile);
    writeFileSync(yamlFile, readFileSync(CONTRACT_FILE, 'utf8').replace('title: suanpan', 'title: suanpan edited'));
    expect(JSON.stringify(loadApiContract(yamlFile, { cacheFile }).document)).toContain('suanpan edited');
    writeFileSync(cacheFile, '{not json');
    expect(JSON.stringify(loadApiContract(yamlFile, { cacheFile }).document)).toContain('suanpan edited');
  });
});
