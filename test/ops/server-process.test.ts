import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { compileServer, get, startProcess, until, type CompiledServer, type Running } from '../support/server-process';
import { RULES_DIR, exampleTwoRequest } from '../support/test-app';

/**
 * The compiled server as a process: graceful shutdown on SIGTERM, the shutdown bound, refusal of
 * a corrupted rule file at start, SIGHUP reloads that keep the old rules when the new ones are bad,
 * and a clear exit on bad configuration.
 */
let build: CompiledServer;
beforeAll(() => {
  build = compileServer('server-process');
});
afterAll(() => build.remove());

/** Runs the compiled server on a free port; resolves once it listens (or rejects with its output if it exits). */
function startServer(env: Record<string, string> = {}): Promise<Running> {
  return startProcess(build.server, env);
}

/** Runs the compiled server expecting it to refuse to start; resolves with its exit code and output. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  try {
    const running = await startServer(env);
    running.child.kill('SIGKILL');
    throw new Error('the server started');
  } catch (error) {
    return error as { code: number | null; output: string };
  }
}

/** A POST /v1/quotes whose body is only half sent: in flight until `finish()`. */
function halfSentQuote(port: number): { finish(): void; response: Promise<{ status: number; body: string }> } {
  const body = Buffer.from(JSON.stringify(exampleTwoRequest()));
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/quotes', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, body.length >> 1));
  return { finish: () => req.end(body.subarray(body.length >> 1)), response };
}

function inFlight(port: number): Promise<number> {
  return get(port, '/metrics').then((res) => Number(/^suanpan_http_requests_in_flight (\d+)/m.exec(res.body)?.[1] ?? Number.NaN));
}

describe('graceful shutdown (SIGTERM)', () => {
  it('turns readiness 503, refuses new connections, completes every request in flight, exits 0 within the bound', async () => {
    const server = await startServer({ SUANPAN_SHUTDOWN_DRAIN_MS: '3000', SUANPAN_SHUTDOWN_TIMEOUT_MS: '15000' });
    const { port } = server;
    const pending = Array.from({ length: 8 }, () => halfSentQuote(port));
    // The metrics request itself is in flight too.
    await until('8 requests in flight', async () => ((await inFlight(port)) >= 9 ? true : undefined));

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const notReady = await until('/readyz 503', async () => {
      const res = await get(port, '/readyz');
      return res.status === 503 ? res : undefined;
    });
    expect(JSON.parse(notReady.body).status).toBe('shutting-down');
    expect(notReady.headers['connection']).toBe('close');
    await until('new connections refused', () => get(port, '/livez').then(() => undefined, (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? true : undefined)));

    for (const request of pending) request.finish();
    const answers = await Promise.all(pending.map((p) => p.response));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    for (const answer of answers) expect(JSON.parse(answer.body).totals.net).toBe('51264.00');

    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(server.logs.map((l) => l['msg'])).toEqual(expect.arrayContaining(['shutting down: readiness is 503, finishing requests in flight', 'all connections closed; exiting']));
  });

  it('answers an upload still arriving near the bound 503 with Retry-After and Connection: close, stops reading it, and exits 0', async () => {
    const server = await startServer({ SUANPAN_SHUTDOWN_TIMEOUT_MS: '3000', SUANPAN_BODY_TIMEOUT_MS: '20000' });
    const upload = trickledUpload(server.port);
    await until('the upload in flight', async () => ((await inFlight(server.port)) >= 2 ? true : undefined));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const answer = await upload.response;
    upload.stop();
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'SHUTTING_DOWN', status: 503, instance: '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30' });
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(server.logs.map((l) => l['msg'])).toContain('shutting down: uploads still arriving were answered 503 and their connections closed');
  });

  it('exits 1 at SUANPAN_SHUTDOWN_TIMEOUT_MS when a request is still being priced', async () => {
    const server = await startServer({ SUANPAN_SHUTDOWN_TIMEOUT_MS: '100' });
    // a 10,000-line diff takes far longer than 100 ms to price, and yields, so the bound's timer runs
    const orders = Array.from({ length: 1000 }, (_, i) => ({ id: `O${i}`, channel: 'member-direct', date: '2026-11-12', buyer: { id: 'M-007', member: true }, lines: Array.from({ length: 10 }, (_, j) => ({ sku: 'BYK-M01', quantity: 1 + ((i + j) % 40) })) }));
    const body = JSON.stringify({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders });
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/v1/rulesets:diff', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } });
    req.on('error', () => undefined);
    req.end(body);
    await until('the diff in flight', async () => ((await inFlight(server.port)) >= 2 ? true : undefined));
    server.child.kill('SIGTERM');
    const { code, output } = await server.exited;
    expect(code).toBe(1);
    expect(output).toContain('shutdown timed out');
  });
});

