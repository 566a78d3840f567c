import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { ConditionEvaluator } from '../../src/rules/evaluator';
import { loadRules } from '../../src/rules/load-rules';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RulesHolder } from '../../src/rules/rules-holder';
import { copyRules, publishVersion } from '../support/rules-fixture';
import { dateAfterLastVersion } from '../support/agreement-fixture';
import { contract, recordingLogger, RULES_DIR } from '../support/test-app';
import { expectSchema, trustApp } from '../support/trust-app';

const TOKEN = 's3cret-admin-token';
const MEMBER_DIRECT_2027_07 = { agreement: 'chamber-baiyikang', channel: 'member-direct', date: '2027-07-01', buyer: { id: 'M-007', member: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] };
// 3 × 298.00 at 0.92 (version 2027-01-01) = 822.48; at 0.90 (a version 2027-07-01 published during the test) = 804.60
const NET_BY_EFFECTIVE_FROM: Record<string, string> = { '2027-01-01': '822.48', '2027-07-01': '804.60' };
/** A date no bundled version has or follows, for a version that is never recorded. */
const UNPUBLISHED = dateAfterLastVersion(RULES_DIR, 'chamber-baiyikang');

describe('POST /admin/rules:reload', () => {
  let rules: ReturnType<typeof copyRules>;
  beforeEach(() => {
    rules = copyRules();
  });
  afterEach(() => rules.cleanup());

  const reload = (app: Parameters<typeof request>[0], token = TOKEN): request.Test => request(app).post('/admin/rules:reload').set('Authorization', `Bearer ${token}`);

  it('is disabled without an admin token, and wants the right bearer token', async () => {
    const { app } = trustApp({ rulesDir: rules.dir });
    expect((await request(app).post('/admin/rules:reload').expect(404)).body).toMatchObject({ code: 'NOT_FOUND' });
    const guarded = trustApp({ rulesDir: rules.dir, adminToken: TOKEN }).app;
    const unauthorised = await request(guarded).post('/admin/rules:reload').expect(401);
    expect(unauthorised.body).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(unauthorised.headers['www-authenticate']).toMatch(/^Bearer/);
    await reload(guarded, 'wrong-token').expect(401);
  });

  it('loads a newly published version and serves it', async () => {
    const { app } = trustApp({ rulesDir: rules.dir, adminToken: TOKEN });
    expect((await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).expect(200)).body.totals.net).toBe('822.48');
    const served = Object.keys((await reload(app).expect(200)).body.rules.versions);
    publishVersion(rules.dir, '2027-01-01', '2027-07-01', '0.10');
    const res = await reload(app).expect(200);
    expectSchema('RulesReload', res.body);
    expect(Object.keys(res.body.rules.versions).sort()).toEqual([...served, 'chamber-baiyikang/2027-07-01'].sort());
    expect((await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).expect(200)).body.totals.net).toBe('804.60');
  });

  it.each([
    ['a file that is not JSON', (dir: string) => writeFileSync(path.join(dir, 'chamber-baiyikang/2027-01-01/rules/supply-price.json'), '{'), 'chamber-baiyikang/2027-01-01/rules/supply-price.json', /not valid JSON/],
    [
      'a new version that breaks the price-guarantee floor',
      (dir: string) =>
        publishVersion(dir, '2027-01-01', '2027-07-01', '0.20', {
          edit: (folder) => {
            const floorFile = path.join(folder, 'rules', 'lowest-price-floor.json');
            writeFileSync(floorFile, readFileSync(floorFile, 'utf8').replace('"operator": "notEqual", "value": "chamber-supply"', '"operator": "equal", "value": "group-buy"'));
          },
        }),
      'chamber-baiyikang/2027-07-01/rules/member-discount.json',
      /price-guarantee floor broken on channel member-direct/,
    ],
    ['a failing golden case', (dir: string) => publishVersion(dir, '2027-01-01', '2027-03-01', '0.10'), 'chamber-baiyikang/cases/v2027-group-buy-member-beats-6-percent-tier.json', /golden case .* fails: .*lines\[0\]\.unitPrice: expected "1184.96", got "1159.20"/],
    ['a version not recorded in the lock', (dir: string) => publishVersion(dir, '2027-01-01', UNPUBLISHED, '0.10', { record: false }), `chamber-baiyikang/${UNPUBLISHED}/`, /is not in rules.lock.json.*--update-lock/],
  ])('refuses %s: nothing served changes, the answer, /readyz and the log name the file', async (_what, breakRules, file, reason) => {
    const logger = recordingLogger();
    const { app } = trustApp({ rulesDir: rules.dir, adminToken: TOKEN, logger });
    const before = (await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).expect(200)).body;
    breakRules(rules.dir);
    const res = await reload(app).expect(422);
    expectSchema('Problem', res.body);
    expect(res.body).toMatchObject({ code: 'RULESET_INVALID' });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: `/${file}`, detail: expect.stringMatching(reason) })]));
    const ready = await request(app).get('/readyz').expect(200);
    expectSchema('Health', ready.body);
    expect(ready.body.rules.lastError.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file, reason: expect.stringMatching(reason) })]));
    expect(logger.entries).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'error', obj: expect.objectContaining({ problems: expect.arrayContaining([expect.objectContaining({ file })]) }) })]));
    const after = (await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).expect(200)).body;
    expect([after.rulesetVersion, after.totals]).toEqual([before.rulesetVersion, before.totals]);
  });

  it('a request in flight finishes on the rules it started with', async () => {
    // the first catalog's evaluators wait at a gate, so a request is caught mid-way while a reload swaps
    let arrived!: () => void;
    const atGate = new Promise<void>((resolve) => (arrived = resolve));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let builds = 0;
    const build = (dir: string): RuleCatalog => {
      const catalog = RuleCatalog.load(dir, { lock: 'required' });
      if (++builds > 1) return catalog;
      return RuleCatalog.fromLoaded(loadRules(dir, { lock: 'required' }), (version): ConditionEvaluator => {
        const inner = catalog.versionByHash(version.version.agreement, version.version.rulesetVersion)!.evaluator;
        return { evaluateLines: async (...args) => (arrived(), await gate, inner.evaluateLines(...args)) };
      });
    };
    const holder = new RulesHolder(rules.dir, build);
    expect(holder.load().ok).toBe(true);
    const app = createApp({ rules: holder, logger: recordingLogger(), contract, adminToken: TOKEN });
    const inFlight = request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).then((res) => res);
    await atGate;
    publishVersion(rules.dir, '2027-01-01', '2027-07-01', '0.10');
    await reload(app).expect(200);
    expect((await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2027_07).expect(200)).body).toMatchObject({ effectiveFrom: '2027-07-01', totals: { net: '804.60' } });
    open();
    expect((await inFlight).body).toMatchObject({ effectiveFrom: '2027-01-01', totals: { net: '822.48' } });
  });

  it('under load, with reloads that succeed and fail, no response ever mixes two versions', async () => {
    const { app } = trustApp({ rulesDir: rules.dir, adminToken: TOKEN });
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const batch = { quotes: Array.from({ length: 25 }, () => MEMBER_DIRECT_2027_07) };
    const seen = new Set<string>();
    const wrong: string[] = [];
    let done = false;
    let batches = 0;
    const client = async (): Promise<void> => {
      while (!done && wrong.length === 0) {
        const res = await request(base).post('/v1/quotes:batch').send(batch);
        if (res.status !== 200) {
          wrong.push(`status ${res.status}`);
          return;
        }
        const quotes = (res.body.results as { quote: { effectiveFrom: string; rulesetVersion: string; totals: { net: string } } }[]).map((r) => r.quote);
        const versions = new Set(quotes.map((q) => `${q.effectiveFrom}=${q.rulesetVersion}`));
        if (versions.size !== 1 || quotes.some((q) => q.totals.net !== NET_BY_EFFECTIVE_FROM[q.effectiveFrom])) wrong.push(`mixed: ${[...versions].join(' ')}`);
        versions.forEach((v) => seen.add(v));
        batches += 1;
      }
    };
    /** Lets the clients complete a few more batches (bounded by progress, not by time). */
    const afterMoreBatches = async (n: number): Promise<void> => {
      const target = batches + n;
      while (batches < target && wrong.length === 0 && !done) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const memberDiscount = path.join(rules.dir, 'chamber-baiyikang/2027-07-01/rules/member-discount.json');
    let published = '';
    const steps: [string, () => void, number][] = [
      ['a broken file in a published version', () => writeFileSync(path.join(rules.dir, 'chamber-baiyikang/2027-01-01/rules/broken.json'), '{'), 422],
      ['the broken file removed', () => rmSync(path.join(rules.dir, 'chamber-baiyikang/2027-01-01/rules/broken.json')), 200],
      ['a new version 2027-07-01 published', () => (published = readFileSync(publishVersion(rules.dir, '2027-01-01', '2027-07-01', '0.10') + '/rules/member-discount.json', 'utf8')), 200],
      ['the new version edited after publication', () => writeFileSync(memberDiscount, published.replace('"rate": "0.10"', '"rate": "0.11"')), 422],
      ['the edit reverted', () => writeFileSync(memberDiscount, published), 200],
    ];
    const clients = [client(), client(), client()];
    const outcomes: string[] = [];
    try {
      for (const [what, change, status] of steps) {
        await afterMoreBatches(3);
        change();
        const res = await request(base).post('/admin/rules:reload').set('Authorization', `Bearer ${TOKEN}`);
        outcomes.push(`${what}: ${res.status}${res.status === status ? '' : ` (expected ${status})`}`);
      }
      await afterMoreBatches(3);
    } finally {
      done = true;
      await Promise.all(clients);
      await new Promise((resolve) => server.close(resolve));
    }
    expect(outcomes).toEqual(steps.map(([what, , status]) => `${what}: ${status}`));
    expect(wrong).toEqual([]);
    expect([...seen].map((v) => v.split('=')[0]).sort()).toEqual(['2027-01-01', '2027-07-01']);
  }, 120_000);
});
