import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * BENCH AND TESTS ONLY. A throwaway PostgreSQL cluster for tests and the bench, started for real from the server binaries (Debian's
 * /usr/lib/postgresql/<version>/bin; .ci/run installs them when missing). Each test file starts
 * its own (≈ 1.5 s: initdb without fsync, then pg_ctl start), so a file runs alone or beside
 * others without sharing state, and single-file runs of other tests pay nothing.
 *
 * PostgreSQL refuses to run as root: when the tests run as root (here and in CI) the server runs
 * as the `postgres` user if there is one, else `nobody`, in a temp dir that user owns. It listens
 * on 127.0.0.1 at a free port (its unix socket stays in the temp dir), with fsync off.
 *
 * Stopping removes the cluster. A watchdog process (a detached shell) removes it too when the
 * process that started it dies without stopping it (a crashed or killed jest worker), and every
 * start sweeps clusters left by owners that are gone (should a watchdog itself have been killed).
 */

const PREFIX = 'suanpan-pg-';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The cluster's temp dir (data/ and the unix socket are in it) */
  readonly dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  urlOf(database: string): string;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Immediate shutdown, then the temp dir is removed. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The process whose death stops the cluster (default: this process) */
  readonly ownerPid?: number;
}

/** True when SUANPAN_SKIP_POSTGRES=1 asks to skip the PostgreSQL tests (never implied by missing binaries). */
export function postgresSkipped(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['SUANPAN_SKIP_POSTGRES'] === '1';
}

/**
 * The directory of the server binaries: SUANPAN_POSTGRES_BIN, else the newest
 * /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`; undefined when none has them.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const hasServer = (dir: string): boolean => existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  const explicit = env['SUANPAN_POSTGRES_BIN'];
  if (explicit !== undefined && explicit !== '') return hasServer(explicit) ? explicit : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => /^\d+(\.\d+)?$/.test(name) && hasServer(path.join(debian, name, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(debian, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServer(dir)) return dir;
  } catch {
    // no pg_config on PATH
  }
  return undefined;
}

interface RunAs {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Who runs the server: ourselves unless we are root, then `postgres` or `nobody`. */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((fields) => fields[0] === name);
    if (entry !== undefined) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('the tests run as root and neither a postgres nor a nobody user exists to run PostgreSQL');
}

function commandAs(user: RunAs | undefined, binary: string, args: readonly string[]): [string, string[]] {
  return user === undefined ? [binary, [...args]] : ['runuser', ['-u', user.name, '--', binary, ...args]];
}

function run(user: RunAs | undefined, binary: string, args: readonly string[], cwd: string): void {
  const [command, argv] = commandAs(user, binary, args);
  try {
    execFileSync(command, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(binary)} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The shell that stops and removes a cluster once its owner has gone (argument: owner pid, dir). */
const WATCHDOG = `
owner="$1"; dir="$2"
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
if [ -f "$dir/data/postmaster.pid" ]; then
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  kill -QUIT "$pid" 2>/dev/null
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
fi
rm -rf "$dir"
`;

function startWatchdog(ownerPid: number, dir: string): void {
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'suanpan-pg-watchdog', String(ownerPid), dir], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

/** Stops and removes clusters in the temp dir whose owner process is gone. */
function sweepAbandoned(): void {
  for (const name of readdirSync(os.tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created, or not ours
    }
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    try {
      const postmaster = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (Number.isInteger(postmaster) && postmaster > 0) process.kill(postmaster, 'SIGQUIT');
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function missingBinariesMessage(): string {
  return (
    'PostgreSQL server binaries not found (looked at SUANPAN_POSTGRES_BIN, /usr/lib/postgresql/*/bin and pg_config --bindir). ' +
    'Install them (`apt-get install -y postgresql`, as .ci/run does) or set SUANPAN_SKIP_POSTGRES=1 to skip the PostgreSQL tests explicitly.'
  );
}

/** Starts a throwaway cluster; see the module comment. Throws (never skips) when the binaries are missing. */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  if (binDir === undefined) throw new Error(missingBinariesMessage());
  sweepAbandoned();
  const user = serverUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  const ownerPid = options.ownerPid ?? process.pid;
  writeFileSync(path.join(dir, 'owner.pid'), String(ownerPid));
  startWatchdog(ownerPid, dir);
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const host = '127.0.0.1';
  let port = 0;
  try {
    run(user, path.join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], dir);
    // a free port can be taken between the probe and the start: try a few
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      const settings = [
        `-c listen_addresses=${host}`,
        `-p ${port}`,
        `-k ${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=100',
        '-c shared_buffers=32MB',
      ].join(' ');
      try {
        run(user, path.join(binDir, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', settings, 'start'], dir);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    const log = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    stopCluster(user, binDir, dir);
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  const urlOf = (database: string): string => `postgres://postgres@${host}:${port}/${database}`;
  let stopped = false;
  let databases = 0;
  return {
    host,
    port,
    dir,
    urlOf,
    async createDatabase(name = `test_${process.pid}_${(databases += 1)}`): Promise<string> {
      const client = new Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      stopCluster(user, binDir, dir);
    },
  };
}

function stopCluster(user: RunAs | undefined, binDir: string, dir: string): void {
  if (existsSync(path.join(dir, 'data', 'postmaster.pid'))) {
    try {
      run(user, path.join(binDir, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], dir);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
