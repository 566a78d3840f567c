import { call, compileServer, get, startProcess, type CompiledServer, type Running } from '../support/server-process';

/**
 * The health probes stay fast while the largest request each expensive endpoint allows is being
 * served, all at once: a pod whose liveness probe waits seconds is restarted, one whose
 * readiness probe does is taken out of the Service. On the server as a process (the test's
 * own work then never delays the probes).
 */
const SKUS = ['BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-H01'] as const;
const order = (i: number, lines: number) => ({
  channel: i % 2 === 0 ? 'member-direct' : 'group-buy',
  date: '2026-11-12',
  buyer: { id: `M-${i % 50}`, member: true },
  lines: Array.from({ length: lines }, (_, j) => ({ sku: SKUS[j % 4]!, quantity: 1 + ((i * 7 + j) % 40) })),
});

/** 1000 orders of 10 lines: the most orders and the most lines a diff may carry. */
const largestDiff = (): string => JSON.stringify({ agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: Array.from({ length: 1000 }, (_, i) => ({ id: `O${i}`, ...order(i, 10) })) });
/** 1000 quotes of 10 lines: the most a batch may carry. */
const largestBatch = (): string => JSON.stringify({ quotes: Array.from({ length: 1000 }, (_, i) => ({ agreement: 'chamber-baiyikang', ...order(i, 10) })) });
/** As many one-line transactions as a 5 MB JSON body holds. */
function largestSettlement(): string {
  const head = JSON.stringify({ agreement: 'chamber-baiyikang', period: { from: '2026-11-01', to: '2026-11-30' } }).slice(0, -1) + ',"transactions":[';
  const transactions: string[] = [];
  let length = head.length + 2;
  for (let i = 0; ; i++) {
    const transaction = JSON.stringify({ id: `T${i}`, date: '2026-11-12', channel: 'member-direct', buyer: { id: `M-${i % 50}`, member: true }, lines: [{ sku: SKUS[i % 4]!, quantity: 1 + (i % 40) }] });
    if (length + transaction.length + 1 > 5 * 1024 * 1024) return `${head}${transactions.join(',')}]}`;
    transactions.push(transaction);
    length += transaction.length + 1;
  }
}
/** A CSV settlement of 100,000 transactions (streamed, no size limit but the 1 GB one). */
function largeCsv(): string {
  const rows = ['transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice'];
  for (let i = 0; i < 100_000; i++) rows.push(`T${i},2026-11-12,member-direct,M-${i % 50},true,false,,${SKUS[i % 4]},${1 + (i % 40)},`);
  return rows.join('\n');
}

let build: CompiledServer;
let server: Running;
beforeAll(async () => {
  build = compileServer('health-under-load');
  server = await startProcess(build.server);
}, 60_000);
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  build?.remove();
});


const REQUESTS = {
  diff: { path: '/v1/rulesets:diff', type: 'application/json', body: largestDiff },
  batch: { path: '/v1/quotes:batch', type: 'application/json', body: largestBatch },
  'JSON settlement': { path: '/v1/settlements', type: 'application/json', body: largestSettlement },
  'CSV settlement': { path: '/v1/settlements?agreement=chamber-baiyikang&from=2026-11-01&to=2026-11-30', type: 'text/csv', body: largeCsv },
} as const;
type Expensive = keyof typeof REQUESTS;

function post(which: Expensive, body: string): Promise<number> {
  return call(server.port, 'POST', REQUESTS[which].path, { headers: { 'Content-Type': REQUESTS[which].type }, body }).then((res) => res.status);
}

describe('health probes under the largest requests', () => {
  // Kubernetes waits 2 s for the readiness probe (deploy/kubernetes.yaml) and fails the pod on one miss
  const PROBE_BOUND_MS = 1500;

  it.each(Object.keys(REQUESTS) as Expensive[])('the largest %s lets the probes in: /livez sent while it is priced is answered before it', async (which) => {
    const body = REQUESTS[which].body();
    let done = false;
    const answered = post(which, body).then((status) => ((done = true), status));
    // the body is sent and read well within this; the pricing takes a second or more
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await get(server.port, '/livez')).status).toBe(200);
    expect(done).toBe(false);
    expect(await answered).toBe(200);
  }, 60_000);

  it(`answers every /livez and /readyz within ${PROBE_BOUND_MS} ms while all of them run at once`, async () => {
    const bodies = Object.fromEntries(Object.entries(REQUESTS).map(([which, request]) => [which, request.body()])) as Record<Expensive, string>;
    let running = Object.keys(bodies).length;
    const expensive = Promise.all((Object.keys(bodies) as Expensive[]).map((which) => post(which, bodies[which]).finally(() => running--)));
    const latencies: number[] = [];
    while (running > 0) {
      const sent = Date.now();
      const probe = await get(server.port, latencies.length % 2 === 0 ? '/livez' : '/readyz');
      expect(probe.status).toBe(200);
      latencies.push(Date.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await expensive).toEqual([200, 200, 200, 200]);
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(PROBE_BOUND_MS);
  }, 120_000);
});
