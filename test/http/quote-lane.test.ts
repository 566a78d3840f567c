import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppParts, type AppDeps } from '../../src/app';
import { RulesHolder } from '../../src/rules/rules-holder';
import { ISSUE_FIELDS } from '../../src/trust/quote-signature';
import { send, type RawRequest, type RawResponse } from '../support/raw-http';
import { RULES_DIR, contract, exampleTwoRequest, recordingLogger } from '../support/test-app';

/**
 * The quote lane answers ordinary POST /v1/quotes and /v1/quotes:batch requests without
 * Express. These tests serve the lane and the Express app side by side and hold that the
 * lane takes exactly the requests it should and answers them as Express does.
 */
interface Served {
  readonly port: number;
  /** How the last request was served. */
  lastBy(): 'lane' | 'express' | undefined;
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => 'lane' | 'express'): Promise<Served> {
  let last: 'lane' | 'express' | undefined;
  const server = http.createServer((req, res) => {
    last = handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    lastBy: () => last,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parts(overrides: Partial<AppDeps> = {}) {
  const rules = new RulesHolder(RULES_DIR);
  rules.load();
  return createAppParts({ rules, logger: recordingLogger(), contract, today: () => '2026-11-26', ...overrides });
}

/** The service as createApp joins it (lane first), and the Express half alone. */
async function sideBySide(overrides: Partial<AppDeps> = {}): Promise<{ joined: Served; expressOnly: Served; close(): Promise<void> }> {
  const { lane, express } = parts(overrides);
  const joined = await serve((req, res) => {
    if (lane(req, res)) return 'lane';
    express(req, res);
    return 'express';
  });
  const expressOnly = await serve((req, res) => {
    express(req, res);
    return 'express';
  });
  return { joined, expressOnly, close: async () => Promise.all([joined.close(), expressOnly.close()]).then(() => undefined) };
}

const json = { 'Content-Type': 'application/json' };
const quoteRequest = (body: unknown, path = '/v1/quotes', headers: Record<string, string> = json): RawRequest => ({ method: 'POST', path, headers, body: JSON.stringify(body) });

/** A response as a comparable value: status, the headers that matter, and the body without what changes at every issue. */
function comparable(res: RawResponse): unknown {
  const { date: _date, 'x-request-id': _id, connection: _connection, 'keep-alive': _keepAlive, ...headers } = res.headers;
  let body: unknown = res.body;
  try {
    body = stripIssueFields(JSON.parse(res.body));
  } catch {
    // not JSON: compared as text
  }
  return { status: res.status, headers, body };
}

function stripIssueFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIssueFields);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([key]) => !(ISSUE_FIELDS as readonly string[]).includes(key) && key !== 'requestId');
  return Object.fromEntries(entries.map(([key, member]) => [key, stripIssueFields(member)]));
}

