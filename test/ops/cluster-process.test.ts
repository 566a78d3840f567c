import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyRules, publishVersion, VERSION_DIR } from '../support/rules-fixture';
import { call, compileServer, get, startProcess, until, type CompiledServer, type Running } from '../support/server-process';
import { contract } from '../support/test-app';

/**
 * `npm start` (dist/cluster.js) with two workers, as real processes: a worker's death with a
 * bad rule file on disk does not take the service down, and one reload — the admin endpoint on
 * any worker, or SIGHUP to the primary — changes every worker, answered once all have swapped.
 */
const TOKEN = 's3cret-admin-token-for-tests';
const MEMBER_DIRECT_2027_07 = { agreement: 'chamber-baiyikang', channel: 'member-direct', date: '2027-07-01', buyer: { id: 'M-007', member: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] };

let build: CompiledServer;
let dataDir: string;
beforeAll(() => {
  build = compileServer('cluster-process');
  dataDir = mkdtempSync(path.join(tmpdir(), 'suanpan-cluster-data-'));
});
afterAll(() => {
  build.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startCluster(rulesDir: string): Promise<Running> {
  return startProcess(build.cluster, { SUANPAN_WORKERS: '2', SUANPAN_RULES_DIR: rulesDir, SUANPAN_ADMIN_TOKEN: TOKEN, SUANPAN_DATA_DIR: dataDir }, 2);
}

async function stop(server: Running): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** The net of the 2027-07-01 order, asked on `n` fresh connections (the primary hands connections to the workers in turn). */
async function netsSeen(port: number, n = 8, date = '2027-07-01'): Promise<string[]> {
  const nets: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(port, 'POST', '/v1/quotes?sign=false', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...MEMBER_DIRECT_2027_07, date }) });
    expect(res.status).toBe(200);
    nets.push(JSON.parse(res.body).totals.net);
  }
  return [...new Set(nets)].sort();
}

/** Waits until the primary has seen `pid` die (a connection handed to a worker as it is killed may hang). */
function noticed(server: Running, pid: number): Promise<true> {
  return until(`the death of ${pid}`, async () => (server.logs.some((l) => String(l['msg']).startsWith(`worker ${pid} died`)) ? true : undefined));
}

function workerPids(server: Running): number[] {
  return server.logs.filter((l) => String(l['msg']).startsWith('suanpan listening')).map((l) => l['pid'] as number);
}

describe('cluster mode', () => {
  it('replaces a dead worker on the rules being served while a rule file on disk is broken, and keeps serving meanwhile', async () => {
    const rules = copyRules();
    const server = await startCluster(rules.dir);
    try {
      const served = (await netsSeen(server.port))[0];
      expect(served).toBe('822.48');
      rules.write(`${VERSION_DIR}/rules/member-discount.json`, '{"id": "member-discount", "conditions": ');
      const [victim, survivor] = workerPids(server);
      process.kill(victim!, 'SIGKILL');
      await noticed(server, victim!);
      // the other worker keeps serving, and a replacement comes up on the rules being served
      expect(await netsSeen(server.port, 4)).toEqual(['822.48']);
      await until('a replacement worker', async () => (workerPids(server).length === 3 ? true : undefined));
      expect(workerPids(server)).toContain(survivor);
      expect(await netsSeen(server.port)).toEqual(['822.48']);
      expect((await get(server.port, '/readyz')).status).toBe(200);
      // it dies again at once: replaced again (after a back-off), still on the rules served
      const replacement = workerPids(server)[2]!;
      process.kill(replacement, 'SIGKILL');
      await noticed(server, replacement);
      await until('a second replacement', async () => (workerPids(server).length === 4 ? true : undefined));
      expect(await netsSeen(server.port)).toEqual(['822.48']);
      expect(server.logs.some((l) => /in 250 ms \(2 deaths in the last minute\)/.test(String(l['msg'])))).toBe(true);
    } finally {
      await stop(server);
      rules.cleanup();
    }
  }, 90_000);

  it('one POST /admin/rules:reload reloads every worker and answers once all serve the new rules; a refused one changes none', async () => {
    const rules = copyRules();
    const server = await startCluster(rules.dir);
    const reload = (): Promise<{ status: number; body: string }> => call(server.port, 'POST', '/admin/rules:reload', { headers: { Authorization: `Bearer ${TOKEN}` } });
    try {
      expect(await netsSeen(server.port)).toEqual(['822.48']);
      publishVersion(rules.dir, '2027-01-01', '2027-07-01', '0.10');
      const res = await reload();
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(contract.validate('RulesReload', body)).toEqual([]);
      expect(body.workers).toBe(2);
      expect(Object.keys(body.rules.versions)).toContain('chamber-baiyikang/2027-07-01');
      expect(await netsSeen(server.port)).toEqual(['804.60']);

      writeFileSync(path.join(rules.dir, 'chamber-baiyikang/2027-07-01/rules/broken.json'), '{');
      const refused = await reload();
      expect(refused.status).toBe(422);
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'RULESET_INVALID', errors: [expect.objectContaining({ pointer: '/chamber-baiyikang/2027-07-01/rules/broken.json' })] });
      expect(await netsSeen(server.port)).toEqual(['804.60']);
      for (let i = 0; i < 4; i++) expect(JSON.parse((await get(server.port, '/readyz')).body).rules.lastError.problems[0].file).toBe('chamber-baiyikang/2027-07-01/rules/broken.json');

      // SIGHUP to the primary, once: every worker again
      rmSync(path.join(rules.dir, 'chamber-baiyikang/2027-07-01/rules/broken.json'));
      publishVersion(rules.dir, '2027-01-01', '2027-08-01', '0.11');
      server.child.kill('SIGHUP');
      await until('the reload', async () => (server.logs.some((l) => l['msg'] === 'rules reloaded (SIGHUP) on 2 workers') ? true : undefined));
      expect(await netsSeen(server.port, 8, '2027-08-01')).toEqual(['795.66']);
    } finally {
      await stop(server);
      rules.cleanup();
    }
  }, 90_000);
});