/** A CSV settlement upload that sends a row every 50 ms (never stalling) until `stop()`. */
function trickledUpload(port: number): { stop(): void; response: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> } {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30', agent: false, headers: { 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' } });
  req.write('transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice\n');
  let row = 0;
  const timer = setInterval(() => req.write(`T${row++},2026-11-12,member-direct,M-1,true,false,,BYK-M01,1,\n`), 50);
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
  });
  return {
    stop: () => {
      clearInterval(timer);
      req.destroy();
    },
    response,
  };
}

describe('rules on disk', () => {
  it('refuses to start on a corrupted rule file, naming the file and the reason', async () => {
    const fixture = copyRules();
    try {
      fixture.write(`${VERSION_DIR}/rules/member-discount.json`, '{"id": "member-discount", "conditions": ');
      const { code, output } = await failedStart({ SUANPAN_RULES_DIR: fixture.dir });
      expect(code).toBe(1);
      expect(output).toContain('rules refused');
      expect(output).toContain('member-discount.json');
      expect(output).toMatch(/JSON|Unexpected end/);
    } finally {
      fixture.cleanup();
    }
  });

  it('keeps serving the old rules when a reload (SIGHUP) finds a corrupted file, and takes good ones', async () => {
    const fixture = copyRules();
    const server = await startServer({ SUANPAN_RULES_DIR: fixture.dir });
    try {
      const before = JSON.parse((await get(server.port, '/v1/agreements')).body).agreements[0].versions[0].rulesetVersion as string;
      fixture.write(`${VERSION_DIR}/rules/member-discount.json`, '{"id": "member-discount", "conditions": ');
      server.child.kill('SIGHUP');
      const refused = await until('the reload refusal', async () => server.logs.find((l) => String(l['msg']).startsWith('rules reload refused')));
      expect(JSON.stringify(refused)).toContain('member-discount.json');
      expect((await get(server.port, '/readyz')).status).toBe(200);
      expect(JSON.parse((await get(server.port, '/v1/agreements')).body).agreements[0].versions[0].rulesetVersion).toBe(before);

      // Repaired: the next reload is taken.
      fixture.write(`${VERSION_DIR}/rules/member-discount.json`, readFileSync(path.join(RULES_DIR, VERSION_DIR, 'rules/member-discount.json'), 'utf8'));
      server.child.kill('SIGHUP');
      await until('the reload', async () => (server.logs.some((l) => String(l['msg']).startsWith('rules reloaded')) ? true : undefined));
      const metrics = (await get(server.port, '/metrics')).body;
      expect(metrics).toMatch(/suanpan_rules_reloads_total\{outcome="failure"\} 1\b/);
      expect(metrics).toMatch(/suanpan_rules_reloads_total\{outcome="success"\} 2\b/);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      fixture.cleanup();
    }
  });
});

describe('configuration', () => {
  it('exits 1 naming every invalid variable', async () => {
    const { code, output } = await failedStart({ PORT: 'eighty', SUANPAN_API_KEYS: 'short=partner' });
    expect(code).toBe(1);
    expect(output).toContain('invalid configuration');
    expect(output).toContain('PORT="eighty"');
    expect(output).toContain('SUANPAN_API_KEYS entry 1');
  });
});
