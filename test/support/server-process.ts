import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';

/**
 * The service as real processes for test/ops: src/ compiled to its own folder (one per test
 * file, so files running in parallel never share or remove another's build), started with a
 * chosen environment, its JSON log lines collected.
 */
const ROOT = path.resolve(__dirname, '../..');

/** A build of src/ under dist-test/<tag>/ (with openapi.yaml beside it, as in the image). */
export interface CompiledServer {
  /** dist-test/<tag>/dist/server.js */
  readonly server: string;
  /** dist-test/<tag>/dist/cluster.js */
  readonly cluster: string;
  remove(): void;
}

/**
 * Transpiles src/ file by file (the project compiles with isolatedModules, and `npm test`
 * type-checks separately), which takes a second where tsc takes many.
 */
export function compileServer(tag: string): CompiledServer {
  const base = path.join(ROOT, 'dist-test', tag);
  rmSync(base, { recursive: true, force: true });
  const { options } = ts.convertCompilerOptionsFromJson({ ...JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions, sourceMap: false }, ROOT);
  const transpile = (from: string, to: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) {
        transpile(source, path.join(to, entry.name));
      } else if (entry.name.endsWith('.ts')) {
        mkdirSync(to, { recursive: true });
        writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: options, fileName: source }).outputText);
      }
    }
  };
  transpile(path.join(ROOT, 'src'), path.join(base, 'dist'));
  cpSync(path.join(ROOT, 'openapi.yaml'), path.join(base, 'openapi.yaml'));
  cpSync(path.join(ROOT, 'rules'), path.join(base, 'rules'), { recursive: true });
  return { server: path.join(base, 'dist', 'server.js'), cluster: path.join(base, 'dist', 'cluster.js'), remove: () => {
      rmSync(base, { recursive: true, force: true });
      try {
        rmdirSync(path.dirname(base)); // dist-test/ itself, once no other test file's build is in it
      } catch {
        // another build is still there
      }
    },
  };
}

export interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every JSON log line so far, of every process (primary and workers) */
  readonly logs: Record<string, unknown>[];
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/**
 * Runs `script` on a free port; resolves once `listeners` processes have logged that they
 * listen (or rejects with the output if it exits first).
 */
export function startProcess(script: string, env: Record<string, string> = {}, listeners = 1): Promise<Running> {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => child.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal, output }))));
  return new Promise((resolve, reject) => {
    let listening = 0;
    let pending = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry['port'] === 'number' && String(entry['msg']).startsWith('suanpan listening') && ++listening === listeners) {
          resolve({ child, port: entry['port'], logs, output: () => output, exited });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, output: out }) => reject(Object.assign(new Error(`server exited ${code}: ${out}`), { code, output: out })));
  });
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection. */
export function call(port: number, method: string, urlPath: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function get(port: number, urlPath: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** Polls `probe` every 25 ms until it returns a value (or gives up after `attempts`). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 400): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}
