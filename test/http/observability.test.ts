import request from 'supertest';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/http/metrics';
import { routeTemplates } from '../../src/http/route-template';
import { RulesHolder } from '../../src/rules/rules-holder';
import { copyRules, VERSION_DIR } from '../support/rules-fixture';
import { workedExampleRequest } from '../support/settlement-fixtures';
import { RULES_DIR, contract, exampleTwoRequest, recordingLogger, testApp } from '../support/test-app';

/** The app with its own metrics registry, counting loads as the server does; `rules` may be a stand-in. */
function observedApp(rules: RulesHolder | string = RULES_DIR) {
  const logger = recordingLogger();
  const holder = typeof rules === 'string' ? new RulesHolder(rules) : rules;
  const metrics = createMetrics({ registry: new Registry(), rules: holder, routeOf: routeTemplates(contract.document) });
  if (typeof rules === 'string') {
    holder.onLoad((outcome) => metrics.recordRulesLoad(outcome));
    holder.load();
  }
  return { app: testApp({ rules: holder, logger, metrics }), logger, metrics, rules: holder };
}

describe('request ids', () => {
  const { app } = observedApp();

  it('accepts a well-formed X-Request-Id and echoes it in the header and the problem', async () => {
    const res = await request(app).post('/v1/quotes').set('X-Request-Id', 'erp-4711:batch.7').send({ ...exampleTwoRequest(), channel: 'nope' });
    expect(res.headers['x-request-id']).toBe('erp-4711:batch.7');
    expect(res.body.requestId).toBe('erp-4711:batch.7');
  });

  it.each(['', 'has space', 'x'.repeat(129), '<script>', 'ünïcode'])('replaces the malformed id %p with a UUID', async (given) => {
    const res = await request(app).get('/v1/no-such').set('X-Request-Id', given);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });
});

describe('access log', () => {
  it('logs one line per request with route template, status and duration, never the body or query', async () => {
    const { app, logger } = observedApp();
    const body = { ...exampleTwoRequest(), buyer: { id: 'SECRET-BUYER-9' } };
    await request(app).post('/v1/quotes?explain=true').set('X-Request-Id', 'log-1').send(body);
    await request(app).get('/v1/agreements/chamber-baiyikang?date=next-tuesday').set('X-Request-Id', 'log-2');
    const lines = logger.entries.filter((e) => e.msg === 'request');
    expect(lines.map((e) => e.obj)).toEqual([
      expect.objectContaining({ requestId: 'log-1', method: 'POST', route: '/v1/quotes', status: 200, durationMs: expect.any(Number), requestBytes: JSON.stringify(body).length }),
      expect.objectContaining({ requestId: 'log-2', method: 'GET', route: '/v1/agreements/{agreement}', status: 400 }),
    ]);
    const everything = JSON.stringify(logger.entries);
    expect(everything).not.toContain('SECRET-BUYER-9');
    expect(everything).not.toContain('explain');
    expect(everything).not.toContain('next-tuesday');
  });

  it('logs a 5xx at error level with the request id', async () => {
    const { app, logger } = observedApp({ current: () => { throw new Error('boom'); }, status: () => ({ ready: true }) } as unknown as RulesHolder);
    const res = await request(app).get('/v1/agreements');
    expect(res.status).toBe(500);
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => (e.obj as { requestId?: string }).requestId)).toEqual([res.body.requestId, res.body.requestId]);
  });
});

describe('GET /metrics', () => {
  it('exposes request durations by route template and status, quotes priced and the rule set version', async () => {
    const { app } = observedApp();
    await request(app).post('/v1/quotes:batch').send({ quotes: [exampleTwoRequest(), exampleTwoRequest(), { ...exampleTwoRequest(), channel: 'nope' }] });
    await request(app).get('/v1/agreements/acme');
    await request(app).get('/v1/agreements/chamber-baiyikang');
    await request(app).get('/wp-admin/setup.php');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/suanpan_http_request_duration_seconds_count\{method="POST",route="\/v1\/quotes:batch",status="200",partner="anonymous"\} 1\b/);
    expect(res.text).toMatch(/suanpan_http_request_duration_seconds_count\{method="GET",route="\/v1\/agreements\/\{agreement\}",status="404",partner="anonymous"\} 1\b/);
    expect(res.text).toMatch(/suanpan_http_request_duration_seconds_count\{method="GET",route="\/v1\/agreements\/\{agreement\}",status="200",partner="anonymous"\} 1\b/);
    expect(res.text).toMatch(/suanpan_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404",partner="anonymous"\} 1\b/);
    expect(res.text).not.toContain('wp-admin');
    expect(res.text).toMatch(/suanpan_quotes_priced_total\{partner="anonymous"\} 2\b/);
    expect(res.text).toMatch(/suanpan_ruleset_info\{agreement="chamber-baiyikang",effective_from="2026-01-01",ruleset_version="[0-9a-f]{16}"\} 1/);
    expect(res.text).toMatch(/suanpan_http_requests_in_flight 1\b/);
  });

  it('counts the settlement lines priced', async () => {
    const { app } = observedApp();
    const body = workedExampleRequest();
    const res = await request(app).post('/v1/settlements').send(body);
    expect(res.status).toBe(200);
    const lines = body.transactions.reduce((n, t) => n + t.lines.length, 0);
    expect(lines).toBeGreaterThan(0);
    expect((await request(app).get('/metrics')).text).toMatch(new RegExp(`suanpan_settlement_lines_priced_total\\{partner="anonymous"\\} ${lines}\\b`));
  });

  it('counts reloads by outcome; a corrupted file at reload keeps the old rules serving', async () => {
    const fixture = copyRules();
    try {
      const { app, rules } = observedApp(fixture.dir);
      const before = rules.current();
      fixture.write(`${VERSION_DIR}/rules/supply-price.json`, '{"id": "supply-price", ');
      const reload = rules.load();
      expect(reload.ok).toBe(false);
      expect(rules.current()).toBe(before);
      expect((await request(app).post('/v1/quotes').send(exampleTwoRequest())).status).toBe(200);
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(JSON.stringify(ready.body.rules.lastError)).toContain('supply-price.json');
      const text = (await request(app).get('/metrics')).text;
      expect(text).toMatch(/suanpan_rules_reloads_total\{outcome="success"\} 1\b/);
      expect(text).toMatch(/suanpan_rules_reloads_total\{outcome="failure"\} 1\b/);
    } finally {
      fixture.cleanup();
    }
  });
});

describe('security headers', () => {
  const { app } = observedApp();

  it('sets helmet headers on API answers', async () => {
    const res = await request(app).get('/v1/agreements');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('keeps Swagger UI working on plain http: no upgrade-insecure-requests, its scripts are same-origin', async () => {
    const page = await request(app).get('/docs/');
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).toMatch(/script-src 'self'/);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline.trim()).toBe(''); // an inline script would be blocked by script-src 'self'
      const src = /src=["']\.\/([^"']+)["']/.exec(attributes!)?.[1];
      expect(src).toBeDefined();
      const asset = await request(app).get(`/docs/${src}`);
      expect(asset.status).toBe(200);
    }
  });
});
