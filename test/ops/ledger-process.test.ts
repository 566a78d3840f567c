import http from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { call, compileServer, startProcess, type CompiledServer, type Running } from '../support/server-process';
import { workedExampleRequest } from '../support/settlement-fixtures';

/**
 * The ledger on a real process: a kill -9 in the middle of an upload leaves the ledger as it
 * was (SQLite rolls the open transaction back on the next open), and uploads racing each other
 * and a close lose and double nothing.
 */
jest.setTimeout(60_000);

let build: CompiledServer;
let dataDir: string;
beforeAll(() => {
  build = compileServer('ledger-process');
  dataDir = mkdtempSync(path.join(tmpdir(), 'suanpan-ledger-process-'));
});
afterAll(() => {
  build.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const AGREEMENT = workedExampleRequest().agreement;
const HEADER = 'transaction,date,channel,buyer,member,keyAccount,sku,quantity\n';
const row = (id: string, day: string): string => `${id},2026-12-${day},group-buy,ENT-001,true,true,BYK-H01,1\n`;
const json = { 'Content-Type': 'application/json' };

async function periods(port: number): Promise<{ period: string; state: string; transactions: number }[]> {
  const answer = await call(port, 'GET', `/v1/ledgers/${AGREEMENT}/periods?figures=false`);
  return (JSON.parse(answer.body) as { periods: { period: string; state: string; transactions: number }[] }).periods;
}

describe('the ledger on a real process', () => {
  it('keeps nothing of an upload cut by kill -9, and restarts consistent', async () => {
    let server: Running = await startProcess(build.server, { SUANPAN_DATA_DIR: dataDir });
    expect((await call(server.port, 'POST', `/v1/ledgers/${AGREEMENT}/transactions`, { headers: json, body: JSON.stringify({ transactions: workedExampleRequest().transactions }) })).status).toBe(200);
    const before = await periods(server.port);

    // an upload of 120,000 rows sent slowly: the server is writing it (in one open transaction) when it is killed
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: `/v1/ledgers/${AGREEMENT}/transactions`, headers: { 'Content-Type': 'text/csv' }, agent: false });
    req.on('error', () => undefined);
    req.write(HEADER);
    for (let chunk = 0; chunk < 12; chunk++) {
      let text = '';
      for (let i = 0; i < 10_000; i++) text += row(`K${chunk}-${i}`, '10');
      req.write(text);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // the rows were being written: uncommitted pages have spilled into the write-ahead log
    const walBytes = statSync(path.join(dataDir, 'ledger.sqlite-wal')).size;
    server.child.kill('SIGKILL');
    await server.exited;
    expect(walBytes).toBeGreaterThan(4 * 1024 * 1024);

    const db = new Database(path.join(dataDir, 'ledger.sqlite'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    server = await startProcess(build.server, { SUANPAN_DATA_DIR: dataDir });
    try {
      expect(await periods(server.port)).toEqual(before);
      const whole = HEADER + Array.from({ length: 2000 }, (_, i) => row(`K-${i}`, '10')).join('');
      const answer = await call(server.port, 'POST', `/v1/ledgers/${AGREEMENT}/transactions`, { headers: { 'Content-Type': 'text/csv' }, body: whole });
      expect([answer.status, JSON.parse(answer.body).accepted]).toEqual([200, 2000]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('concurrent uploads and an upload racing a close: each transaction is in the statement or refused PERIOD_CLOSED', async () => {
    const server = await startProcess(build.server, { SUANPAN_DATA_DIR: dataDir });
    try {
      const uploads = Array.from({ length: 6 }, (_, u) => HEADER + Array.from({ length: 300 }, (_, i) => row(`R${u}-${i}`, '20')).join(''));
      const before = (await periods(server.port)).find((p) => p.period === '2026-12')?.transactions ?? 0;
      const sending = uploads.map((body) => call(server.port, 'POST', `/v1/ledgers/${AGREEMENT}/transactions`, { headers: { 'Content-Type': 'text/csv' }, body }));
      await new Promise((resolve) => setTimeout(resolve, 30));
      const closing = call(server.port, 'POST', `/v1/ledgers/${AGREEMENT}/periods/2026-12:close`);
      const answers = await Promise.all(sending);
      const closed = await closing;
      expect(closed.status).toBe(201);
      const statement = JSON.parse(closed.body).document.statement as { counts: { transactions: number } };
      const accepted = answers.filter((a) => a.status === 200).map((a) => JSON.parse(a.body).accepted as number);
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused.every((a) => a.status === 409 && JSON.parse(a.body).code === 'PERIOD_CLOSED')).toBe(true);
      expect(accepted.every((n) => n === 300)).toBe(true);
      expect(statement.counts.transactions).toBe(before + accepted.reduce((a, b) => a + b, 0));
      const after = (await periods(server.port)).find((p) => p.period === '2026-12')!;
      expect([after.state, after.transactions]).toEqual(['closed', statement.counts.transactions]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses to start with a clear message when the ledger cannot open', async () => {
    const notADirectory = path.join(dataDir, 'a-file');
    writeFileSync(notADirectory, '');
    await expect(startProcess(build.server, { SUANPAN_DATA_DIR: notADirectory, SUANPAN_SIGNING_KEY_FILE: '' })).rejects.toMatchObject({ code: 1 });
    const postgres = await startProcess(build.server, { SUANPAN_DATA_DIR: dataDir, SUANPAN_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' }).catch((error: { code: number; output: string }) => error);
    expect(postgres).toMatchObject({ code: 1 });
    expect((postgres as { output: string }).output).toMatch(/ledger could not open: cannot reach the PostgreSQL ledger at 127\.0\.0\.1:1\/x/);
    expect((postgres as { output: string }).output).not.toContain('u:p@');
  });
});
