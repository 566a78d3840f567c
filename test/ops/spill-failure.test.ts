import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call, compileServer, get, startProcess, until, type CompiledServer } from '../support/server-process';
import { contract } from '../support/test-app';

/**
 * A settlement whose spill cannot be written (the temporary directory is missing, or is not a
 * directory) is the server's fault: 500, logged at error level and counted in /metrics — not a
 * 400 telling the partner the upload was cut short. On the server as a process, so TMPDIR is
 * its own.
 */
const HEADER = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice';
// the accumulator spills past 200,000 transaction ids
const TRANSACTIONS = 200_100;

function largeCsv(): Buffer {
  const rows = [HEADER];
  for (let i = 0; i < TRANSACTIONS; i++) rows.push(`T${i},2026-11-03,member-direct,M-${i % 97},true,false,,BYK-M01,1,`);
  return Buffer.from(rows.join('\n'), 'utf8');
}

let build: CompiledServer;
let scratch: string;
beforeAll(() => {
  build = compileServer('spill-failure');
  scratch = mkdtempSync(path.join(tmpdir(), 'suanpan-spill-failure-'));
});
afterAll(() => {
  build.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a settlement upload whose spill fails', () => {
  it.each([
    ['the temporary directory is missing', () => path.join(scratch, 'gone')],
    ['the temporary directory is a file', () => (writeFileSync(path.join(scratch, 'file'), ''), path.join(scratch, 'file'))],
  ])('%s: 500 INTERNAL_ERROR, an error log line naming the spill, counted in /metrics', async (_what, spillDir) => {
    const server = await startProcess(build.server, { TMPDIR: spillDir() });
    try {
      const res = await call(server.port, 'POST', '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30', { headers: { 'Content-Type': 'text/csv' }, body: largeCsv() });
      expect(res.status).toBe(500);
      const problem = JSON.parse(res.body);
      expect(contract.validate('Problem', problem)).toEqual([]);
      expect(problem).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
      expect(problem.detail).toBeUndefined();
      const errorLines = (): Record<string, unknown>[] => server.logs.filter((entry) => entry['level'] === 50 && entry['requestId'] === problem.requestId);
      const errors = await until('the access log line', async () => (errorLines().length >= 2 ? errorLines() : undefined));
      expect(errors.map((entry) => entry['msg'])).toEqual([expect.stringMatching(/^settlement spill failed/), 'request failed']);
      const metrics = (await get(server.port, '/metrics')).body;
      expect(metrics).toMatch(/suanpan_server_faults_total\{kind="spill"\} 1\b/);
      expect(metrics).toMatch(/suanpan_http_request_duration_seconds_count\{method="POST",route="\/v1\/settlements",status="500",partner="anonymous"\} 1\b/);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }, 90_000);
});
