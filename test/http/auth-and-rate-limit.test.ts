import request from 'supertest';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/http/metrics';
import { TokenBuckets } from '../../src/http/rate-limit';
import { routeTemplates } from '../../src/http/route-template';
import { RulesHolder } from '../../src/rules/rules-holder';
import { RULES_DIR, contract, contractIssues, exampleTwoRequest, recordingLogger, testApp } from '../support/test-app';

const KEY_A = 'key-for-partner-a-0000001';
const KEY_A2 = 'second-key-for-partner-a-02';
const KEY_B = 'key-for-partner-b-0000001';
const keys = new Map([
  [KEY_A, 'partner-a'],
  [KEY_A2, 'partner-a'],
  [KEY_B, 'partner-b'],
]);

function securedApp(burst = 1000, ratePerSecond = 1) {
  let now = 0;
  const logger = recordingLogger();
  const rules = new RulesHolder(RULES_DIR);
  rules.load();
  const metrics = createMetrics({ registry: new Registry(), rules, routeOf: routeTemplates(contract.document) });
  const app = testApp({ rules, logger, metrics, apiKeys: keys, rateLimiter: new TokenBuckets(ratePerSecond, burst, () => now) });
  return { app, logger, metrics, advance: (ms: number) => (now += ms) };
}

describe('API keys (SUANPAN_API_KEYS)', () => {
  const { app, logger, metrics } = securedApp();

  it.each([
    ['no key', {}],
    ['an unknown key', { Authorization: 'Bearer not-a-known-key-000000' }],
    ['a known key under another scheme', { Authorization: `Basic ${KEY_A}` }],
    ['an empty X-Api-Key', { 'X-Api-Key': '' }],
  ])('refuses %s on every /v1 route with a 401 problem', async (_name, headers) => {
    for (const call of [request(app).get('/v1/agreements'), request(app).post('/v1/quotes').send(exampleTwoRequest()), request(app).get('/v1/no-such-route')]) {
      const res = await call.set(headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="suanpan"');
      expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', requestId: res.headers['x-request-id'] });
      expect(contractIssues('Problem', res.body)).toEqual([]);
      expect(res.text).not.toContain(KEY_A);
    }
  });

  it('accepts a key as a bearer token or as X-Api-Key', async () => {
    expect((await request(app).post('/v1/quotes').set('Authorization', `Bearer ${KEY_A}`).send(exampleTwoRequest())).status).toBe(200);
    expect((await request(app).get('/v1/agreements').set('X-Api-Key', KEY_B)).status).toBe(200);
  });

  it('leaves health, metrics, the contract and the docs open', async () => {
    for (const path of ['/livez', '/readyz', '/metrics', '/openapi.yaml', '/docs/']) expect((await request(app).get(path)).status).toBe(200);
  });

  it('puts the partner id (and a key fingerprint, never the key) in logs and metrics', async () => {
    const res = await request(app).post('/v1/quotes').set('X-Request-Id', 'partner-log-1').set('Authorization', `Bearer ${KEY_B}`).send(exampleTwoRequest());
    expect(res.status).toBe(200);
    const entry = logger.entries.find((e) => (e.obj as { requestId?: string }).requestId === 'partner-log-1');
    expect(entry?.obj).toMatchObject({ partnerId: 'partner-b', keyId: expect.stringMatching(/^[0-9a-f]{12}$/), route: '/v1/quotes', status: 200 });
    expect(JSON.stringify(logger.entries)).not.toContain(KEY_B);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/suanpan_quotes_priced_total\{partner="partner-b"\} 1\b/);
    expect(text).toMatch(/suanpan_http_request_duration_seconds_count\{method="POST",route="\/v1\/quotes",status="200",partner="partner-b"\} 1\b/);
    expect(text).not.toContain(KEY_B);
  });
});

describe('rate limit per API key (token bucket)', () => {
  it('answers 429 with Retry-After past the burst, per key, and refills with time', async () => {
    const { app, advance } = securedApp(3, 2);
    const call = (key: string) => request(app).get('/v1/agreements').set('Authorization', `Bearer ${key}`);
    for (let i = 0; i < 3; i++) expect((await call(KEY_A)).status).toBe(200);
    const limited = await call(KEY_A);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', status: 429, requestId: limited.headers['x-request-id'] });
    expect(contractIssues('Problem', limited.body)).toEqual([]);
    // Another key, even of the same partner, has its own bucket.
    expect((await call(KEY_A2)).status).toBe(200);
    expect((await call(KEY_B)).status).toBe(200);
    advance(499);
    expect((await call(KEY_A)).status).toBe(429);
    advance(1);
    expect((await call(KEY_A)).status).toBe(200);
    expect((await call(KEY_A)).status).toBe(429);
  });

  it('checks the key before the limit, and the limit before reading the body', async () => {
    const { app } = securedApp(1, 1);
    expect((await request(app).post('/v1/quotes').set('X-Api-Key', KEY_A).send(exampleTwoRequest())).status).toBe(200);
    const second = await request(app).post('/v1/quotes').set('X-Api-Key', KEY_A).set('Content-Type', 'application/json').send('{not json');
    expect(second.status).toBe(429);
    expect((await request(app).post('/v1/quotes').send(exampleTwoRequest())).status).toBe(401);
  });
});

describe('openapi.yaml', () => {
  it('declares 401, 403 and 429 on every /v1 operation; the others do not inherit the API-key security', () => {
    const paths = contract.document['paths'] as Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (template.startsWith('/v1/')) expect([method, template, Object.keys(op.responses)]).toEqual([method, template, expect.arrayContaining(['401', '403', '429'])]);
        else expect([method, template, Array.isArray(op.security)]).toEqual([method, template, true]);
      }
    }
  });
});

describe('without keys', () => {
  it('serves /v1 to anyone and labels metrics "anonymous"', async () => {
    const rules = new RulesHolder(RULES_DIR);
    rules.load();
    const metrics = createMetrics({ rules, routeOf: routeTemplates(contract.document) });
    const app = testApp({ rules, metrics });
    expect((await request(app).post('/v1/quotes').send(exampleTwoRequest())).status).toBe(200);
    expect(await metrics.registry.metrics()).toMatch(/suanpan_quotes_priced_total\{partner="anonymous"\} 1\b/);
  });
});
