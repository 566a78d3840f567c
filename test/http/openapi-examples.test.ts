import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import YAML, { isMap, isPair, isScalar, type Document, type YAMLMap } from 'yaml';
import { createApp } from '../../src/app';
import { RulesHolder } from '../../src/rules/rules-holder';
import { contract, exampleTwoRequest, memoryLedger, recordingLogger, RULES_DIR } from '../support/test-app';
import { fixedClock, trustApp } from '../support/trust-app';
import { quarterClosingCase, workedExampleRequest } from '../support/settlement-fixtures';

/**
 * The examples of openapi.yaml (what Swagger UI shows) are real answers of the service on the
 * bundled rules: each is produced by a request below. This test checks that every operation has
 * a request example (when it takes a body) and an example of each success answer, that each JSON
 * example is valid against its schema, and that the deterministic ones are what the service
 * answers today (the members that change on every call — ids, times, signatures — aside).
 *
 * `UPDATE_OPENAPI_EXAMPLES=1 npx jest test/http/openapi-examples.test.ts` rewrites the examples
 * from fresh runs (only the `examples` members of openapi.yaml change).
 */
const OPENAPI = path.resolve(__dirname, '../../openapi.yaml');
const TOKEN = 'example-admin-token-0001';
const CLOCK = '2026-11-26T20:14:18Z';
/** Members that differ on every call; compared by schema only. */
const VOLATILE = new Set(['quoteId', 'issuedAt', 'expiresAt', 'signature', 'inclusionProof', 'requestId', 'loadedAt', 'uptimeSeconds', 'kid', 'x']);

type Target = {
  readonly path: readonly (string | number)[];
  readonly name: string;
  readonly summary: string;
  /**
   * Written as the media type's single `example` rather than in `examples`: the fuzz suite seeds
   * its mutations from `examples`, and a real quote document as seed finds the 500 of issue 12
   * item 9 (a deeply nested member in :verify), fixed on another branch; switch back then.
   */
  readonly single?: true;
};
interface ExampleRun {
  /** Where the request example goes (a request body's media type), if the call has a body. */
  readonly requestAt?: Target;
  /** Where the answer goes: a response's media type. */
  readonly responseAt: Target;
  readonly call: (apps: Apps) => request.Test;
  readonly status: number;
  readonly body?: unknown;
  /** The answer is the same on every run (after VOLATILE members): compared with the example. */
  readonly deterministic: boolean;
  /** What of the answer the example shows; default the JSON body. */
  readonly answer?: (res: request.Response) => unknown;
}

/** The first lines of a long text answer, marked as an excerpt. */
const excerpt =
  (lines: number) =>
  (res: request.Response): string =>
    `${res.text.split('\n').slice(0, lines).join('\n')}\n…\n`;

interface Apps {
  readonly app: ReturnType<typeof createApp>;
  readonly keyed: ReturnType<typeof createApp>;
  readonly starting: ReturnType<typeof createApp>;
  readonly issued: Record<string, unknown>;
  /** A ledger holding the worked example (its external sales too), November closed (statement LEDGER_STATEMENT). */
  readonly ledger: ReturnType<typeof createApp>;
  /** A ledger holding a quarter of a quarterly rebate programme (a golden case's), its first month closed. */
  readonly quarter: { readonly app: ReturnType<typeof createApp>; readonly path: string; readonly secondMonth: string };
}

const LEDGER = '/v1/ledgers/chamber-baiyikang';
const LEDGER_STATEMENT = 'chamber-baiyikang.2026-11';
const LEDGER_UPLOAD = { transactions: workedExampleRequest().transactions, externalSales: workedExampleRequest().externalSales };
const LEDGER_CSV = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice\nD1,2026-12-02,group-buy,ENT-001,true,true,,BYK-H01,40,\nD2,2026-12-09,group-buy,ENT-001,true,true,T2,BYK-L01,-5,\n';
const LEDGER_NDJSON = '{"transaction":"D3","date":"2026-12-03","channel":"member-direct","buyer":"M-007","member":true,"sku":"BYK-M01","quantity":2}\n';

