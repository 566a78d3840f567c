import request from 'supertest';
import { contract, testApp } from '../support/test-app';

/** A body is read only on a route that takes one, and only once the caller is authenticated. */
describe('bodies outside the routes that take them', () => {
  const KEY = 'k3y-for-partner-a-0001';
  const app = testApp({ apiKeys: new Map([[KEY, 'partner-a']]), adminToken: 's3cret-admin-token' });
  const malformed = '{"not": json';

  it.each([
    ['POST /admin/rules:reload without the admin token', '/admin/rules:reload', 401, 'UNAUTHORIZED'],
    ['POST to an unknown path', '/nope', 404, 'NOT_FOUND'],
    ['POST /v1/agreements (no body taken there)', '/v1/agreements', 404, 'NOT_FOUND'],
    ['POST /livez', '/livez', 404, 'NOT_FOUND'],
  ])('%s (%s) is answered %i, its malformed JSON body never parsed', async (_what, path, status, code) => {
    const res = await request(app).post(path).set('X-Api-Key', KEY).set('Content-Type', 'application/json').send(malformed).expect(status);
    expect(res.body).toMatchObject({ code });
    expect(contract.validate('Problem', res.body)).toEqual([]);
  });

  it('answers an admin call without the token 401 whatever the size of its body (no 413: it is not read)', async () => {
    const res = await request(app).post('/admin/rules:reload').set('Content-Type', 'application/json').send(`[${'1,'.repeat(3_000_000)}1]`).expect(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('still parses the bodies of the routes that take one, also with a trailing slash or in capitals', async () => {
    const diff = { agreement: 'chamber-baiyikang', from: '2026-01-01', to: '2027-01-01', orders: [{ channel: 'member-direct', date: '2026-11-12', buyer: { id: 'M-007', member: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] }] };
    for (const path of ['/v1/rulesets:diff', '/v1/rulesets:diff/', '/V1/RULESETS:DIFF']) {
      expect((await request(app).post(path).set('X-Api-Key', KEY).send(diff).expect(200)).body.totals.change.net).toBe('-26.82');
    }
    expect((await request(app).post('/v1/rulesets:diff').set('X-Api-Key', KEY).set('Content-Type', 'application/json').send(malformed).expect(400)).body).toMatchObject({ code: 'MALFORMED_JSON' });
  });
});