describe('the quote lane', () => {
  let served: Awaited<ReturnType<typeof sideBySide>>;
  beforeAll(async () => {
    served = await sideBySide();
  });
  afterAll(async () => served.close());

  const unknownSku = { ...exampleTwoRequest(), lines: [{ sku: 'NOPE', quantity: 1 }] };
  const invalid = { ...exampleTwoRequest(), lines: [{ sku: 'BYK-L01', quantity: 0 }] };
  it.each<[string, RawRequest]>([
    ['a quote', quoteRequest(exampleTwoRequest())],
    ['an explained quote', quoteRequest(exampleTwoRequest(), '/v1/quotes?explain=true')],
    ['a quote with charset=utf-8', quoteRequest(exampleTwoRequest(), '/v1/quotes', { 'Content-Type': 'application/json; charset=utf-8' })],
    ['a body with a byte order mark', { ...quoteRequest(exampleTwoRequest()), body: `\uFEFF${JSON.stringify(exampleTwoRequest())}` }],
    ['a batch with a bad quote in it', quoteRequest({ quotes: [exampleTwoRequest(), unknownSku, invalid] }, '/v1/quotes:batch')],
    ['an invalid quote (400)', quoteRequest(invalid)],
    ['an unknown SKU (422)', quoteRequest(unknownSku)],
    ['an unknown agreement', quoteRequest({ ...exampleTwoRequest(), agreement: 'nope' })],
    ['a malformed body', { ...quoteRequest(null), body: '{"agreement": ' }],
    ['a body that is JSON but not an object', { ...quoteRequest(null), body: '"text"' }],
    ['a batch that is not one', quoteRequest({ quotes: 'no' }, '/v1/quotes:batch')],
    ['an unsigned quote', quoteRequest(exampleTwoRequest(), '/v1/quotes?sign=false&explain=true')],
    ['an unsigned batch', quoteRequest({ quotes: [exampleTwoRequest()] }, '/v1/quotes:batch?sign=false')],
    ['a query parameter out of its values', quoteRequest(exampleTwoRequest(), '/v1/quotes?sign=no')],
  ])('takes %s and answers exactly as Express', async (_name, request) => {
    const byLane = await send(served.joined.port, request);
    expect(served.joined.lastBy()).toBe('lane');
    const byExpress = await send(served.expressOnly.port, request);
    expect(comparable(byLane)).toEqual(comparable(byExpress));
    expect(byLane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each<[string, RawRequest]>([
    ['a GET', { method: 'GET', path: '/v1/quotes' }],
    ['another route', quoteRequest(exampleTwoRequest(), '/v1/quotes:verify')],
    ['a trailing slash', quoteRequest(exampleTwoRequest(), '/v1/quotes/')],
    ['a text body', { ...quoteRequest(exampleTwoRequest()), headers: { 'Content-Type': 'text/plain' } }],
    ['another charset', { ...quoteRequest(exampleTwoRequest()), headers: { 'Content-Type': 'application/json; charset=latin1' } }],
    ['an empty body', { method: 'POST', path: '/v1/quotes', headers: json, body: '' }],
    ['a compressed body', { ...quoteRequest(exampleTwoRequest()), headers: { ...json, 'Content-Encoding': 'gzip' } }],
    ['a chunked body', { ...quoteRequest(exampleTwoRequest()), headers: { ...json, 'Transfer-Encoding': 'chunked' } }],
  ])('leaves %s to Express', async (_name, request) => {
    const joined = await send(served.joined.port, request);
    expect(served.joined.lastBy()).toBe('express');
    expect(comparable(joined)).toEqual(comparable(await send(served.expressOnly.port, request)));
  });

  it('keeps the request id the caller sent', async () => {
    const res = await send(served.joined.port, { ...quoteRequest(exampleTwoRequest()), headers: { ...json, 'X-Request-Id': 'erp-4711' } });
    expect(served.joined.lastBy()).toBe('lane');
    expect(res.headers['x-request-id']).toBe('erp-4711');
  });

  it('leaves a body over the limit to Express, which answers 413', async () => {
    const small = await sideBySide({ bodyLimitBytes: 100 });
    try {
      const res = await send(small.joined.port, quoteRequest(exampleTwoRequest()));
      expect(small.joined.lastBy()).toBe('express');
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('answers 408 and closes the connection when the body stalls, as Express does', async () => {
    const slow = await sideBySide({ bodyTimeoutMs: 100 });
    try {
      const stalled = (port: number) => send(port, { ...quoteRequest(null), headers: { ...json, 'Content-Length': '500' }, body: '{"agreement":' });
      const byLane = await stalled(slow.joined.port);
      expect(slow.joined.lastBy()).toBe('lane');
      expect(byLane.status).toBe(408);
      expect(byLane.headers.connection).toBe('close');
      expect(comparable(byLane)).toEqual(comparable(await stalled(slow.expressOnly.port)));
    } finally {
      await slow.close();
    }
  });

  describe('with API keys and a rate limit', () => {
    it('takes a known key under its rate; leaves a missing key (401) and a key over its rate (429) to Express', async () => {
      const { TokenBuckets } = await import('../../src/http/rate-limit');
      let now = 0;
      const keyed = await sideBySide({ apiKeys: new Map([['k-1', 'partner-a']]), rateLimiter: new TokenBuckets(1, 2, () => now) });
      try {
        const withKey = { ...quoteRequest(exampleTwoRequest()), headers: { ...json, Authorization: 'Bearer k-1' } };
        expect((await send(keyed.joined.port, withKey)).status).toBe(200);
        expect(keyed.joined.lastBy()).toBe('lane');
        expect((await send(keyed.joined.port, quoteRequest(exampleTwoRequest()))).status).toBe(401);
        expect(keyed.joined.lastBy()).toBe('express');
        expect((await send(keyed.joined.port, withKey)).status).toBe(200);
        const over = await send(keyed.joined.port, withKey);
        expect(keyed.joined.lastBy()).toBe('express');
        expect(over.status).toBe(429);
        expect(over.headers['retry-after']).toBe('1');
        now += 1000;
        expect((await send(keyed.joined.port, withKey)).status).toBe(200);
        expect(keyed.joined.lastBy()).toBe('lane');
      } finally {
        await keyed.close();
      }
    });
  });

  it('answers a fault 500 INTERNAL_ERROR and counts it in suanpan_server_faults_total, as Express does', async () => {
    const rules = new RulesHolder(RULES_DIR);
    rules.load();
    const loaded = rules.current.bind(rules);
    let broken = false;
    rules.current = () => {
      if (broken) throw new Error('the rules holder broke');
      return loaded();
    };
    const faulty = await sideBySide({ rules });
    const faults = async (): Promise<string | undefined> => {
      broken = false;
      const metrics = (await send(faulty.joined.port, { method: 'GET', path: '/metrics' })).body;
      broken = true;
      return /suanpan_server_faults_total\{kind="unhandled"\} (\d+)/.exec(metrics)?.[1];
    };
    try {
      broken = true;
      for (const request of [quoteRequest(exampleTwoRequest()), quoteRequest({ quotes: [exampleTwoRequest()] }, '/v1/quotes:batch')]) {
        const before = Number((await faults()) ?? '0');
        const byLane = await send(faulty.joined.port, request);
        expect(faulty.joined.lastBy()).toBe('lane');
        expect(byLane.status).toBe(500);
        expect(JSON.parse(byLane.body)).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
        expect(Number(await faults())).toBe(before + 1);
        const byExpress = await send(faulty.expressOnly.port, request);
        expect(comparable(byLane)).toEqual(comparable(byExpress));
        expect(Number(await faults())).toBe(before + 2);
      }
    } finally {
      await faulty.close();
    }
  });

  it('leaves every request to Express while the service drains (Connection: close)', async () => {
    const draining = await sideBySide({ isShuttingDown: () => true });
    try {
      const res = await send(draining.joined.port, quoteRequest(exampleTwoRequest()));
      expect(draining.joined.lastBy()).toBe('express');
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe('close');
    } finally {
      await draining.close();
    }
  });
});