/** A fresh app whose ledger holds the worked example with November closed. */
async function ledgerApp(): Promise<ReturnType<typeof createApp>> {
  const rules = loaded();
  const app = createApp({ rules, logger: recordingLogger(), contract, ledger: memoryLedger(rules, undefined, fixedClock('2026-12-01T09:30:00Z').now) });
  await request(app).post(`${LEDGER}/transactions`).send(LEDGER_UPLOAD).expect(200);
  await request(app).post(`${LEDGER}/periods/2026-11:close`).expect(201);
  return app;
}

/** A fresh app whose ledger holds the quarter of a golden case closing a quarterly programme, its first month closed. */
async function quarterLedgerApp(): Promise<Apps['quarter']> {
  const { request: settlement, quarter } = quarterClosingCase();
  const app = emptyLedgerApp();
  const ledger = `/v1/ledgers/${settlement.agreement}`;
  await request(app).post(`${ledger}/transactions`).send({ transactions: [...settlement.priorTransactions!, ...settlement.transactions] }).expect(200);
  await request(app).post(`${ledger}/periods/${quarter.from.slice(0, 7)}:close`).expect(201);
  const month = Number(quarter.from.slice(5, 7)) + 1;
  return { app, path: `${ledger}/periods`, secondMonth: `${quarter.from.slice(0, 4)}-${String(month).padStart(2, '0')}` };
}

function emptyLedgerApp(): ReturnType<typeof createApp> {
  const rules = loaded();
  return createApp({ rules, logger: recordingLogger(), contract, ledger: memoryLedger(rules, undefined, fixedClock('2026-12-01T09:30:00Z').now) });
}

const op = (p: string, method: string): string[] => ['paths', p, method];
const requestMedia = (p: string, method: string, media = 'application/json'): (string | number)[] => [...op(p, method), 'requestBody', 'content', media];
const responseMedia = (p: string, method: string, status: string, media = 'application/json'): (string | number)[] => [...op(p, method), 'responses', status, 'content', media];
const problemMedia = (name: string): (string | number)[] => ['components', 'responses', name, 'content', 'application/problem+json'];

const BATCH = { quotes: [exampleTwoRequest(), { ...exampleTwoRequest(), lines: [{ sku: 'BYK-X99', quantity: 1 }] }] };
const DIFF = {
  agreement: 'chamber-baiyikang',
  from: '2026-01-01',
  to: '2027-01-01',
  orders: [{ id: 'T3', channel: 'member-direct', date: '2026-11-12', buyer: { id: 'M-007', member: true }, lines: [{ sku: 'BYK-M01', quantity: 3 }] }],
};
const BAD_QUOTE = { agreement: 'chamber-baiyikang', channel: 'group-buy', date: '2026-12-01', buyer: { id: 'ENT-001' }, lines: [{ sku: 'BYK-L01', quantity: 0 }] };
const UNKNOWN_SKU = { ...exampleTwoRequest(), lines: [{ sku: 'BYK-X99', quantity: 1 }] };

