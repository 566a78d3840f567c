import request from 'supertest';
import { parse } from 'yaml';
import { loadRules } from '../../src/rules/load-rules';
import { RulesHolder } from '../../src/rules/rules-holder';
import { RULES_DIR, contractIssues, testApp } from '../support/test-app';

const app = testApp();

describe('agreements', () => {
  it('lists every agreement of the rules directory with its versions', async () => {
    const res = await request(app).get('/v1/agreements');
    expect(res.status).toBe(200);
    expect(contractIssues('AgreementList', res.body)).toEqual([]);
    const loaded = loadRules(RULES_DIR);
    const listed = res.body.agreements as { agreement: string; versions: { effectiveFrom: string; rulesetVersion: string }[] }[];
    expect(listed.map((a) => a.agreement).sort()).toEqual([...loaded.agreements.keys()].sort());
    for (const { agreement, versions } of listed) {
      expect(versions.map((v) => [v.effectiveFrom, v.rulesetVersion])).toEqual(loaded.agreements.get(agreement)!.map(({ version }) => [version.effectiveFrom, version.rulesetVersion]));
    }
    // the chamber agreement's first version, as its worked examples are dated
    expect(listed.find((a) => a.agreement === 'chamber-baiyikang')).toMatchObject({ currency: 'CNY', versions: expect.arrayContaining([expect.objectContaining({ effectiveFrom: '2026-01-01' })]) });
  });

  it('shows terms, catalog and labelled rules of the version in force', async () => {
    const res = await request(app).get('/v1/agreements/chamber-baiyikang?date=2026-11-30');
    expect(res.status).toBe(200);
    expect(contractIssues('AgreementDetail', res.body)).toEqual([]);
    expect(res.body.catalog).toHaveLength(6);
    expect(res.body.catalog.find((c: { sku: string }) => c.sku === 'BYK-L02').listPrice).toBe('39.90');
    const supply = res.body.rules.find((r: { id: string }) => r.id === 'supply-price');
    expect(supply).toMatchObject({ clause: '五(2)', step: 'channel-price', event: { type: 'price-factor', params: { factor: '0.85' } } });
    expect(supply.label.zh).toContain('8.5');
  });

  it('answers 404 for an unknown agreement and 400 for a bad date', async () => {
    const unknown = await request(app).get('/v1/agreements/acme');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_AGREEMENT', errors: [{ pointer: '/path/agreement' }] });
    for (const date of ['soon', '2026-02-30', '2026-13-01']) {
      const badDate = await request(app).get(`/v1/agreements/chamber-baiyikang?date=${date}`);
      expect(badDate.status).toBe(400);
      expect(badDate.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: '/query/date' }] });
    }
  });
});

describe('operations', () => {
  it('is live and ready with rules loaded', async () => {
    expect((await request(app).get('/livez')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('is not ready until rules are loaded, nor while shutting down', async () => {
    const notLoaded = await request(testApp({ rules: new RulesHolder(RULES_DIR) })).get('/readyz');
    expect(notLoaded.status).toBe(503);
    expect(notLoaded.body.status).toBe('not-ready');
    const draining = await request(testApp({ isShuttingDown: () => true })).get('/readyz');
    expect(draining.status).toBe(503);
    expect(draining.body.status).toBe('shutting-down');
  });

  it('serves the OpenAPI 3.1 contract and Swagger UI', async () => {
    const spec = await request(app).get('/openapi.yaml');
    expect(spec.status).toBe(200);
    expect(parse(spec.text).openapi).toBe('3.1.0');
    const docs = await request(app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });
});
