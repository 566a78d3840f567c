import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { Logger } from '../../src/http/error-handler';
import { TokenBuckets } from '../../src/http/rate-limit';
import { arbitraryFor, listOperations, responseSchemaName, type Operation } from '../support/openapi-operations';
import { listen, send, type RawRequest, type RawResponse } from '../support/raw-http';
import { contract, exampleTwoRequest, testApp } from '../support/test-app';

/**
 * Hostile input for every operation of openapi.yaml: random and mutated bodies, raw JSON tokens
 * that JSON cannot hold, prototype keys, deep nesting, duplicate keys, huge arrays, wrong content
 * types and encodings, truncated bodies, odd paths and queries. Every answer must be a 2xx that
 * matches the contract or a 4xx problem+json carrying the request id: never a 5xx, never a hang.
 *
 * Seeded and bounded: FUZZ_SEED (default 20261126) and FUZZ_RUNS (default 60 a property) — the
 * `npm run fuzz` script raises the runs.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
/** Jest's time for one property: generous, and growing with the runs of `npm run fuzz`. */
const PROPERTY_TIMEOUT_MS = 30_000 + RUNS * 100;
const silent: Logger = { info() {}, warn() {}, error() {} };
const operations = listOperations(contract.document);
const bodyOperations = operations.filter((op) => op.bodySchema !== undefined);

let port = 0;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ port, close } = await listen(testApp({ logger: silent })));
});
afterAll(() => close());

/** A JSON token written into the body text as is (JSON.stringify cannot produce most of these). */
class Raw {
  constructor(readonly text: string) {}
}

const FORTY_DIGITS = '1234567890123456789012345678901234567890';
const HOSTILE: readonly unknown[] = [
  new Raw('1e309'), new Raw('-1e309'), new Raw('NaN'), new Raw('Infinity'), new Raw('-0'), new Raw('-0.0'), new Raw('1e-400'), new Raw('5e-324'),
  new Raw('9007199254740993'), new Raw(FORTY_DIGITS), new Raw(`0.${FORTY_DIGITS}`), new Raw(`-${FORTY_DIGITS}.${FORTY_DIGITS}`), new Raw('1E2'), new Raw('0x10'), new Raw('01'), new Raw('.5'), new Raw('+1'),
  new Raw('tru'), new Raw('nul'), new Raw('"\\ud800"'), new Raw('"\\u0000"'), new Raw('undefined'),
  new Raw('{"__proto__":{"polluted":true}}'), new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
  new Raw(`${'['.repeat(20_000)}${']'.repeat(20_000)}`), new Raw(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
  new Raw(`[${'1,'.repeat(50_000)}1]`), new Raw(`[${'{},'.repeat(2_000)}{}]`),
  '', ' ', '\u0000', '\u0007\u001b[2J', '\u202eRTL', '😀'.repeat(70), 'x'.repeat(65), 'a'.repeat(100_000), '𠀋', 'BYK-H01\n', 'chamber-baiyikang\u0000',
  '../../etc/passwd', '%00', '<script>alert(1)</script>', "'; DROP TABLE quotes; --", '1e309', '-0', 'NaN', `${FORTY_DIGITS}.${FORTY_DIGITS}`, '2026-02-30', '2026-13-01', '0000-00-00',
  null, true, false, 0, -1, 1.5, 1_000_000, 1_000_001, 2 ** 53, -(2 ** 31), [], {}, [null], [[]], { sku: 'BYK-H01', quantity: 1 },
];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', 'k'.repeat(1_000), '😀'];

type Path = (string | number)[];
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.slice(0, 20).forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw)) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** Returns a copy of `root` with `change` applied at `path` (undefined deletes). */
function update(root: unknown, path: Path, change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(root);
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? update(v, rest, change) : v)).filter((v) => v !== undefined);
  const copy: Record<string, unknown> = { ...(root as Record<string, unknown>) };
  const next = update(copy[head as string], rest, change);
  if (next === undefined) delete copy[head as string];
  else copy[head as string] = next;
  return copy;
}

/** Serialises with Raw tokens written verbatim; own "__proto__" keys survive (defineProperty). */
function toText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `@@RAW${raws.length - 1}@@`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

type Mutation = { kind: 'replace' | 'delete' | 'add-key' | 'wrap' | 'repeat'; at: number; hostile: unknown; key: string; times: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'delete', 'add-key', 'wrap', 'repeat'),
  at: fc.nat(),
  hostile: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) }),
  key: fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 10 })),
  times: fc.integer({ min: 2, max: 1_200 }),
}) as fc.Arbitrary<Mutation>;