const RUNS: readonly ExampleRun[] = [
  {
    requestAt: { path: requestMedia('/v1/quotes', 'post'), name: 'groupBuy', summary: "The agreement's worked example 2: a key-account member's group-buy of 40 + 80 units" },
    responseAt: { path: responseMedia('/v1/quotes', 'post', '200'), name: 'groupBuy', summary: 'Worked example 2, priced and signed: 10 % group-buy tier, 10 % commission, 2 % rebate, 2 gifts' },
    call: ({ app }) => request(app).post('/v1/quotes').send(exampleTwoRequest()),
    body: exampleTwoRequest(),
    status: 200,
    deterministic: true,
  },
  {
    requestAt: { path: requestMedia('/v1/quotes:batch', 'post'), name: 'twoQuotes', summary: 'Worked example 2, and the same order with an unknown SKU' },
    responseAt: { path: responseMedia('/v1/quotes:batch', 'post', '200'), name: 'twoQuotes', summary: 'One priced quote (signed with the batch, its Merkle inclusion proof) and one 422 problem' },
    call: ({ app }) => request(app).post('/v1/quotes:batch').send(BATCH),
    body: BATCH,
    status: 200,
    deterministic: true,
  },
  {
    requestAt: { path: requestMedia('/v1/quotes:verify', 'post'), name: 'issuedQuote', summary: 'A quote exactly as POST /v1/quotes issued it (worked example 2)', single: true },
    responseAt: { path: responseMedia('/v1/quotes:verify', 'post', '200'), name: 'valid', summary: 'The signature is valid and the figures recompute identically under the pinned version' },
    call: ({ app, issued }) => request(app).post('/v1/quotes:verify').send(issued),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/.well-known/jwks.json', 'get', '200'), name: 'oneKey', summary: 'The key that signs new quotes' },
    call: ({ app }) => request(app).get('/.well-known/jwks.json'),
    status: 200,
    deterministic: false,
  },
  {
    requestAt: { path: requestMedia('/v1/rulesets:diff', 'post'), name: 'memberDiscount2027', summary: 'What the 2027 version (member discount 5 % → 8 %) changes for a member-direct order' },
    responseAt: { path: responseMedia('/v1/rulesets:diff', 'post', '200'), name: 'memberDiscount2027', summary: '3 × BYK-M01: 849.30 → 822.48, commission 84.93 → 82.25' },
    call: ({ app }) => request(app).post('/v1/rulesets:diff').send(DIFF),
    body: DIFF,
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/admin/rules:reload', 'post', '200'), name: 'reloaded', summary: 'Reloaded: the versions now served' },
    call: ({ app }) => request(app).post('/admin/rules:reload').set('Authorization', `Bearer ${TOKEN}`),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/agreements', 'get', '200'), name: 'bundled', summary: 'The agreements of the bundled rules directory' },
    call: ({ app }) => request(app).get('/v1/agreements'),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/agreements/{agreement}', 'get', '200'), name: 'chamberNovember2026', summary: 'GET /v1/agreements/chamber-baiyikang?date=2026-11-30' },
    call: ({ app }) => request(app).get('/v1/agreements/chamber-baiyikang?date=2026-11-30'),
    status: 200,
    deterministic: true,
  },
  {
    requestAt: { path: requestMedia('/v1/settlements', 'post'), name: 'workedExample', summary: "The agreement's settlement worked example (November 2026)" },
    responseAt: { path: responseMedia('/v1/settlements', 'post', '200'), name: 'workedExample', summary: 'Commission 32578.27, rebate true-up 2918.52, compensation 1932.00; the chamber pays the supplier −1428.86' },
    call: ({ app }) => request(app).post('/v1/settlements').send(workedExampleRequest()),
    body: workedExampleRequest(),
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/v1/settlements', 'post', '200', 'text/csv'), name: 'workedExample', summary: 'The worked example as the CSV statement (Accept: text/csv)' },
    call: ({ app }) => request(app).post('/v1/settlements').set('Accept', 'text/csv').send(workedExampleRequest()),
    status: 200,
    deterministic: false,
    answer: (res) => res.text,
  },
  {
    responseAt: { path: responseMedia('/v1/settlements', 'post', '200', 'text/html'), name: 'workedExample', summary: 'The worked example as a printable page (Accept: text/html), its first lines' },
    call: ({ app }) => request(app).post('/v1/settlements').set('Accept', 'text/html').send(workedExampleRequest()),
    status: 200,
    deterministic: false,
    answer: excerpt(12),
  },
  {
    responseAt: { path: responseMedia('/metrics', 'get', '200', 'text/plain'), name: 'excerpt', summary: 'The first lines of the exposition' },
    call: ({ app }) => request(app).get('/metrics'),
    status: 200,
    deterministic: false,
    answer: excerpt(8),
  },
  {
    responseAt: { path: responseMedia('/openapi.yaml', 'get', '200', 'application/yaml'), name: 'excerpt', summary: 'This document, its first lines' },
    call: ({ app }) => request(app).get('/openapi.yaml'),
    status: 200,
    deterministic: false,
    answer: excerpt(4),
  },
  {
    responseAt: { path: responseMedia('/livez', 'get', '200'), name: 'alive', summary: 'Alive' },
    call: ({ app }) => request(app).get('/livez'),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/readyz', 'get', '200'), name: 'ready', summary: 'Ready: the versions served' },
    call: ({ app }) => request(app).get('/readyz'),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/readyz', 'get', '503'), name: 'starting', summary: 'Not ready: the rules are not loaded yet' },
    call: ({ starting }) => request(starting).get('/readyz'),
    status: 503,
    deterministic: false,
  },
  {
    responseAt: { path: problemMedia('BadRequest'), name: 'validationFailed', summary: 'A quantity of 0 (quantities start at 1)' },
    call: ({ app }) => request(app).post('/v1/quotes').send(BAD_QUOTE),
    status: 400,
    deterministic: true,
  },
  {
    responseAt: { path: problemMedia('NotFound'), name: 'unknownAgreement', summary: 'GET /v1/agreements/acme' },
    call: ({ app }) => request(app).get('/v1/agreements/acme'),
    status: 404,
    deterministic: true,
  },
  {
    responseAt: { path: problemMedia('Unprocessable'), name: 'unknownSku', summary: 'A SKU the agreement does not have' },
    call: ({ app }) => request(app).post('/v1/quotes').send(UNKNOWN_SKU),
    status: 422,
    deterministic: true,
  },
  {
    responseAt: { path: problemMedia('UnsupportedMediaType'), name: 'textPlain', summary: 'A quote sent as text/plain' },
    call: ({ app }) => request(app).post('/v1/quotes').set('Content-Type', 'text/plain').send('{}'),
    status: 415,
    deterministic: true,
  },
  {
    responseAt: { path: problemMedia('Unauthorized'), name: 'noKey', summary: 'API keys are configured and the call has none' },
    call: ({ keyed }) => request(keyed).get('/v1/agreements'),
    status: 401,
    deterministic: true,
  },
  {
    responseAt: { path: problemMedia('Unavailable'), name: 'rulesNotLoaded', summary: 'The service is starting: the rules are not loaded yet' },
    call: ({ starting }) => request(starting).post('/v1/quotes').send(exampleTwoRequest()),
    status: 503,
    deterministic: true,
  },
  {
    requestAt: { path: requestMedia('/v1/ledgers/{agreement}/transactions', 'post'), name: 'workedExample', summary: "The worked example's November transactions and external sales (here a resend: all unchanged)" },
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/transactions', 'post', '200'), name: 'resend', summary: "An identical resend: nothing new, every transaction and the month's external sales counted unchanged" },
    call: ({ ledger }) => request(ledger).post(`${LEDGER}/transactions`).send(LEDGER_UPLOAD),
    body: LEDGER_UPLOAD,
    status: 200,
    deterministic: true,
  },
  {
    requestAt: { path: requestMedia('/v1/ledgers/{agreement}/transactions', 'post', 'text/csv'), name: 'december', summary: 'December: a sale, and a return of a November sale' },
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/transactions', 'post', '200'), name: 'csv', summary: 'The CSV upload recorded (on a resend: unchanged)' },
    call: ({ ledger }) => request(ledger).post(`${LEDGER}/transactions`).set('Content-Type', 'text/csv').send(LEDGER_CSV),
    body: LEDGER_CSV,
    status: 200,
    deterministic: false,
  },
  {
    requestAt: { path: requestMedia('/v1/ledgers/{agreement}/transactions', 'post', 'application/x-ndjson'), name: 'december', summary: 'A December sale as an NDJSON row' },
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/transactions', 'post', '200'), name: 'ndjson', summary: 'The NDJSON upload recorded' },
    call: () => request(emptyLedgerApp()).post(`${LEDGER}/transactions`).set('Content-Type', 'application/x-ndjson').send(LEDGER_NDJSON),
    body: LEDGER_NDJSON,
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/periods', 'get', '200'), name: 'novemberClosed', summary: 'November closed, December open: figures from the stored statement and computed to date' },
    call: ({ ledger }) => request(ledger).get(`${LEDGER}/periods`),
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/periods', 'get', '200'), name: 'quarterToDate', summary: "A quarterly rebate programme to date: the quarter's first month closed, its second the last listed (to=…)" },
    call: ({ quarter }) => request(quarter.app).get(quarter.path).query({ to: quarter.secondMonth }),
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/periods', 'get', '200'), name: 'countsOnly', summary: 'figures=false: state and counts only, nothing computed' },
    call: ({ ledger }) => request(ledger).get(`${LEDGER}/periods`).query({ figures: 'false' }),
    status: 200,
    deterministic: true,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/periods/{period}:close', 'post', '200'), name: 'november', summary: 'November, closed before: the statement stored then' },
    call: ({ ledger }) => request(ledger).post(`${LEDGER}/periods/2026-11:close`),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/periods/{period}:close', 'post', '201'), name: 'emptyMonth', summary: 'A month without transactions closed now' },
    call: () => request(emptyLedgerApp()).post(`${LEDGER}/periods/2026-10:close`),
    status: 201,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/ledgers/{agreement}/audit', 'get', '200'), name: 'uploadAndClose', summary: 'An upload and a close, newest first' },
    call: ({ ledger }) => request(ledger).get(`${LEDGER}/audit`),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/statements', 'get', '200'), name: 'november', summary: "The agreement's statements" },
    call: ({ ledger }) => request(ledger).get('/v1/statements').query({ agreement: 'chamber-baiyikang' }),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/statements/{id}', 'get', '200'), name: 'november', summary: "November's statement as archived and signed" },
    call: ({ ledger }) => request(ledger).get(`/v1/statements/${LEDGER_STATEMENT}`),
    status: 200,
    deterministic: false,
  },
  {
    responseAt: { path: responseMedia('/v1/statements/{id}', 'get', '200', 'text/csv'), name: 'november', summary: "November's statement as CSV, its first lines" },
    call: ({ ledger }) => request(ledger).get(`/v1/statements/${LEDGER_STATEMENT}`).set('Accept', 'text/csv'),
    status: 200,
    deterministic: false,
    answer: excerpt(8),
  },
  {
    responseAt: { path: responseMedia('/v1/statements/{id}', 'get', '200', 'text/html'), name: 'november', summary: "November's statement as a printable page, its first lines" },
    call: ({ ledger }) => request(ledger).get(`/v1/statements/${LEDGER_STATEMENT}`).set('Accept', 'text/html'),
    status: 200,
    deterministic: false,
    answer: excerpt(6),
  },
  {
    requestAt: { path: requestMedia('/v1/statements:verify', 'post'), name: 'november', summary: "November's statement" },
    responseAt: { path: responseMedia('/v1/statements:verify', 'post', '200'), name: 'november', summary: 'Signed by a known key, unchanged, and the ledger still gives it' },
    call: ({ ledger }) => request(ledger).post('/v1/statements:verify').send({ statementId: LEDGER_STATEMENT }),
    body: { statementId: LEDGER_STATEMENT },
    status: 200,
    deterministic: true,
  },
];

