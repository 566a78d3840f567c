import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { Client } from 'pg';
import { describePostgres, findPostgresBinDir, postgresSkipped, startPostgres } from '../support/postgres-server';

/** The test harness's throwaway PostgreSQL: real, removed after use, and after its owner's crash. */

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

it('finds the server binaries unless the PostgreSQL tests are skipped explicitly', () => {
  if (postgresSkipped()) return;
  expect(findPostgresBinDir()).toBeDefined();
});

it('fails loudly, naming the way out, when the binaries are not where it is told to look', async () => {
  const saved = process.env['SUANPAN_POSTGRES_BIN'];
  process.env['SUANPAN_POSTGRES_BIN'] = '/nonexistent/bin';
  try {
    await expect(startPostgres()).rejects.toThrow(/SUANPAN_SKIP_POSTGRES=1/);
  } finally {
    if (saved === undefined) delete process.env['SUANPAN_POSTGRES_BIN'];
    else process.env['SUANPAN_POSTGRES_BIN'] = saved;
  }
});

describePostgres('a throwaway cluster', (server) => {
  it('serves fresh databases over TCP on 127.0.0.1', async () => {
    const url = await server().createDatabase();
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; fsync: string }>("SELECT version() AS version, current_setting('fsync') AS fsync");
      expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/);
      expect(rows[0]!.fsync).toBe('off');
    } finally {
      await client.end();
    }
  });
});

const itWithPostgres = postgresSkipped() ? it.skip : it;

itWithPostgres('is stopped and removed by stop()', async () => {
  const cluster = await startPostgres();
  expect(await accepts(cluster.port)).toBe(true);
  await cluster.stop();
  expect(existsSync(cluster.dir)).toBe(false);
  expect(await accepts(cluster.port)).toBe(false);
}, 60_000);

itWithPostgres('is stopped and removed when the process that started it dies with kill -9', async () => {
  const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
  const cluster = await startPostgres({ ownerPid: owner.pid! });
  expect(await accepts(cluster.port)).toBe(true);
  owner.kill('SIGKILL');
  expect(await until(() => !existsSync(cluster.dir), 15_000)).toBe(true);
  expect(await until(async () => !(await accepts(cluster.port)), 5_000)).toBe(true);
}, 60_000);