function mutate(value: unknown, m: Mutation): unknown {
  const all = paths(value);
  const at = all[m.at % all.length]!;
  switch (m.kind) {
    case 'replace':
      return update(value, at, () => m.hostile);
    case 'delete':
      return at.length === 0 ? value : update(value, at, () => undefined);
    case 'add-key':
      return update(value, at, (old) => (old !== null && typeof old === 'object' && !Array.isArray(old) && !(old instanceof Raw) ? withKey(old as Record<string, unknown>, m.key, m.hostile) : old));
    case 'wrap':
      return update(value, at, (old) => [old]);
    case 'repeat':
      return update(value, at, (old) => (Array.isArray(old) && old.length > 0 ? Array.from({ length: m.times }, (_, i) => old[i % old.length]) : old));
  }
}

function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

type TextEdit = { kind: 'none' | 'truncate' | 'duplicate-key' | 'bom' | 'trailing' | 'flip-byte' | 'invalid-utf8' | 'utf16'; at: number };
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  kind: fc.constantFrom('none', 'none', 'none', 'truncate', 'duplicate-key', 'bom', 'trailing', 'flip-byte', 'invalid-utf8', 'utf16'),
  at: fc.nat(),
}) as fc.Arbitrary<TextEdit>;

function editText(text: string, edit: TextEdit): Buffer {
  const at = text.length === 0 ? 0 : edit.at % text.length;
  switch (edit.kind) {
    case 'none':
      return Buffer.from(text);
    case 'truncate':
      return Buffer.from(text.slice(0, at));
    case 'duplicate-key':
      return Buffer.from(text.replace('{', '{"agreement":"dup","lines":[],"agreement":1,'));
    case 'bom':
      return Buffer.from(`\ufeff${text}`);
    case 'trailing':
      return Buffer.from(`${text},}`);
    case 'flip-byte': {
      const bytes = Buffer.from(text);
      bytes[at % Math.max(1, bytes.length)] = 0x00;
      return bytes;
    }
    case 'invalid-utf8':
      return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(text.slice(at))]);
    case 'utf16':
      return Buffer.from(text, 'utf16le');
  }
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', '*/*', 'application/jsonx', ''];
const ACCEPTS = ['application/json', 'application/problem+json', 'text/csv', 'text/html', '*/*', 'application/xml', 'text/*;q=0.1, garbage;;q=x', ''];
const headerVariant = fc.record({
  accept: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...ACCEPTS) }),
  contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  encoding: fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'gzip-garbage', 'deflate', 'br', 'x-unknown', 'identity') }),
  requestId: fc.oneof(fc.constant(undefined), fc.constantFrom('erp-1', 'x'.repeat(200), 'bad id', '\u00e9')),
});

function bodyRequest(op: Operation, body: Buffer, headers: { contentType: string; encoding: string; requestId: string | undefined; accept?: string | undefined }, query = ''): RawRequest {
  let payload = body;
  const out: Record<string, string> = {};
  if (headers.accept !== undefined) out['Accept'] = headers.accept;
  if (headers.contentType !== '') out['Content-Type'] = headers.contentType;
  if (headers.requestId !== undefined && /^[\x20-\x7e]*$/.test(headers.requestId)) out['X-Request-Id'] = headers.requestId;
  if (headers.encoding === 'gzip') {
    payload = gzipSync(body);
    out['Content-Encoding'] = 'gzip';
  } else if (headers.encoding !== '') {
    out['Content-Encoding'] = headers.encoding === 'gzip-garbage' ? 'gzip' : headers.encoding;
  }
  return { method: op.method, path: `${concretePath(op, () => 'chamber-baiyikang')}${query}`, headers: out, body: payload };
}

function concretePath(op: Operation, param: (name: string) => string): string {
  return op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => param(name));
}

/** The invariant: 2xx matching the contract, or a 4xx problem+json with the request id. */
function checkAnswer(op: Operation, res: RawResponse): void {
  const where = `${op.id} answered ${res.status}: ${res.body.slice(0, 300)}`;
  if (res.status >= 500 || res.status < 200) throw new Error(where);
  const contentType = String(res.headers['content-type'] ?? '');
  if (res.status >= 400) {
    if (!contentType.startsWith('application/problem+json')) throw new Error(`${where} (content-type ${contentType})`);
    const problem = JSON.parse(res.body) as { status: number; requestId: string };
    const issues = contract.validate('Problem', problem);
    if (issues.length > 0 || problem.status !== res.status || problem.requestId !== res.headers['x-request-id']) throw new Error(`${where}: ${JSON.stringify(issues)}`);
    return;
  }
  const mediaType = contentType.split(';')[0]!;
  const schema = responseSchemaName(contract.document, op, res.status, mediaType);
  if (schema !== undefined) {
    const issues = contract.validate(schema, JSON.parse(res.body));
    if (issues.length > 0) throw new Error(`${where}: not a ${schema}: ${JSON.stringify(issues.slice(0, 3))}`);
  }
}