async function makeApps(): Promise<Apps> {
  const { app } = trustApp({ now: fixedClock(CLOCK).now, adminToken: TOKEN });
  const keyed = createApp({ rules: loaded(), logger: recordingLogger(), contract, apiKeys: new Map([['example-key-0000000001', 'partner-a']]) });
  const starting = createApp({ rules: new RulesHolder(RULES_DIR), logger: recordingLogger(), contract });
  const issued = (await request(app).post('/v1/quotes').send(exampleTwoRequest()).expect(200)).body as Record<string, unknown>;
  return { app, keyed, starting, issued, ledger: await ledgerApp(), quarter: await quarterLedgerApp() };
}

function loaded(): RulesHolder {
  const rules = new RulesHolder(RULES_DIR);
  rules.load();
  return rules;
}

/** The answer without what changes on every call. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => !VOLATILE.has(key)).map(([key, v]) => [key, stable(v)]));
  return value;
}

/** The component schema a media type's schema refers to (`$ref`), or undefined for inline ones. */
function schemaName(media: Record<string, any>): string | undefined {
  const ref = media['schema']?.['$ref'] as string | undefined;
  return ref?.split('/').pop();
}

function examplesOf(media: Record<string, any> | undefined): unknown[] {
  if (media === undefined) return [];
  return [...(media['example'] === undefined ? [] : [media['example']]), ...Object.values<{ value: unknown }>(media['examples'] ?? {}).map((e) => e.value)];
}

describe('openapi.yaml examples', () => {
  let apps: Apps;
  beforeAll(async () => {
    apps = await makeApps();
    if (process.env['UPDATE_OPENAPI_EXAMPLES'] === '1') await writeExamples(apps);
  });
  const document = (): Record<string, any> => YAML.parse(readFileSync(OPENAPI, 'utf8'));

  it('every operation has a request example (when it takes a body) and an example of each success answer', () => {
    const missing: string[] = [];
    for (const [template, item] of Object.entries<Record<string, any>>(document()['paths'])) {
      for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
        for (const [media, content] of Object.entries<Record<string, any>>(operation['requestBody']?.['content'] ?? {})) {
          if (examplesOf(content).length === 0) missing.push(`${method} ${template} request ${media}`);
        }
        for (const [status, response] of Object.entries<Record<string, any>>(operation['responses'] ?? {})) {
          if (!status.startsWith('2')) continue;
          for (const [media, content] of Object.entries<Record<string, any>>(response['content'] ?? {})) {
            if (examplesOf(content).length === 0) missing.push(`${method} ${template} ${status} ${media}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('every JSON example is valid against its schema', () => {
    const invalid: unknown[] = [];
    const visit = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const media = node as Record<string, any>;
      const name = schemaName(media);
      if (name !== undefined && ('examples' in media || 'example' in media)) {
        for (const example of examplesOf(media)) {
          const issues = contract.validate(name, example);
          if (issues.length > 0) invalid.push({ at, issues: issues.slice(0, 3) });
        }
      }
      for (const [key, child] of Object.entries(media)) if (key !== 'examples' && key !== 'example') visit(child, `${at}/${key}`);
    };
    const doc = document();
    visit(doc['paths'], '/paths');
    visit(doc['components']['responses'], '/components/responses');
    expect(invalid).toEqual([]);
  });

  it.each(RUNS.map((run) => [run.responseAt.path.join(' '), run] as const))('%s: the example is what the service answers', async (_at, run) => {
    const res = await run.call(apps);
    expect(res.status).toBe(run.status);
    const doc = document();
    const media = pathIn(doc, run.responseAt.path);
    const example = media?.['examples']?.[run.responseAt.name]?.value;
    expect(example).toBeDefined();
    // a changed answer (a new field, a new figure) is refreshed with the command in this file's header
    const refresh = 'UPDATE_OPENAPI_EXAMPLES=1 npx jest test/http/openapi-examples.test.ts';
    if (run.deterministic) expect({ refresh, example: stable(example) }).toEqual({ refresh, example: stable(res.body) });
    if (run.requestAt !== undefined) {
      const requestMediaType = pathIn(doc, run.requestAt.path);
      const requestExample = run.requestAt.single === true ? requestMediaType?.['example'] : requestMediaType?.['examples']?.[run.requestAt.name]?.value;
      expect(requestExample).toBeDefined();
      if (run.body !== undefined) expect(requestExample).toEqual(run.body);
    }
  });
});

function pathIn(document: Record<string, any>, at: readonly (string | number)[]): Record<string, any> | undefined {
  return at.reduce<any>((node, key) => node?.[key], document);
}

/** Writes each run's request and answer into openapi.yaml as `examples` members, touching nothing else. */
async function writeExamples(apps: Apps): Promise<void> {
  const text = readFileSync(OPENAPI, 'utf8');
  const doc = YAML.parseDocument(text);
  const edits: { start: number; end: number; text: string }[] = [];
  const planned = new Map<string, Record<string, { summary: string; value: unknown }>>();
  const single = new Map<string, unknown>();
  const add = (target: Target, value: unknown): void => {
    const key = JSON.stringify(target.path);
    if (target.single === true) single.set(key, value);
    else planned.set(key, { ...(planned.get(key) ?? {}), [target.name]: { summary: target.summary, value } });
  };
  for (const run of RUNS) {
    const res = await run.call(apps);
    expect(res.status).toBe(run.status);
    add(run.responseAt, (run.answer ?? ((r: request.Response) => r.body))(res));
    if (run.requestAt !== undefined) add(run.requestAt, run.body ?? apps.issued);
  }
  for (const [key, examples] of planned) edits.push(examplesEdit(doc, text, JSON.parse(key), { examples }));
  for (const [key, example] of single) edits.push(examplesEdit(doc, text, JSON.parse(key), { example }));
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  writeFileSync(OPENAPI, out);
}

/** The text edit that sets a media type object's `examples` (replacing `example`/`examples` if present). */
function examplesEdit(doc: Document, text: string, at: (string | number)[], member: { examples: Record<string, unknown> } | { example: unknown }): { start: number; end: number; text: string } {
  const media = doc.getIn(at, true) as YAMLMap | undefined;
  if (!isMap(media) || media.range === undefined || media.range === null) throw new Error(`openapi.yaml has no media type object at ${at.join(' ')}`);
  const first = media.items[0];
  if (!isPair(first) || !isScalar(first.key) || first.key.range == null) throw new Error(`unexpected YAML at ${at.join(' ')}`);
  const keyStart = first.key.range[0];
  const indent = keyStart - (text.lastIndexOf('\n', keyStart) + 1);
  const block = YAML.stringify(member, { lineWidth: 0, indent: 2, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', doubleQuotedAsJSON: true })
    .trimEnd()
    .replaceAll('\uFEFF', '\\uFEFF') // the CSV statement's BOM, visible
    .split('\n')
    .map((line) => ' '.repeat(indent) + line)
    .join('\n');
  const existing = media.items.find((pair) => isPair(pair) && isScalar(pair.key) && (pair.key.value === 'examples' || pair.key.value === 'example'));
  if (isPair(existing) && isScalar(existing.key) && existing.key.range != null) {
    const start = text.lastIndexOf('\n', existing.key.range[0]) + 1;
    const valueEnd = (existing.value as { range?: [number, number, number] } | null)?.range?.[1] ?? existing.key.range[2];
    const end = text.indexOf('\n', valueEnd - 1);
    return { start, end: end === -1 ? text.length : end, text: block };
  }
  const last = media.items[media.items.length - 1]!;
  const lastEnd = ((last as { value?: { range?: [number, number, number] } }).value?.range?.[1] ?? media.range[1]) as number;
  const lineEnd = text.indexOf('\n', lastEnd - 1);
  return { start: lineEnd, end: lineEnd, text: `\n${block}` };
}