function validBodies(op: Operation): fc.Arbitrary<unknown> {
  const examples = op.bodyExamples.length > 0 ? op.bodyExamples : [op.bodySchema === 'QuoteBatchRequest' ? { quotes: [exampleTwoRequest()] } : exampleTwoRequest()];
  return fc.oneof(fc.constantFrom(...examples), arbitraryFor(contract, { $ref: `#/components/schemas/${op.bodySchema!}` }));
}

describe('fuzz: every operation of openapi.yaml answers hostile input with 2xx or a 4xx problem', () => {
  it('finds the operations in the contract', () => {
    expect(operations.map((op) => op.id)).toEqual(expect.arrayContaining(['createQuote', 'createQuoteBatch', 'listAgreements', 'getAgreement', 'livez', 'readyz']));
    expect(bodyOperations.length).toBeGreaterThanOrEqual(2);
  });

  it.each(bodyOperations.map((op) => [op.id, op] as const))('%s: mutated bodies, types, encodings', async (_id, op) => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(validBodies(op), fc.array(mutation, { minLength: 0, maxLength: 3 }), textEdit, headerVariant, async (valid, mutations, edit, headers) => {
        const body = editText(toText(mutations.reduce(mutate, valid)), edit);
        const res = await send(port, bodyRequest(op, body, headers));
        seen.add(res.status);
        checkAnswer(op, res);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator reaches past the parser and the contract (2xx, or a 404/422 from the domain),
    // and mutated requests are refused.
    expect([...seen].some((status) => status < 300 || status === 404 || status === 422)).toBe(true);
    expect([...seen]).toEqual(expect.arrayContaining([400, 415]));
  }, PROPERTY_TIMEOUT_MS);

  it.each(bodyOperations.map((op) => [op.id, op] as const))('%s: random JSON and random bytes', async (_id, op) => {
    const anyBody = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(toText(v))), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s)));
    await fc.assert(
      fc.asyncProperty(anyBody, headerVariant, async (body, headers) => {
        checkAnswer(op, await send(port, bodyRequest(op, body, headers)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  const streamed = operations.flatMap((op) => op.bodyMediaTypes.filter((type) => type !== 'application/json').map((type) => [op.id, type, op] as const));
  (streamed.length > 0 ? it.each(streamed) : it.skip.each([['(none in the contract yet)', '', operations[0]!] as const]))('%s: %s bodies, random and broken', async (_id, mediaType, op) => {
    const queryValue = (schema: Record<string, unknown>): fc.Arbitrary<string> => fc.oneof(arbitraryFor(contract, schema).map(String), fc.constantFrom('chamber-baiyikang', '2026-11-01', '2026-11-30', '', '%00'));
    const query = fc.tuple(...op.queryParams.map((p) => fc.option(queryValue(p.schema), { nil: undefined }).map((v) => (v === undefined ? '' : `${p.name}=${encodeURIComponent(v)}`))));
    const row = fc.array(fc.oneof(fc.constantFrom('T1', '2026-11-03', 'chamber-supply', 'CHAMBER', 'BYK-H01', '30', '1094.80', 'true', '', '"quoted, with comma"', '"', '1e309', '-0', FORTY_DIGITS, '=cmd|calc', '\u0000'), fc.string({ maxLength: 12 })), { maxLength: 12 });
    const text = fc.oneof(
      fc.array(row, { maxLength: 30 }).map((rows) => rows.map((r) => r.join(mediaType.includes('csv') ? ',' : '\t')).join('\n')),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 30 }).map((values) => values.map((v) => toText(v)).join('\n')),
      fc.string({ unit: 'binary', maxLength: 400 }),
    );
    await fc.assert(
      fc.asyncProperty(text, textEdit, query, headerVariant, async (body, edit, pairs, headers) => {
        const qs = pairs.filter((p) => p !== '').join('&');
        const res = await send(port, bodyRequest(op, editText(body, edit), { ...headers, contentType: mediaType }, qs === '' ? '' : `?${qs}`));
        checkAnswer(op, res);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it.each(operations.map((op) => [op.id, op] as const))('%s: odd path parameters, queries and methods', async (_id, op) => {
    const segment = fc.oneof(
      fc.constant('chamber-baiyikang'),
      // Non-empty: an empty segment is another route (/v1/agreements/ is the list).
      fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).map(encodeURIComponent),
      fc.constantFrom('%ZZ', '%00', '..%2F..%2Fetc%2Fpasswd', '%E4%B8%AD%E6%96%87', 'x'.repeat(5_000), '%F0%9F%98%80', '%C0%AF', '__proto__', 'constructor'),
    );
    const query = fc.array(fc.tuple(fc.constantFrom('date', 'explain', '__proto__', 'x', 'date[]'), fc.oneof(fc.constantFrom('2026-12-01', 'true', '', '2026-02-30', '1e309', '%00'), fc.string({ maxLength: 20 }).map(encodeURIComponent))), { maxLength: 3 });
    const method = fc.oneof({ weight: 4, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') });
    await fc.assert(
      fc.asyncProperty(segment, query, method, async (value, pairs, verb) => {
        const qs = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        const path = `${concretePath(op, () => value)}${qs === '' ? '' : `?${qs}`}`;
        const body = verb === 'POST' || verb === 'PUT' || verb === 'PATCH' ? toText(exampleTwoRequest()) : undefined;
        const res = await send(port, { method: verb, path, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body }) });
        if (verb === op.method) checkAnswer(op, res);
        else if (res.status >= 500) throw new Error(`${verb} ${path} answered ${res.status}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('fuzz: credentials, when API keys are configured', () => {
  const KEY = 'fuzz-key-for-partner-a-0001';
  let securedPort = 0;
  let closeSecured: () => Promise<void>;
  beforeAll(async () => {
    ({ port: securedPort, close: closeSecured } = await listen(testApp({ logger: silent, apiKeys: new Map([[KEY, 'partner-a']]), rateLimiter: new TokenBuckets(1_000, 1_000) })));
  });
  afterAll(() => closeSecured());

  it('answers every /v1 operation with 2xx, 401 or another 4xx problem, whatever the credentials', async () => {
    const v1 = operations.filter((op) => op.template.startsWith('/v1'));
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });
    const credential = fc.oneof(
      fc.constant<[string, string] | undefined>(undefined),
      fc.constantFrom<[string, string]>(['Authorization', `Bearer ${KEY}`], ['X-Api-Key', KEY], ['Authorization', `bearer   ${KEY}  `], ['Authorization', `Bearer ${KEY}x`], ['Authorization', `Bearer ${KEY.slice(1)}`], ['Authorization', 'Bearer'], ['Authorization', `Basic ${KEY}`], ['X-Api-Key', ' '], ['Authorization', `Bearer ${'k'.repeat(8_000)}`]),
      fc.tuple(fc.constantFrom('Authorization', 'X-Api-Key'), printable),
    );
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...v1), credential, async (op, header) => {
        const body = op.bodySchema === undefined ? undefined : toText(op.bodySchema === 'QuoteBatchRequest' ? { quotes: [exampleTwoRequest()] } : exampleTwoRequest());
        const res = await send(securedPort, { method: op.method, path: concretePath(op, () => 'chamber-baiyikang'), headers: { 'Content-Type': 'application/json', ...(header === undefined ? {} : { [header[0]]: header[1] }) }, ...(body === undefined ? {} : { body }) });
        seen.add(res.status);
        checkAnswer(op, res);
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
    expect([...seen]).toEqual(expect.arrayContaining([200, 401]));
  }, PROPERTY_TIMEOUT_MS * 2);
});

describe('fuzz: the big and the broken, for every body operation', () => {
  // The expected status and code, where every body operation must give the same (an empty body is
  // {} to express.json: a contract error for most operations, a verdict for verifyQuote).
  const cases: [string, RawRequest['headers'], Buffer, number | undefined, string | undefined][] = [
    ['6 MB of JSON', { 'Content-Type': 'application/json' }, Buffer.from(`{"x":"${'a'.repeat(6 * 1024 * 1024)}"}`), 413, 'PAYLOAD_TOO_LARGE'],
    ['a gzip bomb (64 MB of zeros inflated)', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), 413, 'PAYLOAD_TOO_LARGE'],
    ['a million nested arrays', { 'Content-Type': 'application/json' }, Buffer.from(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`), 400, 'VALIDATION_FAILED'],
    ['an array of a million numbers', { 'Content-Type': 'application/json' }, Buffer.from(`[${'0,'.repeat(999_999)}0]`), 400, 'VALIDATION_FAILED'],
    ['a JSON string, not an object', { 'Content-Type': 'application/json' }, Buffer.from('"hello"'), 400, 'MALFORMED_JSON'],
    ['an empty body', { 'Content-Type': 'application/json' }, Buffer.alloc(0), undefined, undefined],
    ['no Content-Type', {}, Buffer.from(toText(exampleTwoRequest())), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['text/plain', { 'Content-Type': 'text/plain' }, Buffer.from(toText(exampleTwoRequest())), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a latin1 charset', { 'Content-Type': 'application/json; charset=latin1' }, Buffer.from(toText(exampleTwoRequest())), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown Content-Encoding', { 'Content-Type': 'application/json', 'Content-Encoding': 'x-zip' }, Buffer.from(toText(exampleTwoRequest())), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];

  it.each(bodyOperations.flatMap((op) => cases.map(([name, headers, body, status, code]) => [op.id, name, op, headers, body, status, code] as const)))('%s: %s', async (_id, _name, op, headers, body, status, code) => {
    const res = await send(port, { method: op.method, path: concretePath(op, () => 'chamber-baiyikang'), headers: headers!, body });
    checkAnswer(op, res);
    if (status !== undefined) expect([res.status, JSON.parse(res.body).code]).toEqual([status, code]);
  });

  it.each(bodyOperations.map((op) => [op.id, op] as const))('%s: a body shorter than its Content-Length gets 408, not a hang', async (_id, op) => {
    const impatient = await listen(testApp({ logger: silent, bodyTimeoutMs: 300 }));
    const res = await send(impatient.port, { method: op.method, path: concretePath(op, () => 'chamber-baiyikang'), headers: { 'Content-Type': 'application/json', 'Content-Length': '500' }, body: '{"agreement":' });
    await impatient.close();
    checkAnswer(op, res);
    expect(res.status).toBe(408);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body).code).toBe('REQUEST_TIMEOUT');
  });
});

it('reads a slow body that keeps moving: the body timeout is an idle bound', async () => {
  // Idle bound 900 ms; 16 slices 120 ms apart take ~1.9 s in all. (Client and server share this
  // process: the margin covers a CPU-starved event loop, in which timers run before reads.)
  const impatient = await listen(testApp({ logger: silent, bodyTimeoutMs: 900 }));
  try {
    const body = Buffer.from(JSON.stringify(exampleTwoRequest()));
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: impatient.port, method: 'POST', path: '/v1/quotes', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      const slices = Array.from({ length: 16 }, (_, i) => body.subarray(Math.floor((i * body.length) / 16), Math.floor(((i + 1) * body.length) / 16)));
      const sendNext = (): void => {
        const slice = slices.shift();
        if (slice === undefined) req.end();
        else {
          req.write(slice);
          setTimeout(sendNext, 120);
        }
      };
      sendNext();
    });
    expect(answer).toBe(200);
  } finally {
    await impatient.close();
  }
});

describe('fuzz: memory', () => {
  it('returns to its baseline after a round of hostile requests', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const op = bodyOperations[0]!;
    const round = async (runs: number, seed: number): Promise<void> => {
      await fc.assert(
        fc.asyncProperty(validBodies(op), fc.array(mutation, { maxLength: 3 }), textEdit, async (valid, mutations, edit) => {
          checkAnswer(op, await send(port, bodyRequest(op, editText(toText(mutations.reduce(mutate, valid)), edit), { contentType: 'application/json', encoding: '', requestId: undefined })));
        }),
        { seed, numRuns: runs },
      );
    };
    const settledHeap = async (): Promise<number> => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    await round(RUNS, SEED + 1); // warm-up: compiled validators, JIT, module caches
    const baseline = await settledHeap();
    await round(RUNS * 4, SEED + 2);
    const after = await settledHeap();
    if (process.env['FUZZ_RUNS'] !== undefined) console.log(`heap after gc: baseline ${(baseline / 1048576).toFixed(1)} MiB, after ${RUNS * 4} hostile requests ${(after / 1048576).toFixed(1)} MiB`);
    // Retaining even 10 kB per request would exceed this bound over the rounds of `npm run fuzz`.
    expect((after - baseline) / 1024 / 1024).toBeLessThan(16);
  }, PROPERTY_TIMEOUT_MS * 5);
});
